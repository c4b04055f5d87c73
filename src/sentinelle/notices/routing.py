"""Who receives a link's notice, and through which channel: the routing rules in one place (issue 12).

- **A file host, video, audio or social platform** (the registry says so) gets the notice itself: at
  the contact staff set for its domain, else the registry's channel, else the contact discovery found
  on its own site; failing all three, its hosting provider (or the CDN in front of it) gets a
  hosting-provider notice.
- **A link site, a torrent index, or a site the registry does not know** gets the notice at its own
  address when one is known, *and* its hosting provider (or CDN) gets a hosting-provider notice:
  DSA art. 16 binds hosting services, and a pirate site's own address is rarely the one that acts.
- **Search engines** get the delisting notices (each through the registry's channel).
- **Escalation (level 2)** goes to the hosting provider: the registry's, else the one discovery found.
- **Escalation (level 3)** goes to the domain's registrar: staff's registrar contact, else the abuse
  contact discovery found in the domain's RDAP (``Purpose.ESCALATION``); never a first notice.

A staff contact (``recipients.ContactOverride``) wins over the registry and over discovery. When no
route has a contact, the link gets one *held* route (``hold = "no_contact"``) to the site itself: its
draft waits, the link is parked, and discovery is asked to look (``notices.services.held``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from sentinelle.notices.models import Channel
from sentinelle.platforms.models import NoticeChannel, Platform, PlatformKind
from sentinelle.recipients.selectors import (
    Purpose,
    RecipientContact,
    contacts_by_purpose,
    contacts_for,
    contacts_for_many,
)
from sentinelle.takedowns.models import LEVEL_HOSTING, LEVEL_REGISTRAR

# Platforms that act on their own content: the notice goes to them.
SELF_KINDS = frozenset(
    {
        PlatformKind.FILE_HOST,
        PlatformKind.VIDEO_PLATFORM,
        PlatformKind.SOCIAL_NETWORK,
        PlatformKind.AUDIO_STREAMING,
        PlatformKind.URL_SHORTENER,
        PlatformKind.SEARCH_ENGINE,
        PlatformKind.OTHER,
    }
)
_CONTACT_CHANNEL = {"email": Channel.EMAIL, "web_form": Channel.WEB_FORM, "https": Channel.HTTPS}


class Role:
    PLATFORM = "platform"  # a platform of the registry, at its own address
    SITE = "site"  # a site the registry does not know (or a link site), at its own address
    HOSTING = "hosting"  # the hosting provider of the site: a hosting-provider notice
    CDN = "cdn"  # the CDN in front of it: a hosting-provider notice asking it to forward to the origin
    SEARCH_ENGINE = "search_engine"
    REGISTRAR = "registrar"  # the registrar of the domain: the last notice of the escalation


ROLE_LABELS = {
    Role.PLATFORM: gettext_noop("the platform"),
    Role.SITE: gettext_noop("the site"),
    Role.HOSTING: gettext_noop("its hosting provider"),
    Role.CDN: gettext_noop("its CDN (to forward to the origin host)"),
    Role.SEARCH_ENGINE: gettext_noop("the search engine"),
    Role.REGISTRAR: gettext_noop("its registrar"),
}


@dataclass(frozen=True)
class Route:
    """One recipient of a link's notice: who, how, and where its contact comes from."""

    key: str  # the recipient key: p:<platform id>, d:<domain> (the site), h:<domain> (its host), r:<domain> (registrar)
    name: str
    domain: str
    platform: Platform | None
    role: str
    channel: str
    email: str = ""
    endpoint: str = ""
    source: str = ""  # "registry", "staff" or a recipients.Source (security_txt, rdap_ip…)
    source_url: str = ""
    hold: str = ""  # "no_contact" when nobody can be reached yet
    finding_id: int | None = None  # the discovered contact (recipients.Finding) a bounce marks suspect
    override_id: int | None = None  # the staff contact (recipients.ContactOverride)

    def as_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "source": self.source,
            "source_url": self.source_url,
            "finding_id": self.finding_id,
            "override_id": self.override_id,
        }


@dataclass(frozen=True)
class Book:
    """What routing reads, loaded once per building pass: platforms and the contacts of every domain
    (the registrars' only for the domains of links escalated to them)."""

    platforms: dict[int, Platform]
    site: dict[str, list[RecipientContact]]
    hosting: dict[str, list[RecipientContact]]
    registrar: dict[str, list[RecipientContact]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, platforms: dict[int, Platform], domains: Iterable[str], registrar_domains: Iterable[str] = ()
    ) -> Book:
        names = {d for d in domains if d}
        found = contacts_by_purpose(names, (Purpose.SITE, Purpose.HOSTING))
        return cls(
            platforms,
            found[Purpose.SITE],
            found[Purpose.HOSTING],
            contacts_for_many({d for d in registrar_domains if d}, Purpose.ESCALATION),
        )


