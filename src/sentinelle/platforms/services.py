"""Writes to the platform registry: loading the shipped seed without trampling staff's edits.

The seed is merged three ways. Each seeded platform remembers, in ``seed_state``, the values
the seed last wrote. On a re-seed a field is updated only if staff have not changed it since
(its value still equals what the seed last wrote); otherwise staff's value stays. The same holds
for domains: a seeded domain that staff deleted or moved to another platform is not put back.
``force=True`` makes the seed win everywhere. Platforms are never deleted by the seed; a
platform staff deleted comes back on the next seed (deactivate it instead: ``is_active``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sentinelle.platforms.models import (
    NoticeChannel,
    Platform,
    PlatformDomain,
    PlatformKind,
    platform_slug,
)
from sentinelle.platforms.selectors import invalidate_registry
from sentinelle.platforms.validators import (
    normalise_domain,
    normalise_path_prefix,
    regime_for_jurisdiction,
    validate_country_code,
    validate_language_code,
)

SEED_FILE = Path(__file__).resolve().parent / "seed" / "platforms_seed.json"

# Fields the seed sets, in the form stored in ``seed_state``.
SEEDED_FIELDS = (
    "name",
    "kind",
    "licensed",
    "licence_note",
    "jurisdiction",
    "regime",
    "notice_language",
    "notice_channel",
    "contact_email",
    "contact_url",
    "removal_markers",
    "notes",
    "hosting_provider",
)

# Seeded fields added after rows were first seeded: a seed state without one held this value.
FIELDS_ADDED_LATER: dict[str, Any] = {"licence_note": ""}


class SeedError(Exception):
    """The seed file cannot be read or is not a seed."""


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    domains_created: int = 0
    domains_deleted: int = 0
    kept_edits: list[str] = field(default_factory=list)  # "platform: field" kept as staff set it
    skipped_domains: list[str] = field(default_factory=list)  # seeded domains staff removed or moved
    errors: list[str] = field(default_factory=list)  # invalid seed entries, not loaded

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.domains_created or self.domains_deleted)


@dataclass
class _Entry:
    key: str  # the name in the seed: how a seeded row is recognised after staff rename it
    values: dict[str, Any]  # SEEDED_FIELDS, hosting_provider as a seed name
    domains: list[tuple[str, str]]  # (domain, path_prefix or "")


def load_seed_file(path: Path | None = None) -> dict[str, Any]:
    path = path or SEED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"cannot read the seed file {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("platforms"), list):
        raise SeedError(f"{path} is not a platform seed: no 'platforms' list")
    return data


def _parse_domains(items: Iterable[Any]) -> list[tuple[str, str]]:
    """``"host"`` or ``["host", "/path-prefix"]`` items, normalised."""
    domains = []
    for item in items:
        host, prefix = (item, None) if isinstance(item, str) else (item[0], item[1])
        domains.append((normalise_domain(host), normalise_path_prefix(prefix)))
    return domains


def _parse_entry(raw: dict[str, Any]) -> _Entry:
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ValidationError("an entry has no name")
    kind = raw.get("kind", PlatformKind.OTHER)
    if kind not in PlatformKind.values:
        raise ValidationError(f"{name}: unknown kind {kind!r}")
    channel = raw.get("notice_channel", NoticeChannel.EMAIL)
    if channel not in NoticeChannel.values:
        raise ValidationError(f"{name}: unknown notice channel {channel!r}")
    jurisdiction = str(raw.get("jurisdiction") or "").upper()
    validate_country_code(jurisdiction)
    language = str(raw.get("notice_language") or "en")
    validate_language_code(language)
    markers = raw.get("removal_markers") or []
    domains = _parse_domains(raw.get("domains") or [])
    values = {
        "name": name,
        "kind": kind,
        "licensed": bool(raw.get("licensed", False)),
        "licence_note": str(raw.get("licence_note") or ""),
        "jurisdiction": jurisdiction,
        "regime": regime_for_jurisdiction(jurisdiction),
        "notice_language": language,
        "notice_channel": channel,
        "contact_email": str(raw.get("contact_email") or ""),
        "contact_url": str(raw.get("contact_url") or ""),
        "removal_markers": "\n".join(markers) if isinstance(markers, list) else str(markers),
        "notes": str(raw.get("notes") or ""),
        "hosting_provider": raw.get("hosting_provider") or None,
    }
    return _Entry(key=name, values=values, domains=domains)


def _current(platform: Platform, field_name: str, names_by_id: dict[int, str]) -> Any:
    if field_name == "hosting_provider":
        return names_by_id.get(platform.hosting_provider_id) if platform.hosting_provider_id else None
    return getattr(platform, field_name)


def _state(entry: _Entry) -> dict[str, Any]:
    return {"key": entry.key, **entry.values, "domains": [list(d) for d in entry.domains]}


@transaction.atomic
def seed_platforms(entries: Iterable[dict[str, Any]], *, force: bool = False) -> SeedReport:
    """Create or update the registry from seed entries (see the module docstring).

    One function per pass: parse the entries, match each to a platform or create it, then merge
    each platform's fields and domains three ways.
    """
    report = SeedReport()
    parsed = _parse_entries(entries, report)
    seeding = _Seeding.load(report, force)
    rows = seeding.match_or_create(parsed)
    seeding.seed_ids = {entry.key: platform.pk for entry, platform, _new in rows}
    seeding.names_by_id = dict(Platform.objects.values_list("pk", "name"))
    for entry, platform, is_new in rows:
        seeding.merge(entry, platform, is_new)
    if seeding.pending_domains:
        PlatformDomain.objects.bulk_create(seeding.pending_domains, batch_size=1000)
        report.domains_created = len(seeding.pending_domains)
    invalidate_registry()
    transaction.on_commit(invalidate_registry)
    return report


def _parse_entries(entries: Iterable[dict[str, Any]], report: SeedReport) -> list[_Entry]:
    """Pass 0: the valid entries, each name once; the others are reported as errors."""
    parsed: list[_Entry] = []
    seen: set[str] = set()
    for raw in entries:
        try:
            entry = _parse_entry(raw)
        except ValidationError as exc:
            report.errors.append("; ".join(exc.messages))
            continue
        if entry.key.lower() in seen:
            report.errors.append(f"{entry.key}: listed twice in the seed")
            continue
        seen.add(entry.key.lower())
        parsed.append(entry)
    return parsed


def _unique_slug(name: str, taken: set[str]) -> str:
    slug = base = platform_slug(name) or "platform"
    n = 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


@dataclass
class _Seeding:
    """The registry as the seed finds it, and what the passes learn on the way."""

    report: SeedReport
    force: bool
    by_seed_key: dict[str, Platform]
    by_name: dict[str, Platform]
    domain_rows: dict[tuple[str, str], PlatformDomain]
    taken_slugs: set[str]
    seed_ids: dict[str, int] = field(default_factory=dict)
    names_by_id: dict[int, str] = field(default_factory=dict)
    pending_domains: list[PlatformDomain] = field(default_factory=list)

    @classmethod
    def load(cls, report: SeedReport, force: bool) -> _Seeding:
        platforms = list(Platform.objects.select_for_update().all())
        return cls(
            report=report,
            force=force,
            by_seed_key={p.seed_state["key"]: p for p in platforms if p.seed_state and "key" in p.seed_state},
            by_name={p.name.lower(): p for p in platforms},
            domain_rows={(d.domain, d.path_prefix): d for d in PlatformDomain.objects.all()},
            taken_slugs={p.slug for p in platforms},
        )

    # Pass 1: match every entry to a platform, or create it.

    def _match(self, entry: _Entry) -> Platform | None:
        platform = self.by_seed_key.get(entry.key) or self.by_name.get(entry.key.lower())
        if platform is None:
            platform = next((self.domain_rows[d].platform for d in entry.domains if d in self.domain_rows), None)
        return platform

    def match_or_create(self, parsed: list[_Entry]) -> list[tuple[_Entry, Platform, bool]]:
        """(entry, platform, created) for every entry that matched one platform or made one."""
        matched: list[tuple[_Entry, Platform]] = []
        new_rows: list[tuple[_Entry, Platform]] = []
        used: set[int] = set()
        for entry in parsed:
            platform = self._match(entry)
            if platform is None:
                values = {k: v for k, v in entry.values.items() if k != "hosting_provider"}
                slug = _unique_slug(entry.key, self.taken_slugs)
                new_rows.append((entry, Platform(slug=slug, seed_state=_state(entry), **values)))
            elif platform.pk in used:
                self.report.errors.append(f"{entry.key}: matches {platform.name}, already matched by another entry")
            else:
                used.add(platform.pk)
                matched.append((entry, platform))
        if new_rows:
            Platform.objects.bulk_create([p for _, p in new_rows], batch_size=500)
            self.report.created = len(new_rows)
            # Primary keys: bulk_create sets them on PostgreSQL and SQLite, not on every backend.
            fresh = {p.name: p for p in Platform.objects.filter(name__in=[e.values["name"] for e, _ in new_rows])}
            new_rows = [(e, fresh[p.name]) for e, p in new_rows]
        return [(e, p, True) for e, p in new_rows] + [(e, p, False) for e, p in matched]

    # Pass 2: scalar fields, hosting providers and domains, merged three ways.

    def merge(self, entry: _Entry, platform: Platform, is_new: bool) -> None:
        state = None if is_new else platform.seed_state
        changed_fields = self._merge_fields(entry, platform, state, is_new)
        previous = {(d, p) for d, p in (state or {}).get("domains", [])}
        domains_changed = self._add_domains(entry, platform, previous)
        domains_changed = self._drop_domains(entry, platform, previous) or domains_changed
        new_state = _state(entry)
        if changed_fields or platform.seed_state != new_state:
            platform.seed_state = new_state
            platform.save(update_fields=[*changed_fields, "seed_state", "updated"])
        if not is_new:
            if changed_fields or domains_changed:
                self.report.updated += 1
            else:
                self.report.unchanged += 1

    def _merge_fields(self, entry: _Entry, platform: Platform, state: dict[str, Any] | None, is_new: bool) -> list[str]:
        """Set the seeded fields staff have not edited since the last seed; the names set."""
        changed: list[str] = []
        for field_name in SEEDED_FIELDS:
            wanted = entry.values[field_name]
            current = _current(platform, field_name, self.names_by_id)
            if current == wanted:
                continue
            seeded = state.get(field_name, FIELDS_ADDED_LATER.get(field_name)) if state is not None else None
            edited_by_staff = not is_new and not (state is not None and seeded == current)
            if edited_by_staff and not self.force:
                self.report.kept_edits.append(f"{platform.name}: {field_name}")
                continue
            if field_name == "hosting_provider":
                provider_id = self.seed_ids.get(wanted) if wanted else None
                if wanted and provider_id is None:
                    self.report.errors.append(f"{entry.key}: unknown hosting provider {wanted!r}")
                    continue
                platform.hosting_provider_id = provider_id
            else:
                setattr(platform, field_name, wanted)
            changed.append(field_name)
        return changed

    def _add_domains(self, entry: _Entry, platform: Platform, previous: set[tuple[str, str]]) -> bool:
        """Add the entry's domains, unless staff removed them or gave them to another platform."""
        changed = False
        for key in entry.domains:
            row = self.domain_rows.get(key)
            if row is not None and row.platform_id == platform.pk:
                continue
            if row is not None:
                if self.force and row.pk is not None:
                    row.platform_id = platform.pk
                    row.save(update_fields=["platform"])
                    changed = True
                else:
                    owner = self.names_by_id.get(row.platform_id, "?")
                    self.report.skipped_domains.append(f"{platform.name}: {key[0]}{key[1]} belongs to {owner}")
                continue
            if key in previous and not self.force:
                self.report.skipped_domains.append(f"{platform.name}: {key[0]}{key[1]} was removed by staff")
                continue
            row = PlatformDomain(platform_id=platform.pk, domain=key[0], path_prefix=key[1])
            self.domain_rows[key] = row
            self.pending_domains.append(row)
            changed = True
        return changed

    def _drop_domains(self, entry: _Entry, platform: Platform, previous: set[tuple[str, str]]) -> bool:
        """Delete the domains the seed gave this platform before and no longer lists."""
        changed = False
        for key in previous - set(entry.domains):
            row = self.domain_rows.get(key)
            if row is not None and row.pk is not None and row.platform_id == platform.pk:
                row.delete()
                del self.domain_rows[key]
                self.report.domains_deleted += 1
                changed = True
        return changed


def set_licensed(platforms: Iterable[Platform], licensed: bool) -> int:
    """Mark platforms licensed or not (admin action); returns how many changed."""
    changed = 0
    for platform in platforms:
        if platform.licensed != licensed:
            platform.licensed = licensed
            platform.save(update_fields=["licensed", "updated"])
            changed += 1
    return changed


def set_active(platforms: Iterable[Platform], active: bool) -> int:
    """Activate or deactivate platforms (admin action); returns how many changed.

    Deactivation is how a platform leaves the registry once it has links or notices: they keep
    naming it (the foreign keys are PROTECT), and links to its domains are no longer matched to it.
    """
    changed = 0
    for platform in platforms:
        if platform.is_active != active:
            platform.is_active = active
            platform.save(update_fields=["is_active", "updated"])
            changed += 1
    return changed
