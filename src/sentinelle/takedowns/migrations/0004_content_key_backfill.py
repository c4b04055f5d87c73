"""Existing links get the keys linkkit gives today, and cite the address the member gave.

Links stored before content keys (linkkit/identity.py) carry an identity key of the URL's shape:
``twitter.com/a/status/1`` and ``x.com/b/status/1`` were two links. Each row's keys are computed
again from its canonical URL: identity key, file key, content key and, for a torrent page, the
info-hash. A link whose cited URL had been moved to another host (``ul.to/…`` stored as
``uploaded.net/file/…``) cites again the URL found in what the member pasted, when that URL names
the same content (the line's text is kept in ``submitted_url``); a link taken from a search
result or a redirector keeps its target. A URL linkkit no longer accepts keeps its row as it was.
Notices already built keep their own copy of each URL (``NoticeItem.url``) and are not touched.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from sentinelle import linkkit

FIELDS = ("url", "host", "registrable_domain", "identity_key", "file_key", "content_key", "info_hash")


def _cited(stored: linkkit.CanonicalURL, submitted: str, unwrapped: bool) -> linkkit.CanonicalURL:
    """The URL the member pasted when it names the same link as ``stored``, else ``stored``."""
    if unwrapped or not submitted:
        return stored
    for candidate in linkkit.extract_urls(submitted[:8192]):
        try:
            pasted = linkkit.canonicalise(candidate)
        except linkkit.LinkError:
            continue
        if pasted.identity_key == stored.identity_key:
            return pasted
    return stored


def keys_of(url: str, submitted: str, unwrapped: bool) -> dict[str, str] | None:
    """The stored fields of a link as linkkit makes them today, or None when ``url`` is refused."""
    try:
        canonical = _cited(linkkit.canonicalise(url), submitted, unwrapped)
    except linkkit.LinkError:
        return None
    content = (canonical.content_key or "")[:512]
    return {
        "url": canonical.url,
        "host": canonical.host[:255],
        "registrable_domain": canonical.registrable_domain[:255],
        "identity_key": canonical.identity_key[:2048],
        "file_key": (canonical.file_key or "")[:512],
        "content_key": content,
        "info_hash": linkkit.info_hash_of(content) or "",
    }


def backfill(apps: Any, schema_editor: Any) -> None:
    link_model = apps.get_model("takedowns", "ReportedLink")
    changed: list[Any] = []
    rows = link_model.objects.only("pk", "submitted_url", "unwrapped_from", *FIELDS).order_by("pk")
    for link in rows.iterator(chunk_size=2000):
        keys = keys_of(link.url, link.submitted_url, bool(link.unwrapped_from))
        if keys is None or all(getattr(link, name) == value for name, value in keys.items()):
            continue
        for name, value in keys.items():
            setattr(link, name, value)
        changed.append(link)
        if len(changed) >= 1000:
            link_model.objects.bulk_update(changed, FIELDS)
            changed = []
    if changed:
        link_model.objects.bulk_update(changed, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("takedowns", "0003_content_key"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
