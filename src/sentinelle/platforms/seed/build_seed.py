"""Build ``platforms_seed.json`` from the hand-written entries and the nextdns piracy lists.

Run by a developer when the curated entries or the source lists change, and commit the output:

    .venv/bin/python -m sentinelle.platforms.seed.build_seed [--shared ../shared] [--check]

Only the MIT-licensed lists of ``nextdns/piracy-blocklists`` are read (see NOTICE). The service
itself reads only the packaged JSON, never ``../shared``.

Reduction rules, applied to each hostname of the lists used:
- hostnames are reduced to their registrable domain (Public Suffix List, private section
  included) and grouped: one platform per registrable domain, named after it;
- where the registrable domain is shared by unrelated sites (a free host, an ISP, a university,
  a portal whose one subdomain is listed), the full hostname is kept instead (``KEEP_HOST``);
- a hostname equal to or under a hand-written domain is dropped (the hand-written entry wins),
  except under a hand-written shared host (WordPress.com, Blogger…), where it becomes a platform
  of its own hosted by that entry;
- a few entries that are not piracy sites are left out (``EXCLUDED``);
- a platform's kind comes from the list that names the registrable domain itself, else from
  the lists naming its subdomains, by ``LIST_KINDS`` order.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publicsuffixlist import PublicSuffixList

from sentinelle.platforms.seed.curated import CURATED

PACKAGE_DIR = Path(__file__).resolve().parent
SEED_FILE = PACKAGE_DIR / "platforms_seed.json"
# src/sentinelle/platforms/seed -> the repository root is parents[4]; ../shared sits beside it.
DEFAULT_SHARED = Path(__file__).resolve().parents[4].parent / "shared"
NEXTDNS_DIR = Path("data/piracy-domains/nextdns-piracy-blocklists")

NEXTDNS_REPOSITORY = "https://github.com/nextdns/piracy-blocklists"
NEXTDNS_COMMIT = "ba633781c489f976b330e4f9e16a3eeaa828c210"

# The lists used, in order of precedence, with the kind their platforms get. Left out:
# torrent-trackers, torrent-clients, dht-bootstrap-nodes (infrastructure and software, not
# pages a notice can target), usenet (indexers and client software) and proxies (generic
# unblockers; their subdomains that mirror a torrent site are in torrent-websites anyway).
LIST_KINDS: dict[str, str] = {
    "file-hosting": "file_host",
    "torrent-websites": "torrent_index",
    "streaming-audio": "audio_streaming",
    "streaming-video": "video_platform",
    "warez": "link_site",
}
SKIPPED_LISTS = ("torrent-trackers", "torrent-clients", "dht-bootstrap-nodes", "usenet", "proxies")

# Registrable domains whose subdomains are unrelated sites or services: keep the full host.
KEEP_HOST: dict[str, str] = {
    "free.fr": "French ISP; dl.free.fr is its file-sending service",
    "wordpress.com": "blog host",
    "ucoz.ru": "free site builder",
    "ucoz.ro": "free site builder",
    "at.ua": "free site builder (uCoz)",
    "freevar.com": "free web host",
    "3dmgame.com": "game portal; only its torrent subdomain is listed",
    "ali213.net": "game portal; only its torrent subdomain is listed",
    "boramalper.org": "personal site; only one project subdomain is listed",
    "ruggieri.tech": "personal domain; only one subdomain is listed",
    "squeezebox.dev": "only one subdomain is listed",
}

# Listed, but not piracy sites: not shipped.
EXCLUDED: dict[str, str] = {
    "greasyfork.org": "user-script repository",
    "ccmixter.org": "Creative Commons music community",
    "diva.sfsu.edu": "university digital archive",
    "torrent.mp3quran.net": "free distribution of Quran recitations",
    "popcornflix.com": "licensed free streaming service",
    # Software publishers: a client is not a page that carries a work.
    "bittorrent.com": "BitTorrent client publisher",
    "utorrent.com": "BitTorrent client publisher",
    "qbittorrent.org": "BitTorrent client (open source)",
    "deluge-torrent.org": "BitTorrent client (open source)",
    "vuze.com": "BitTorrent client publisher",
    "webtorrent.io": "BitTorrent library (open source)",
    "stremio.com": "media-centre software publisher",
}

# Hand-written domains under which every subdomain is a site of its own.
SHARED_HOSTS = frozenset({"wordpress.com", "blogspot.com", "pages.dev", "workers.dev"})


@dataclass
class _Group:
    name: str
    domain: str
    hosts: dict[str, set[str]] = field(default_factory=dict)  # host -> lists naming it
    hosting_provider: str | None = None

    def kind(self) -> str:
        own = self.hosts.get(self.domain)
        lists = own if own else set().union(*self.hosts.values())
        for list_name, kind in LIST_KINDS.items():
            if list_name in lists:
                return kind
        raise AssertionError(f"no list for {self.name}")

    def lists(self) -> list[str]:
        names = set().union(*self.hosts.values())
        return [n for n in LIST_KINDS if n in names]


@dataclass
class NextDNSResult:
    platforms: list[dict[str, Any]]
    hosts_read: dict[str, int]
    dropped_under_curated: list[str]
    excluded: list[str]


def read_list(path: Path) -> list[str]:
    hosts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        host = line.split("#", 1)[0].strip().lower().rstrip(".")
        if host:
            hosts.append(host)
    return hosts


def _under(host: str, suffixes: Iterable[str]) -> str | None:
    """The longest of ``suffixes`` that ``host`` equals or sits under."""
    best: str | None = None
    for suffix in suffixes:
        if (host == suffix or host.endswith("." + suffix)) and (best is None or len(suffix) > len(best)):
            best = suffix
    return best


def curated_domains() -> dict[str, str]:
    """Every hand-written host suffix (with or without a path prefix) -> its platform's name."""
    return {domain: entry["name"] for entry in CURATED for domain, _prefix in entry["domains"]}


