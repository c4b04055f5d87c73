"""RDAP without a client library: IANA bootstrap files (RFC 9224) and answers (RFC 9083) read here.

Which registry answers for an address or a domain comes from the bootstrap files ``ipv4.json``,
``ipv6.json`` and ``dns.json`` (shipped in ``data/rdap/`` with their date, or read from
``SENTINELLE_RDAP_BOOTSTRAP_DIR``). The answers are plain JSON fetched through the safe fetcher;
this module only reads them: the abuse contact of an IP network (the entity with role ``abuse``,
nested entities searched, its vCard e-mail) and the registrar of a domain. No Django here.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "rdap"
BOOTSTRAP_FILES = ("dns.json", "ipv4.json", "ipv6.json")
MAX_ENTITY_DEPTH = 6
MAX_ENTITIES = 500

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RDAPError(ValueError):
    """An answer that cannot be used, with a stable code for the recorded reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- Bootstrap ----------------------------------------------------------------------------------


def _https_first(urls: list[str]) -> list[str]:
    """RFC 9224 §3: use an https base URL when the service offers one; plain http is not used."""
    return [url if url.endswith("/") else url + "/" for url in urls if url.lower().startswith("https://")]


def parse_bootstrap(kind: str, data: Any) -> dict[str, list[str]]:
    """An IANA bootstrap document as {entry: [https base URLs]}; ValueError when it is malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        raise ValueError(f"{kind}: not an RDAP bootstrap document (no services list)")
    entries: dict[str, list[str]] = {}
    for service in data["services"]:
        if not (isinstance(service, list) and len(service) >= 2 and all(isinstance(x, list) for x in service[:2])):
            raise ValueError(f"{kind}: a service that is not [[entries], [urls]]")
        keys, urls = service[0], service[1]
        if not all(isinstance(x, str) for x in [*keys, *urls]):
            raise ValueError(f"{kind}: a service entry that is not text")
        for key in keys:
            if kind != "dns":
                ipaddress.ip_network(key, strict=False)  # ValueError on a bad range
            entries[key.lower().rstrip(".")] = _https_first(urls)
    if not entries:
        raise ValueError(f"{kind}: no service at all")
    return entries


@dataclass(frozen=True)
class Bootstrap:
    """The three bootstrap files, ready for lookups."""

    networks: tuple[tuple[Network, tuple[str, ...]], ...]  # most specific first
    tlds: Mapping[str, tuple[str, ...]]
    publication: Mapping[str, str]
    directory: str

    def for_address(self, address: str) -> str | None:
        ip = ipaddress.ip_address(address)
        for network, urls in self.networks:
            if network.version == ip.version and ip in network:
                return urls[0] if urls else None
        return None

    def for_domain(self, domain: str) -> str | None:
        labels = domain.lower().rstrip(".").split(".")
        for start in range(len(labels)):
            urls = self.tlds.get(".".join(labels[start:]))
            if urls is not None:
                return urls[0] if urls else None
        return None


def load_bootstrap(directory: Path) -> Bootstrap:
    """The bootstrap files of ``directory``; ValueError (with the file) when one is missing or malformed."""
    networks: list[tuple[Network, tuple[str, ...]]] = []
    tlds: dict[str, tuple[str, ...]] = {}
    publication: dict[str, str] = {}
    for name in BOOTSTRAP_FILES:
        path = directory / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        entries = parse_bootstrap(name.removesuffix(".json"), data)
        publication[name] = str(data.get("publication", ""))
        if name == "dns.json":
            tlds.update({key: tuple(urls) for key, urls in entries.items()})
        else:
            networks.extend((ipaddress.ip_network(key, strict=False), tuple(urls)) for key, urls in entries.items())
    networks.sort(key=lambda item: item[0].prefixlen, reverse=True)
    return Bootstrap(tuple(networks), tlds, publication, str(directory))


@functools.cache
def cached_bootstrap(directory: str) -> Bootstrap:
    return load_bootstrap(Path(directory))


# --- Answers ------------------------------------------------------------------------------------


@dataclass
class VCard:
    name: str = ""
    emails: list[str] = field(default_factory=list)


def read_vcard(entity: Mapping[str, Any]) -> VCard:
    """fn and e-mails (preferred first) of a jCard (RFC 7095) ``vcardArray``; empty when malformed."""
    card = VCard()
    array = entity.get("vcardArray")
    if not (isinstance(array, list) and len(array) == 2 and isinstance(array[1], list)):
        return card
    emails: list[tuple[int, str]] = []
    for prop in array[1]:
        if not (isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str)):
            continue
        name, params, value = prop[0].lower(), prop[1], prop[3]
        if name == "fn" and isinstance(value, str) and not card.name:
            card.name = value.strip()[:200]
        elif name == "email" and isinstance(value, str) and value.strip():
            pref = params.get("pref", "100") if isinstance(params, dict) else "100"
            try:
                rank = int(pref)
            except (TypeError, ValueError):
                rank = 100
            emails.append((rank, value.strip()))
    card.emails = [email for _, email in sorted(emails, key=lambda item: item[0])]
    return card


def _roles(entity: Mapping[str, Any]) -> list[str]:
    roles = entity.get("roles")
    return [str(role).lower() for role in roles] if isinstance(roles, list) else []


def walk_entities(obj: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Every entity under ``obj``, breadth first with its depth (1 = top level), bounded."""
    queue: list[tuple[int, Any]] = [(1, entity) for entity in obj.get("entities") or [] if isinstance(entity, dict)]
    seen = 0
    while queue and seen < MAX_ENTITIES:
        depth, entity = queue.pop(0)
        seen += 1
        yield depth, entity
        if depth < MAX_ENTITY_DEPTH and isinstance(entity.get("entities"), list):
            queue.extend((depth + 1, child) for child in entity["entities"] if isinstance(child, dict))


