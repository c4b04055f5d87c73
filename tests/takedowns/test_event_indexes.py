"""The events' indexes as the migrations leave them, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from sentinelle.members.models import User
from sentinelle.takedowns.models import LinkEvent

pytestmark = pytest.mark.django_db


def _constraints() -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, LinkEvent._meta.db_table)


def test_the_actor_is_indexed_only_where_set_and_still_a_foreign_key():
    constraints = _constraints()
    on_actor = {name: c for name, c in constraints.items() if c["columns"] == ["actor_id"]}
    indexes = {name for name, c in on_actor.items() if c["index"] and not c["primary_key"]}
    assert indexes == {"linkevent_actor"}  # the field's own full index is gone
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'linkevent_actor'")
            assert "WHERE (actor_id IS NOT NULL)" in cursor.fetchone()[0]
    assert any(c["foreign_key"] == (User._meta.db_table, "id") for c in on_actor.values())
