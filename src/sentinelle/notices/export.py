"""What staff download or the service posts elsewhere: Google's bulk file, and Lumen's notice document.

**Google's bulk file** (docs/notices.md, "Google's bulk file") is one block per work: ``#`` lines
describing the work (its title and ISWC, the copyright owners represented), then the URL of an
authorised example of the work, then that work's infringing URLs, one a line; a blank line ends
the block. Every label is in the notice's language; nothing in it asks for an e-mail reply.
A work without an authorised example cannot be written in this layout: the file is refused
with the works to complete (``BulkFileIncomplete``), and staff see them on the notice's page.

**Lumen** (https://lumendatabase.org) takes one notice per ``POST /notices``: ``lumen_notice``
is that document for one notice — one principal per represented rights holder, no personal data
in its body, the society's address in its fields, the recipient's designated address, and
``date_sent`` only for a notice that was sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from sentinelle.notices.legal import STATEMENTS, reference, single_line

if TYPE_CHECKING:
    from sentinelle.notices.models import Notice


@dataclass
class WorkBlock:
    """One work of a notice and its infringing URLs, in the notice's order."""

    title: str
    iswc: str
    holders: list[dict[str, Any]]
    example_url: str
    urls: list[str] = field(default_factory=list)


def work_blocks(notice: Notice) -> list[WorkBlock]:
    """The notice's items grouped by work (first appearance first), with the catalogue's example URL."""
    blocks: dict[tuple[str, str], WorkBlock] = {}
    for item in notice.items.select_related("link__work").order_by("position"):
        key = (item.work_title, item.work_iswc)
        block = blocks.get(key)
        if block is None:
            example = item.link.work.authorised_example_url if item.link.work_id else ""
            block = blocks[key] = WorkBlock(item.work_title, item.work_iswc, [], example)
        for holder in item.rights_holders:
            if holder.get("name") and all(h.get("name") != holder["name"] for h in block.holders):
                block.holders.append(holder)
        block.urls.append(item.url)
    return list(blocks.values())


class BulkFileIncomplete(Exception):
    """Works of the notice lack the authorised example Google's bulk layout requires."""

    def __init__(self, titles: list[str]) -> None:
        super().__init__(", ".join(titles))
        self.titles = titles


def missing_examples(notice: Notice) -> list[str]:
    return [block.title for block in work_blocks(notice) if not block.example_url]


def _holders_line(holders: Iterable[dict[str, Any]]) -> str:
    return ", ".join(h["name"] for h in holders if h.get("name"))


def bulk_file_text(notice: Notice) -> str:
    """Google's bulk layout: per work, ``#`` description lines, the authorised example, the infringing URLs.

    Every description line is one line (``single_line``): no title or name can start a line that
    would be read as a URL.
    """
    blocks = work_blocks(notice)
    missing = [block.title for block in blocks if not block.example_url]
    if missing:
        raise BulkFileIncomplete(missing)
    lines: list[str] = []
    with translation.override(notice.language):
        for block in blocks:
            iswc = _(" (ISWC %(iswc)s)") % {"iswc": block.iswc} if block.iswc else ""
            lines.append(
                single_line(_("# Work: %(title)s%(iswc)s, musical work") % {"title": block.title, "iswc": iswc}, 2000)
            )
            lines.append(
                single_line(
                    _("# Copyright owners represented: %(owners)s") % {"owners": _holders_line(block.holders)}, 4000
                )
            )
            lines.append(
                single_line(
                    _("# Notified by %(society)s on their behalf, reference %(reference)s")
                    % {"society": (notice.sender or {}).get("name", ""), "reference": reference(notice)},
                    2000,
                )
            )
            lines.append(single_line(block.example_url, 8192))
            lines.extend(single_line(url, 8192) for url in block.urls)
            lines.append("")
    return "\n".join(lines)


# --- Lumen ----------------------------------------------------------------------------------------

