from __future__ import annotations

from sentinelle.catalogue.management.commands._importing import ImportCommand
from sentinelle.catalogue.services import import_cwr_file


class Command(ImportCommand):
    help = (
        "Import CWR 2.1/2.2 files into the catalogue (idempotent). Prints FILE:LINE: message for each bad "
        "record. Exit status: 0 all imported, 1 some records were bad (the rest is imported), 2 a file is missing "
        "or unreadable."
    )
    unit = "lines"
    importer = staticmethod(import_cwr_file)
