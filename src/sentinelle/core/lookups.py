"""``field__any=ids``: membership in a list of ids as one parameter on PostgreSQL.

``field__in=ids`` writes one placeholder per id: a batch of 5,000 ids is a query string of 5,000
placeholders that Django prepares value by value and psycopg parses again on every call (each
string differs in length, so none is cached). Measured on the notice builder (issue 14), that
preparation cost more than the queries. ``field__any`` sends the list as one array,
``field = ANY(%s)``; elsewhere (SQLite) it is ``IN`` as before.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [int(v) for v in self.rhs]
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, values]


class AnyText(In):
    """``field__any=texts`` for a text field: ``field = ANY(%s::text[])`` on PostgreSQL (the
    intake's next steps read the contacts of a submission's few hundred sites, four queries each
    submission: ``recipients.selectors.contacts_for_many``)."""

    lookup_name = "any"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [str(v) for v in self.rhs]
        return f"{lhs} = ANY(%s::text[])", [*lhs_params, values]


def register() -> None:
    models.IntegerField.register_lookup(AnyOf)
    models.ForeignKey.register_lookup(AnyOf)
    models.CharField.register_lookup(AnyText)