_SOURCES = {"email": "Email", "https": "Online Form", "bulk_file": "Bulk Submission", "web_form": "Online Form"}
# The statements that explain the notice without naming anyone: Lumen publishes the body.
_BODY_STATEMENTS = ("mandate", "represented", "illegality", "good_faith", "accuracy")


def lumen_body(notice: Notice) -> str:
    """The notice's legal explanation, and nothing personal: no address, telephone or signature."""
    statements = STATEMENTS.get(notice.regime, {}).get(notice.language, {})
    request = statements.get("request_delist" if notice.action == "delist" else "request_remove", "")
    parts = [statements[key] for key in _BODY_STATEMENTS if statements.get(key)]
    return "\n\n".join([*parts, request]).strip()


def _principal(holder: dict[str, Any]) -> dict[str, Any]:
    # Writers are people; publishers and societies are organisations (Lumen's entity kinds).
    kind = "individual" if holder.get("kind") == "writer" else "organization"
    return {"name": "principal", "entity_attributes": {"name": single_line(holder["name"], 250), "kind": kind}}


def _sender(notice: Notice) -> dict[str, Any]:
    sender = notice.sender or {}
    attributes = {
        "name": single_line(sender.get("name", ""), 250),
        "kind": "organization",
        "address_line_1": single_line(sender.get("street", "")),
        "city": single_line(sender.get("city", "")),
        "zip": single_line(sender.get("postcode", "")),
        "country_code": single_line(sender.get("country", "")).upper(),
        "email": single_line(sender.get("email", "")),
    }
    return {"name": "sender", "entity_attributes": {k: v for k, v in attributes.items() if v}}


def _recipient(notice: Notice) -> dict[str, Any]:
    platform = notice.recipient_platform
    attributes = {
        "name": single_line(notice.recipient_name, 250),
        "kind": "organization",
        # The address the notice was (or is to be) sent to, as the recipient designates it.
        "email": single_line(notice.recipient_email),
        "url": single_line(notice.recipient_endpoint or (platform.contact_url if platform else ""), 500),
        "country_code": single_line(platform.jurisdiction if platform else "").upper(),
    }
    return {"name": "recipient", "entity_attributes": {k: v for k, v in attributes.items() if v}}


def lumen_notice(notice: Notice) -> dict[str, Any]:
    """The notice as one document for Lumen's ``POST /notices`` (type DMCA: Lumen's copyright type)."""
    works = []
    principals: dict[str, dict[str, Any]] = {}
    for block in work_blocks(notice):
        iswc = f" (ISWC {block.iswc})" if block.iswc else ""
        works.append(
            {
                "description": single_line(f"{block.title}{iswc}, musical work", 2000),
                "kind": "music",
                "infringing_urls_attributes": [{"url": url} for url in block.urls],
                "copyrighted_urls_attributes": [{"url": block.example_url}] if block.example_url else [],
            }
        )
        for holder in block.holders:
            principals.setdefault(holder["name"], _principal(holder))
    document: dict[str, Any] = {
        "title": single_line(notice.subject, 250),
        "type": "DMCA",
        "subject": single_line(notice.subject, 250),
        "source": _SOURCES.get(notice.channel, "Other"),
        "jurisdiction_list": "US" if notice.regime == "us" else "EU, FR",
        "language": notice.language,
        "action_taken": "Unspecified",
        "body": lumen_body(notice),
        "works_attributes": works,
        "entity_notice_roles_attributes": [_sender(notice), *principals.values(), _recipient(notice)],
    }
    if notice.sent_at is not None:
        document["date_sent"] = notice.sent_at.date().isoformat()
    return {"notice": document}


def lumen_json_lines(notices: Iterable[Notice]) -> str:
    """One Lumen document per line (JSON Lines), for staff to post by hand when no token is set."""
    return "".join(json.dumps(lumen_notice(n), ensure_ascii=False, sort_keys=True) + "\n" for n in notices)