def platforms_of(links: list[dict[str, Any]]) -> dict[int, Platform]:
    """The platforms the links name (theirs and their recipients'), and those platforms' hosts."""
    platform_ids = {link["platform_id"] for link in links if link["platform_id"]}
    platform_ids |= {
        r.get("platform_id")
        for link in links
        for r in (link["recipients"] or [])
        if isinstance(r.get("platform_id"), int)
    }
    platforms = _with_domains(platform_ids)
    hosts = {p.hosting_provider_id for p in platforms.values() if p.hosting_provider_id}
    platforms.update(_with_domains(hosts - set(platforms)))
    return platforms


def _with_domains(ids: set[Any]) -> dict[int, Platform]:
    """The platforms of ``ids`` with their domains; nothing built for none (links to sites the
    registry does not know name no platform; Django would build the query to find it empty)."""
    if not ids:
        return {}
    return {p.pk: p for p in Platform.objects.filter(pk__in=ids).prefetch_related("domains")}


def domains_of(links: list[dict[str, Any]]) -> set[str]:
    """Every domain the links may be routed to: theirs and their recipients'."""
    domains = {str(link["registrable_domain"] or "").lower() for link in links}
    domains |= {str(r.get("domain") or "").lower() for link in links for r in (link["recipients"] or [])}
    return domains


def book_for(links: list[dict[str, Any]]) -> Book:
    """The Book of a list of links: their platforms, their domains' contacts, and their registrars'
    for the links escalated to them."""
    registrar = {
        str(link["registrable_domain"] or "").lower() for link in links if link["escalation_level"] >= LEVEL_REGISTRAR
    }
    return Book.load(platforms_of(links), domains_of(links), registrar)


def registry_channel(platform: Platform | None) -> tuple[str, str, str]:
    """(channel, e-mail, endpoint) the registry gives a platform; Channel.NONE when it gives none usable."""
    if platform is None:
        return Channel.NONE, "", ""
    email, url = platform.contact_email or "", platform.contact_url or ""
    if platform.notice_channel == NoticeChannel.EMAIL:
        return (Channel.EMAIL if email else Channel.NONE), email, url
    if platform.notice_channel == NoticeChannel.HTTPS:
        return (Channel.HTTPS if url else Channel.NONE), email, url
    if platform.notice_channel == NoticeChannel.BULK_FILE:
        return Channel.BULK_FILE, email, url
    return Channel.WEB_FORM, email, url


def _from_contact(key: str, name: str, domain: str, platform: Platform | None, role: str, c: RecipientContact) -> Route:
    channel = _CONTACT_CHANNEL.get(c.kind, Channel.NONE)
    email = c.address if channel == Channel.EMAIL else ""
    endpoint = c.address if channel != Channel.EMAIL else ""
    return Route(
        key,
        name,
        domain,
        platform,
        role,
        channel,
        email,
        endpoint,
        c.source,
        c.source_url,
        finding_id=c.finding_id,
        override_id=c.override_id,
    )


def _registry_route(key: str, name: str, domain: str, platform: Platform, role: str) -> Route | None:
    channel, email, endpoint = registry_channel(platform)
    if channel == Channel.NONE:
        return None
    return Route(key, name, domain, platform, role, channel, email, endpoint, "registry")


def site_route(row: dict[str, Any], book: Book) -> Route | None:
    """The site (or platform) itself: staff's contact, else the registry's channel, else discovery's."""
    platform, domain, name = row["platform"], row["domain"], row["name"]
    key = f"p:{platform.pk}" if platform is not None else f"d:{domain}"
    role = Role.PLATFORM if platform is not None else Role.SITE
    contacts = book.site.get(domain, [])
    staff = next((c for c in contacts if c.override_id is not None), None)
    if staff is not None:
        return _from_contact(key, name, domain, platform, role, staff)
    if platform is not None and (found := _registry_route(key, name, domain, platform, role)) is not None:
        return found
    return _from_contact(key, name, domain, platform, role, contacts[0]) if contacts else None


def hosting_route(row: dict[str, Any], book: Book) -> Route | None:
    """The hosting provider of the site: the registry's, else the network (or CDN) discovery found."""
    platform, domain = row["platform"], row["domain"]
    host = book.platforms.get(platform.hosting_provider_id) if platform and platform.hosting_provider_id else None
    if host is not None:
        host_domain = next((d.domain for d in host.domains.all()), "")
        if (found := _registry_route(f"p:{host.pk}", host.name, host_domain, host, Role.HOSTING)) is not None:
            return found
    contacts = book.hosting.get(domain, [])
    if not contacts:
        return None
    c = contacts[0]
    role = Role.CDN if c.role == "cdn" else Role.HOSTING
    name = str(c.detail.get("organisation") or c.detail.get("cdn") or c.address.rpartition("@")[2] or c.address)
    return _from_contact(f"h:{domain}", name[:200], domain, None, role, c)


def registrar_route(domain: str, contacts: list[RecipientContact]) -> Route | None:
    """The registrar of the domain at its first usable contact (staff's first); None when none is known."""
    for c in contacts:
        if _CONTACT_CHANNEL.get(c.kind, Channel.NONE) != Channel.NONE:
            name = str(c.detail.get("registrar") or c.address.rpartition("@")[2] or c.address)
            return _from_contact(f"r:{domain}", name[:200], domain, None, Role.REGISTRAR, c)
    return None


