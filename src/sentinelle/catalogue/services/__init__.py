"""Writes to the catalogue: the CWR and CSV importers, and linking parties to members.

- ``data.py``: what both importers produce (``WorkData``) and report (``ImportReport``);
- ``cwr_import.py`` and ``csv_import.py``: a file → ``WorkData``, one work at a time;
- ``writer.py``: the one writer of works, titles, recordings, parties and interests, by the
  batch (a failing batch is retried work by work);
- ``members.py``: a member claims the parties bearing its IPI name number.

See docs/catalogue-import.md for the formats, the idempotence keys and what is (not) read.
"""

from sentinelle.catalogue.services.csv_import import CSV_COLUMNS, import_works_csv
from sentinelle.catalogue.services.cwr_import import import_cwr_file
from sentinelle.catalogue.services.data import (
    ImportIssue,
    ImportReport,
    InterestData,
    Progress,
    WorkData,
    scoped_number,
)
from sentinelle.catalogue.services.members import link_parties_to_member
from sentinelle.catalogue.services.writer import BATCH_SIZE

__all__ = [
    "BATCH_SIZE",
    "CSV_COLUMNS",
    "ImportIssue",
    "ImportReport",
    "InterestData",
    "Progress",
    "WorkData",
    "import_cwr_file",
    "import_works_csv",
    "link_parties_to_member",
    "scoped_number",
]
