from __future__ import annotations

from pathlib import Path

from sentinelle.catalogue.management.commands._importing import ImportCommand
from sentinelle.catalogue.services import import_works_csv


class Command(ImportCommand):
    help = (
        "Import works from a CSV file (header in docs/catalogue-import.md; the django-music-publisher template "
        "is read too). Exit status: 0 all imported, 1 some rows were bad, 2 a file is missing or unreadable."
    )
    unit = "rows"
    importer = staticmethod(import_works_csv)

    def count_units(self, path: Path) -> int:
        return max(super().count_units(path) - 1, 0)
