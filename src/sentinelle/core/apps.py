from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sentinelle.core"
    label = "core"
    verbose_name = "Sentinelle"

    def ready(self) -> None:
        from sentinelle.core import (
            checks,  # noqa: F401 - registers the deployment checks
            lookups,
        )

        lookups.register()
