from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender: AppConfig, **kwargs: Any) -> None:
    from sentinelle.members.services import ensure_role_groups

    ensure_role_groups()


def _remember_language(sender: object, request: Any, user: Any, **kwargs: Any) -> None:
    """A user who never chose a language keeps the one they logged in with (for their e-mails)."""
    from sentinelle.members.services import set_language

    code = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if not user.language and code:
        set_language(user, code)


def _revoke_tokens_on_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    # set_password() keeps the new raw password in _password until save() has sent this signal;
    # a hash upgrade at login (check_password) clears it first, so it revokes nothing.
    if getattr(instance, "_password", None) is not None:
        from sentinelle.members.services import revoke_tokens_after_password_change

        revoke_tokens_after_password_change(instance)


class MembersConfig(AppConfig):
    name = "sentinelle.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        post_migrate.connect(_ensure_groups, sender=self, dispatch_uid="sentinelle-role-groups")
        user_logged_in.connect(_remember_language, dispatch_uid="sentinelle-remember-language")
        post_save.connect(
            _revoke_tokens_on_password_change,
            sender=self.get_model("User"),
            dispatch_uid="sentinelle-revoke-tokens-on-password-change",
        )