def registrar_of(domain: str) -> Route | None:
    """``registrar_route`` of one domain, read now: whether the escalation has a registrar to go to."""
    domain = domain.strip().lower()
    return registrar_route(domain, contacts_for(domain, Purpose.ESCALATION)) if domain else None


def held_route(row: dict[str, Any]) -> Route:
    platform, domain = row["platform"], row["domain"]
    key = f"p:{platform.pk}" if platform is not None else f"d:{domain}"
    role = Role.PLATFORM if platform is not None else Role.SITE
    return Route(key, row["name"], domain, platform, role, Channel.NONE, hold="no_contact")


def _rows(link: dict[str, Any], platforms: dict[int, Platform]) -> list[dict[str, Any]]:
    """The recipients intake recorded for the link (its platform when none), with their platform rows."""
    rows = link["recipients"] or []
    if not rows and link["platform_id"] in platforms:
        own = platforms[link["platform_id"]]
        rows = [{"platform_id": own.pk, "name": own.name, "domain": link["registrable_domain"]}]
    elif not rows and link["action"] == "remove" and link["registrable_domain"]:
        rows = [{"platform_id": None, "name": link["registrable_domain"], "domain": link["registrable_domain"]}]
    out = []
    for row in rows:
        pid = row.get("platform_id")
        platform = platforms.get(pid) if isinstance(pid, int) else None
        domain = str(row.get("domain") or link["registrable_domain"] or "").lower()
        out.append({"platform": platform, "domain": domain, "name": str(row.get("name") or domain)})
    return out


def routes_for(link: dict[str, Any], book: Book) -> list[Route]:
    """Every recipient of a due link's notices at its escalation level (empty: unroutable)."""
    rows = _rows(link, book.platforms)
    if link["escalation_level"] >= LEVEL_REGISTRAR:
        domain = str(link["registrable_domain"] or "").lower()
        found = registrar_route(domain, book.registrar.get(domain, []))
        return [found] if found is not None else []
    if link["escalation_level"] >= LEVEL_HOSTING:
        own = book.platforms.get(link["platform_id"]) if link["platform_id"] else None
        row = {"platform": own, "domain": str(link["registrable_domain"] or ""), "name": ""}
        found = hosting_route(row, book)
        return [found] if found is not None else []
    if link["action"] == "delist":
        return [
            _registry_route(f"p:{r['platform'].pk}", r["name"], r["domain"], r["platform"], Role.SEARCH_ENGINE)
            or held_route(r)
            for r in rows
            if r["platform"] is not None
        ]
    out: list[Route] = []
    for row in rows:
        out.extend(_remove_routes(row, book))
    return out


def _remove_routes(row: dict[str, Any], book: Book) -> list[Route]:
    own = site_route(row, book)
    platform = row["platform"]
    if platform is not None and platform.kind in SELF_KINDS and own is not None:
        return [own]
    host = hosting_route(row, book)
    found = [r for r in (own, host) if r is not None]
    return found or [held_route(row)]


# --- why a notice is held, in the reader's language ---------------------------------------------

HOLD_MESSAGES = {
    "no_contact": gettext_noop(
        "No contact is known yet for %(recipient)s: the society is looking for one (the site's own address, its "
        "hosting network, the CDN in front of it). Give it a contact to release the notice."
    ),
    "no_public_url": gettext_noop(
        "SENTINELLE_PUBLIC_URL is not set: a notice over HTTPS gives the platform the address to answer at, "
        "which must be absolute. Set it, then discard and rebuild this notice."
    ),
    "missing_elements": gettext_noop("The text lacks what the law requires: %(missing)s."),
    "bounced": gettext_noop(
        "The address %(address)s refused the notice (%(reason)s) and no other contact is known. Give the "
        "recipient a contact to send it again."
    ),
}
# The same holds, told to the member who reported the link.
MEMBER_HOLD_MESSAGES = {
    "no_contact": gettext_noop("Accepted — no contact found yet for %(recipient)s; the society is looking."),
    "no_public_url": gettext_noop("Accepted — waiting for the society to finish setting up this channel."),
    "missing_elements": gettext_noop("Accepted — the society is completing the notice before it is sent."),
    "bounced": gettext_noop("The notice bounced: the address refused it. The society is looking for another one."),
}


def hold_text(code: str, params: dict[str, Any] | None, fallback: str = "", *, member: bool = False) -> str:
    """A hold's reason in the active language (``fallback`` for a row held before codes existed)."""
    table = MEMBER_HOLD_MESSAGES if member else HOLD_MESSAGES
    message = table.get(code)
    if message is None:
        return fallback
    text = gettext(message)
    try:
        return text % (params or {}) if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


def hold_text_en(code: str, params: dict[str, Any] | None) -> str:
    """The staff's text in English (``Notice.hold_reason``, for readers of the row without the code)."""
    with translation.override("en"):
        return hold_text(code, params)
