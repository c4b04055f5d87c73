"""Published CDN address ranges (``data/cdn.json``, or ``SENTINELLE_CDN_RANGES_FILE``). No Django here."""

from __future__ import annotations

import functools
import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "cdn.json"


@dataclass(frozen=True)
class CDN:
    name: str
    abuse_form: str
    source: str
    as_of: str
    ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


@dataclass(frozen=True)
class CDNRanges:
    providers: tuple[CDN, ...]

    def match(self, address: str) -> CDN | None:
        ip = ipaddress.ip_address(address)
        for provider in self.providers:
            if any(ip.version == net.version and ip in net for net in provider.ranges):
                return provider
        return None


def load_ranges(path: Path) -> CDNRanges:
    """ValueError (naming the file) when it is missing or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        providers = tuple(
            CDN(
                name=str(item["name"]),
                abuse_form=str(item["abuse_form"]),
                source=str(item.get("source", "")),
                as_of=str(item.get("as_of", "")),
                ranges=tuple(ipaddress.ip_network(r, strict=False) for r in item["ranges"]),
            )
            for item in data["providers"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a CDN ranges file ({exc})") from exc
    for provider in providers:
        if not provider.abuse_form.startswith("https://"):
            raise ValueError(f"{path}: {provider.name}'s abuse form is not an https address")
    return CDNRanges(providers)


@functools.cache
def cached_ranges(path: str) -> CDNRanges:
    return load_ranges(Path(path))
