"""What the PDF report says, gathered from the selectors (``report.render`` draws it)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sentinelle.investigations import report, selectors
from sentinelle.investigations.models import Evidence, Site
from sentinelle.investigations.services.damages import recompute


def _when(at: dt.datetime | None) -> str:
    if at is None:
        return "—"
    return date_format(timezone.localtime(at), "Y-m-d H:i") + f" ({at.astimezone(dt.UTC):%H:%M} UTC)"


def report_pdf(site: Site, captures: list[Evidence], export_id: str) -> bytes:
    society = settings.SENTINELLE_SOCIETY
    subtitle = [
        f"{society['name']} — {society['address']}",
        _("Exported on %(at)s, export %(id)s.") % {"at": _when(timezone.now()), "id": export_id},
    ]
    sections = [
        _site_section(site),
        _discovery_section(site),
        _timeline_section(site),
        _works_section(site),
        _notices_section(site),
        _answers_section(site),
        _checks_section(site),
        _evidence_section(captures),
        _damage_section(site),
        report.Section(
            _("Integrity"),
            [
                _(
                    "manifest.json lists every file of the export with its SHA-256 and is signed with the "
                    "society's Ed25519 key; each capture's manifest was signed (and time-stamped when an "
                    "authority was configured) at capture time; custody.jsonl is hash-chained. "
                    "`python -m sentinelle verify_dossier` re-checks all of it and names any altered file."
                )
            ],
        ),
    ]
    return report.render(_("Dossier: %(name)s") % {"name": site.name}, subtitle, sections)


def _site_section(site: Site) -> report.Section:
    rows = [[d.domain, d.get_relation_display(), _when(d.added_at)] for d in site.domains.order_by("added_at", "id")]
    paragraphs = [
        _("Status: %(status)s. Dossier opened on %(at)s by %(who)s.")
        % {"status": site.get_status_display(), "at": _when(site.created_at), "who": site.opened_by.get_full_name()},
    ]
    if site.operator_notes:
        paragraphs.append(_("Notes on its operators: %(notes)s") % {"notes": site.operator_notes})
    return report.Section(_("The site"), paragraphs, [_("domain"), _("relation"), _("added")], rows)


def _discovery_section(site: Site) -> report.Section:
    panel = selectors.recipient_discovery(site)
    rows = [[f["domain"], f["kind"], f["value"], f["source"], f["seen_at"]] for f in panel.findings]
    return report.Section(
        _("Addresses, networks, hosting, CDN, registrar"),
        [] if panel.known else [str(panel.message)],
        [_("domain"), _("kind"), _("value"), _("source"), _("seen")],
        rows,
    )


def _timeline_section(site: Site) -> report.Section:
    items: list[tuple[dt.datetime, str, str]] = []
    links = selectors.links_of_dossier(site)
    first = links.order_by("created_at").values_list("created_at", flat=True).first()
    last = links.order_by("-created_at").values_list("created_at", flat=True).first()
    if first:
        items.append((first, _("first link reported by a member"), ""))
    if last and last != first:
        items.append((last, _("latest link reported by a member"), ""))
    for notice in selectors.notices_of_dossier(site):
        if notice.sent_at:
            items.append((notice.sent_at, _("notice sent"), f"#{notice.pk} {notice.recipient_name}"))
    for answer in selectors.answers_of_dossier(site):
        items.append((answer.received_at, _("answer received"), f"{answer.get_decision_display()}: {answer.item.url}"))
    for event in selectors.custody_of_dossier(site):
        items.append((event.at, event.get_action_display(), f"{event.subject} — {event.actor_label}"))
    items.sort(key=lambda item: item[0])
    rows: list[list[Any]] = [[_when(at), what, detail] for at, what, detail in items]
    return report.Section(
        _("Timeline"), [], [_("when"), _("what"), _("detail")], rows, max(0, len(rows) - report.MAX_ROWS)
    )


def _works_section(site: Site) -> report.Section:
    works = selectors.works_of_dossier(site)
    rows: list[list[Any]] = [
        [w.work.title, w.work.iswc or "—", w.links, ", ".join(w.rights_holders) or "—"] for w in works
    ]
    return report.Section(
        _("Works and rights holders affected"),
        [_("%(n)s works reported on the site's domains.") % {"n": len(works)}],
        [_("work"), _("ISWC"), _("links"), _("rights holders")],
        rows,
        max(0, len(rows) - report.MAX_ROWS),
    )


def _notices_section(site: Site) -> report.Section:
    notices = list(selectors.notices_of_dossier(site))
    rows: list[list[Any]] = [
        [
            f"#{n.pk}",
            n.recipient_name,
            n.get_action_display(),
            n.get_status_display(),
            _when(n.sent_at),
            getattr(n, "item_count", ""),
        ]
        for n in notices
    ]
    return report.Section(
        _("Notices"),
        [_("%(n)s notices about the site's domains.") % {"n": len(notices)}],
        [_("notice"), _("recipient"), _("action"), _("status"), _("delivered"), _("links")],
        rows,
        max(0, len(rows) - report.MAX_ROWS),
    )


def _answers_section(site: Site) -> report.Section:
    answers = list(selectors.answers_of_dossier(site))
    rows: list[list[Any]] = [
        [f"#{a.notice_id}", a.item.url, a.get_decision_display(), a.reason or "—", _when(a.received_at)]
        for a in answers
    ]
    return report.Section(
        _("Answers from recipients"),
        [],
        [_("notice"), _("address"), _("decision"), _("reason"), _("received")],
        rows,
        max(0, len(rows) - report.MAX_ROWS),
    )


def _checks_section(site: Site) -> report.Section:
    checks = list(selectors.checks_of_dossier(site)[: report.MAX_ROWS])
    verdicts = Counter(c.get_verdict_display() for c in selectors.checks_of_dossier(site))
    summary = ", ".join(f"{v}: {n}" for v, n in sorted(verdicts.items())) or _("no check yet")
    rows: list[list[Any]] = [
        [_when(c.checked_at), c.url, c.status_code or "—", c.get_verdict_display(), c.rule] for c in checks
    ]
    return report.Section(
        _("Link checks"), [summary], [_("checked"), _("address"), _("HTTP"), _("verdict"), _("rule")], rows
    )


def _evidence_section(captures: list[Evidence]) -> report.Section:
    rows: list[list[Any]] = []
    for e in captures:
        files = "\n".join(f"{f.name}: {f.sha256}" for f in e.files.all())
        stamp = _when(e.timestamped_at) if e.timestamp_token else (e.timestamp_note or "—")
        rows.append(
            [
                f"{e.pk}\n{e.url}",
                _when(e.captured_at),
                f"HTTP {e.http_status} — {e.peer_address}\n{e.page_title}",
                f"{files}\ncapture.json: {e.manifest_sha256}",
                stamp,
            ]
        )
    return report.Section(
        _("Evidence"),
        [
            _(
                "Each capture: the HTTP exchange as a WARC file, a screenshot when one could be taken, "
                "and a signed manifest."
            )
        ],
        [_("capture"), _("captured (UTC)"), _("answer"), _("SHA-256"), _("time-stamp")],
        rows,
    )


def _damage_section(site: Site) -> report.Section:
    assessment = selectors.latest_assessment(site)
    if assessment is None:
        return report.Section(_("Damage estimate"), [_("No estimate made yet.")])
    estimate = recompute(assessment)
    paragraphs = [
        _("Low: EUR %(low)s — central: EUR %(central)s — high: EUR %(high)s.")
        % {"low": f"{estimate.low:,.2f}", "central": f"{estimate.central:,.2f}", "high": f"{estimate.high:,.2f}"},
        *estimate.arithmetic,
        _(
            "Method: docs/damages.md (lawful units displaced x value of a lawful unit, "
            "with published substitution rates)."
        ),
    ]
    rows: list[list[Any]] = [[name, item["value"], item["source"]] for name, item in assessment.inputs.items()]
    return report.Section(_("Damage estimate"), paragraphs, [_("input"), _("value"), _("source")], rows)
