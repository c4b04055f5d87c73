from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "sentinelle.platforms"
    label = "platforms"
    verbose_name = _("Platform registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from sentinelle.platforms import selectors
        from sentinelle.platforms.models import Platform, PlatformDomain

        for model in (Platform, PlatformDomain):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.registry_changed,
                    sender=model,
                    dispatch_uid=f"platforms-registry-{model.__name__}-{signal is post_save}",
                )
