"""Platforms already licensed: marked licensed on the day of their last change (the best date known)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    platform_model = apps.get_model("platforms", "Platform")
    rows = list(platform_model.objects.filter(licensed=True, licensed_since__isnull=True))
    for platform in rows:
        platform.licensed_since = platform.updated.date()
    platform_model.objects.bulk_update(rows, ["licensed_since"])


class Migration(migrations.Migration):
    dependencies = [
        ("platforms", "0002_licence_note"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
