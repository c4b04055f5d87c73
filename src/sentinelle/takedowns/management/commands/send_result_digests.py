from typing import Any

from django.core.management.base import BaseCommand

from sentinelle.takedowns import services


class Command(BaseCommand):
    help = "E-mail members the results of their links: at most one digest per member per day."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.send_result_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
