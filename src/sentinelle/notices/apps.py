from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "sentinelle.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from sentinelle.notices.services.held import on_contacts_changed
        from sentinelle.recipients.signals import contacts_changed

        contacts_changed.connect(on_contacts_changed, dispatch_uid="notices.release_held")
