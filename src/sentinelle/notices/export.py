"""Files staff download: Google's Trusted Copyright Removal Program bulk file, and Lumen's JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinelle.notices.legal import reference, single_line

if TYPE_CHECKING:
    from sentinelle.notices.models import Notice


def bulk_file_text(notice: Notice) -> str:
    """TCRP text: ``#`` description lines (the works, the rights holders, the reference), then URLs.

    Every description line is one line: no field can start a line that would be read as a URL.
    """
    sender = notice.sender or {}
    lines = [
        f"# {single_line(sender.get('name', ''))} — reference {reference(notice)}",
        f"# Notice #{notice.pk} dated {notice.dated.isoformat()} — {notice.get_action_display()}",
    ]
    seen: set[tuple[str, str]] = set()
    items = list(notice.items.order_by("position"))
    for item in items:
        key = (item.work_title, item.work_iswc)
        if key in seen:
            continue
        seen.add(key)
        holders = ", ".join(h.get("name", "") for h in item.rights_holders)
        iswc = f" (ISWC {item.work_iswc})" if item.work_iswc else ""
        lines.append(single_line(f"# Work: {item.work_title}{iswc} — rights holders: {holders}", 2000))
    lines.extend(single_line(item.url, 8192) for item in items)
    return "\n".join(lines) + "\n"


def lumen_notice(notice: Notice) -> dict[str, Any]:
    """The notice in the shape of Lumen's notice API (``POST /notices``, type DMCA)."""
    sender = notice.sender or {}
    items = list(notice.items.order_by("position"))
    works: dict[tuple[str, str], dict[str, Any]] = {}
    principals: dict[str, None] = {}
    for item in items:
        key = (item.work_title, item.work_iswc)
        work = works.setdefault(
            key,
            {
                "description": single_line(
                    f"{item.work_title}"
                    + (f" (ISWC {item.work_iswc})" if item.work_iswc else "")
                    + " — musical work; rights holders: "
                    + ", ".join(h.get("name", "") for h in item.rights_holders),
                    2000,
                ),
                "kind": "music",
                "infringing_urls_attributes": [],
                "copyrighted_urls_attributes": [],
            },
        )
        work["infringing_urls_attributes"].append({"url": item.url})
        for holder in item.rights_holders:
            if holder.get("name"):
                principals.setdefault(holder["name"], None)
    principal_name = "; ".join(principals) or sender.get("name", "")
    return {
        "notice": {
            "title": single_line(notice.subject, 250),
            "type": "DMCA",
            "subject": single_line(notice.subject, 250),
            "date_sent": notice.sent_at.date().isoformat() if notice.sent_at else notice.dated.isoformat(),
            "date_received": notice.sent_at.date().isoformat() if notice.sent_at else None,
            "source": {"email": "Email", "https": "Online Form", "bulk_file": "Bulk Submission"}.get(
                notice.channel, "Other"
            ),
            "jurisdiction_list": "US" if notice.regime == "us" else "EU, FR",
            "language": notice.language,
            "action_taken": "",
            "body": notice.body,
            "works_attributes": list(works.values()),
            "entity_notice_roles_attributes": [
                {
                    "name": "sender",
                    "entity_attributes": {
                        "name": sender.get("name", ""),
                        "kind": "organization",
                        "address_line_1": sender.get("address", ""),
                        "email": sender.get("email", ""),
                        "phone": sender.get("phone", ""),
                        "country_code": "FR",
                    },
                },
                {"name": "principal", "entity_attributes": {"name": principal_name, "kind": "individual"}},
                {
                    "name": "recipient",
                    "entity_attributes": {
                        "name": notice.recipient_name,
                        "kind": "organization",
                        "url": f"https://{notice.recipient_domain}/" if notice.recipient_domain else "",
                    },
                },
            ],
        }
    }
