"""Numbered torrent pages read after intake: the info-hash each shows, and what it means.

A torrent index's numbered page (``1337x.to/torrent/<n>/<slug>``,
``thepiratebay.org/description.php?id=<n>``, ``nyaa.si/view/<n>``) carries no info-hash in its
address (``linkkit.shows_its_hash_only_on_the_page``), so two pages of one torrent on one index
would be two links. After intake, ``read_torrent_pages`` reads each such page through the safe
fetcher (``takedowns/resolve.py``) and records the hash it shows on the link
(``links.record_page_hash``); the notice builder waits for that (first notice only). Then, on
the same site, for the same work and action:

* an active report of the same torrent under another page: this link is its duplicate, refused
  as "already reported", and its quota unit is given back;
* a report of the same torrent that ended removed or delisted: the torrent is back under a new
  page; the earlier link is marked reappeared and this one goes on outside the quota;
* otherwise the link goes on with its hash. A page that shows no hash, or several (a list), or
  that cannot be fetched, goes on too, the reason in its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from sentinelle import linkkit
from sentinelle.takedowns import resolve
from sentinelle.takedowns.models import ACTIVE_STATUSES, LinkStatus, ReportedLink
from sentinelle.takedowns.services.links import (
    SEEN_BY_MEMBER,
    find_same_torrent,
    give_back_quota,
    mark_duplicate,
    mark_reappeared,
    record_page_hash,
)


@dataclass
class PagesSummary:
    read: int = 0
    hashes: int = 0
    duplicates: int = 0
    reappeared: int = 0
    unread: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "hashes": self.hashes,
            "duplicates": self.duplicates,
            "reappeared": self.reappeared,
            "unread": self.unread,
        }


def pending_torrent_pages(link_ids: list[int] | None = None, limit: int = 200) -> list[ReportedLink]:
    rows = ReportedLink.objects.filter(
        content_key__contains=linkkit.NUMBERED_TORRENT_KEY,
        info_hash="",
        page_read_at__isnull=True,
        status=LinkStatus.ACCEPTED,
    )
    if link_ids is not None:
        rows = rows.filter(pk__in=link_ids)
    return list(rows.order_by("pk")[:limit])


def read_torrent_pages(link_ids: list[int] | None = None, *, limit: int = 200) -> PagesSummary:
    """Read every pending torrent page (those of ``link_ids``, or the oldest ``limit``); one
    address is fetched once."""
    summary = PagesSummary()
    pages: dict[str, resolve.PageRead] = {}
    for link in pending_torrent_pages(link_ids, limit):
        if link.url not in pages:
            pages[link.url] = resolve.read_torrent_page(link.url)
        _apply(link, pages[link.url], summary)
    return summary


def _apply(link: ReportedLink, page: resolve.PageRead, summary: PagesSummary) -> None:
    summary.read += 1
    if not page.info_hash:
        summary.unread += 1
        message = gettext_noop("The torrent's info-hash could not be read on its page (%(why)s).")
        record_page_hash(link, info_hash="", message=message, params={"why": page.error}, data={"error": page.error})
        return
    summary.hashes += 1
    found = page.info_hash
    same = find_same_torrent(link, found)
    params: dict[str, object] = {"hash": found, "site": link.registrable_domain}
    if same is not None and same.status in (LinkStatus.REMOVED, LinkStatus.DELISTED):
        summary.reappeared += 1
        message = gettext_noop(
            "The page shows the torrent %(hash)s, taken down on %(site)s before and back under a new page: "
            "it is followed again, outside your daily limit."
        )
        record_page_hash(link, info_hash=found, message=message, params=params, data={"reappearance_of": same.pk})
        mark_reappeared(same, link, seen_by=SEEN_BY_MEMBER, data={"info_hash": found})
        give_back_quota(link)
        return
    record_page_hash(link, info_hash=found, message=gettext_noop("The page shows the torrent %(hash)s."), params=params)
    if same is not None and same.status in ACTIVE_STATUSES:
        summary.duplicates += 1
        _duplicate(link, same, {**params, "id": same.pk})


def _duplicate(link: ReportedLink, same: ReportedLink, params: dict[str, object]) -> None:
    if same.member_id == link.member_id:
        message = gettext_noop(
            "This page shows the torrent %(hash)s, which you already reported on %(site)s as link #%(id)d; "
            "it is handled there and this link does not count against your daily limit."
        )
        mark_duplicate(link, same, message=message, params=params)
    else:  # a co-writer's report: a member never sees another's links
        message = gettext_noop(
            "This page shows the torrent %(hash)s, which another rights holder of this work already "
            "reported on %(site)s; it is being handled."
        )
        mark_duplicate(link, None, message=message, params={"hash": params["hash"], "site": params["site"]})
