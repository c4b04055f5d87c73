"""docs/operations.md's backup and restore, done for real: pg_dump, pg_restore into a fresh
database, and every link, event, notice and answer is there (issue 10, 6)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from sentinelle.notices import services as notices
from sentinelle.notices.models import DeliveryAttempt, Notice, NoticeItem, RecipientAnswer
from sentinelle.takedowns.models import LinkEvent, ReportedLink
from tests.notices.helpers import email_platform, make_links, rights

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

# (table, the columns compared row by row)
TABLES = [
    (ReportedLink._meta.db_table, "id, url, status, platform_id"),
    (LinkEvent._meta.db_table, "id, link_id, from_status, to_status, kind, message"),
    (Notice._meta.db_table, "id, status, message_id, recipient_platform_id"),
    (NoticeItem._meta.db_table, "id, notice_id, link_id, url"),
    (DeliveryAttempt._meta.db_table, "id, notice_id, outcome"),
    (RecipientAnswer._meta.db_table, "id, item_id, decision, reason"),
]


def _dsn(name: str | None = None) -> str:
    s = connection.settings_dict
    user, password, host, port = s["USER"], s["PASSWORD"], s["HOST"] or "localhost", s["PORT"] or 5432
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgresql://{auth}{host}:{port}/{name or s['NAME']}"


def _rows(dsn: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(dsn) as conn:
        return {
            table: conn.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()  # noqa: S608 - fixed names
            for table, columns in TABLES
        }


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: install the PostgreSQL client tools (apt-get install postgresql-client)")
    return path


def test_a_dump_restored_into_a_fresh_database_holds_everything(tmp_path: Path) -> None:
    host = email_platform("Host", "host.fr")
    urls = [f"https://host.fr/file/{i}" for i in range(5)]
    make_links(rights(), host, urls)
    notices.build_notices()
    notices.deliver_due()
    notice = Notice.objects.get()
    items = list(notice.items.order_by("position"))
    notices.record_answers(notice, [notices.ItemDecision(item=items[0], decision="refused", reason="Licensed")])
    before = _rows(_dsn())
    assert all(before[table] for table, _ in TABLES), {t: len(r) for t, r in before.items()}

    # The commands of docs/operations.md, "Back up" and "Restore".
    dump = tmp_path / "sentinelle.dump"
    subprocess.run([_tool("pg_dump"), "--format=custom", f"--file={dump}", _dsn()], check=True)
    fresh = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        subprocess.run(
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={_dsn(fresh)}", str(dump)], check=True
        )
        after = _rows(_dsn(fresh))
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    assert after == before
    assert len(after[ReportedLink._meta.db_table]) == 5