def decode(body: bytes, expected: tuple[str, ...]) -> dict[str, Any]:
    """The JSON object of an answer, of one of the expected ``objectClassName``s; RDAPError otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RDAPError("rdap_malformed", f"the RDAP answer is not JSON: {str(exc)[:120]}") from exc
    if not isinstance(data, dict):
        raise RDAPError("rdap_malformed", "the RDAP answer is not a JSON object")
    klass = str(data.get("objectClassName", "")).lower()
    if klass not in expected:
        raise RDAPError("rdap_malformed", f"the RDAP answer is a {klass or 'object of no class'}, not a {expected[0]}")
    return data


@dataclass(frozen=True)
class AbuseContact:
    email: str
    entity_handle: str
    entity_name: str


def abuse_contact(data: Mapping[str, Any]) -> AbuseContact:
    """The e-mail of the shallowest entity with role ``abuse``; RDAPError when there is none."""
    holders = [(depth, entity) for depth, entity in walk_entities(data) if "abuse" in _roles(entity)]
    if not holders:
        raise RDAPError("rdap_no_abuse_entity", "no entity with the abuse role in the RDAP answer")
    holders.sort(key=lambda item: item[0])
    for _, entity in holders:
        card = read_vcard(entity)
        if card.emails:
            return AbuseContact(card.emails[0], str(entity.get("handle", ""))[:100], card.name)
    raise RDAPError("rdap_no_abuse_email", "the abuse entity's vCard has no e-mail address")


def registrant_name(data: Mapping[str, Any]) -> str:
    for _, entity in walk_entities(data):
        if "registrant" in _roles(entity):
            name = read_vcard(entity).name
            if name:
                return name
    return str(data.get("name", ""))[:200]


@dataclass(frozen=True)
class NetworkRange:
    start: str
    end: str
    handle: str
    name: str
    country: str


def network_range(data: Mapping[str, Any], address: str) -> NetworkRange:
    """The range an ip network answer covers; just the address when the answer does not say."""
    ip = ipaddress.ip_address(address)
    try:
        start = ipaddress.ip_address(str(data.get("startAddress", "")))
        end = ipaddress.ip_address(str(data.get("endAddress", "")))
        if start.version != ip.version or end.version != ip.version or not int(start) <= int(ip) <= int(end):
            raise ValueError("range does not hold the address")
    except ValueError:
        start = end = ip
    return NetworkRange(
        str(start),
        str(end),
        str(data.get("handle", ""))[:100],
        str(data.get("name", ""))[:200],
        str(data.get("country", ""))[:2],
    )


@dataclass(frozen=True)
class Registrar:
    name: str
    iana_id: str
    email: str
    handle: str


def registrar(data: Mapping[str, Any]) -> Registrar:
    """The registrar of a domain answer and its abuse e-mail (ICANN's RDAP profile); RDAPError otherwise."""
    for _, entity in walk_entities(data):
        if "registrar" not in _roles(entity):
            continue
        card = read_vcard(entity)
        iana_id = ""
        for public_id in entity.get("publicIds") or []:
            if isinstance(public_id, dict) and "iana" in str(public_id.get("type", "")).lower():
                iana_id = str(public_id.get("identifier", ""))[:20]
        try:
            email = abuse_contact(entity).email
        except RDAPError:
            email = card.emails[0] if card.emails else ""
        if not email:
            raise RDAPError("rdap_no_abuse_email", "the registrar entity has no e-mail address")
        return Registrar(card.name, iana_id, email, str(entity.get("handle", ""))[:100])
    raise RDAPError("rdap_no_registrar", "no entity with the registrar role in the RDAP answer")


def retry_after(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """A Retry-After header (seconds or an HTTP date) as a moment; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + dt.timedelta(seconds=min(int(value), 7 * 86400))
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