def build_nextdns(shared: Path) -> NextDNSResult:
    psl = PublicSuffixList()
    directory = shared / NEXTDNS_DIR
    curated = curated_domains()
    groups: dict[str, _Group] = {}
    hosts_read: dict[str, int] = {}
    dropped: set[str] = set()
    excluded: set[str] = set()
    for list_name in LIST_KINDS:
        hosts = read_list(directory / list_name)
        hosts_read[list_name] = len(hosts)
        for host in hosts:
            if host in EXCLUDED:
                excluded.add(host)
                continue
            hosting_provider = None
            covering = _under(host, curated)
            if covering is not None:
                if covering not in SHARED_HOSTS or host == covering:
                    dropped.add(host)
                    continue
                hosting_provider = curated[covering]
            registrable = psl.privatesuffix(host) or host
            key = host if (hosting_provider or registrable in KEEP_HOST) else registrable
            group = groups.setdefault(key, _Group(name=key, domain=key, hosting_provider=hosting_provider))
            group.hosts.setdefault(host, set()).add(list_name)
    platforms = []
    for key in sorted(groups):
        group = groups[key]
        listed = sorted(group.hosts)
        notes = (
            f"From nextdns/piracy-blocklists ({', '.join(group.lists())}; MIT licence). "
            f"Listed hosts: {', '.join(listed)}."
        )
        entry: dict[str, Any] = {
            "name": group.name,
            "kind": group.kind(),
            "licensed": False,
            "jurisdiction": "",
            "notice_language": "en",
            "notice_channel": "email",
            "contact_email": "",
            "contact_url": "",
            "notes": notes,
            "removal_markers": [],
            "domains": [[group.domain, None]],
            "source": "nextdns",
        }
        if group.hosting_provider:
            entry["hosting_provider"] = group.hosting_provider
        platforms.append(entry)
    return NextDNSResult(platforms, hosts_read, sorted(dropped), sorted(excluded))


def build(shared: Path) -> dict[str, Any]:
    curated = [{**entry, "source": "curated"} for entry in CURATED]
    names = [entry["name"].lower() for entry in curated]
    if len(names) != len(set(names)):
        raise SystemExit("duplicate names among the hand-written entries")
    seen: dict[tuple[str, str | None], str] = {}
    for entry in curated:
        for domain, prefix in entry["domains"]:
            if (domain, prefix) in seen:
                raise SystemExit(f"{domain}{prefix or ''} is in both {seen[domain, prefix]} and {entry['name']}")
            seen[domain, prefix] = entry["name"]
    nextdns = build_nextdns(shared)
    listed = [p for p in nextdns.platforms if p["name"].lower() not in set(names)]
    platforms = curated + listed
    kinds: dict[str, int] = {}
    for entry in platforms:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    return {
        "metadata": {
            "format": 1,
            "generator": "sentinelle/platforms/seed/build_seed.py",
            "sources": [
                {
                    "name": "hand-written entries",
                    "file": "sentinelle/platforms/seed/curated.py",
                    "platforms": len(curated),
                },
                {
                    "name": "nextdns/piracy-blocklists",
                    "repository": NEXTDNS_REPOSITORY,
                    "commit": NEXTDNS_COMMIT,
                    "licence": "MIT",
                    "copyright": "Copyright (c) 2019 NextDNS",
                    "licence_file": "sentinelle/platforms/seed/NEXTDNS-LICENSE.txt",
                    "lists_used": {
                        name: {"kind": kind, "hosts": nextdns.hosts_read[name]} for name, kind in LIST_KINDS.items()
                    },
                    "lists_skipped": list(SKIPPED_LISTS),
                    "hosts_dropped_for_hand_written_entries": nextdns.dropped_under_curated,
                    "hosts_excluded": nextdns.excluded,
                    "platforms": len(listed),
                },
            ],
            "counts": {
                "platforms": len(platforms),
                "domains": sum(len(p["domains"]) for p in platforms),
                "licensed": sum(1 for p in platforms if p["licensed"]),
                "by_kind": dict(sorted(kinds.items())),
            },
        },
        "platforms": platforms,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=SEED_FILE)
    parser.add_argument("--check", action="store_true", help="fail if the output file is not up to date")
    args = parser.parse_args(argv)
    text = render(build(args.shared))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run build_seed.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    counts = json.loads(text)["metadata"]["counts"]
    print(f"wrote {args.output}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
