from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender: AppConfig, **kwargs: Any) -> None:
    from sentinelle.members.services import ensure_role_groups

    ensure_role_groups()


class MembersConfig(AppConfig):
    name = "sentinelle.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        post_migrate.connect(_ensure_groups, sender=self, dispatch_uid="sentinelle-role-groups")
