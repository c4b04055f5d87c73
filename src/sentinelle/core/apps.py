from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sentinelle.core"
    label = "core"
    verbose_name = "Sentinelle"
