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
    """``field__any=ids``: ``field = ANY(%s::bigint[])`` on PostgreSQL."""

    lookup_name = "any"
    array_type = "bigint"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{self.array_type}[])", [*lhs_params, [self.element(v) for v in self.rhs]]

    @staticmethod
    def element(value: Any) -> Any:
        return int(value)


class AnyText(AnyOf):
    """``field__any=texts`` for a text field: ``field = ANY(%s::text[])`` on PostgreSQL (the
    intake's next steps read the contacts of a submission's few hundred sites, four queries each
    submission: ``recipients.selectors.contacts_for_many``)."""

    array_type = "text"

    @staticmethod
    def element(value: Any) -> Any:
        return str(value)


def register() -> None:
    models.IntegerField.register_lookup(AnyOf)
    models.ForeignKey.register_lookup(AnyOf)
    models.CharField.register_lookup(AnyText)
