"""Benchmark: linkkit canonicalise + classify against w3lib, url-normalize and tldextract.

    python bench/linkkit.py [--n 1000000] [--peer-n N] [--seed 20261128]

URLs are generated (seeded) from the real piracy domain lists in ../shared/data/piracy-domains:
cyberlocker, torrent, streaming and forum path shapes, queries, tracking parameters, mixed case,
fragments, percent-encoding, search-engine redirects, shorteners, IDN hosts and some garbage, and
3 % of social posts, videos and torrent pages whose content key a platform rule reads (identity.py).
Every library runs on one core, on the same URLs, chunk after chunk in turn: by default every
peer runs on all ``--n`` URLs (about three minutes in all); ``--peer-n`` limits the peers to the
first URLs for a quick look, and the ratios then use linkkit's rate on exactly those URLs.
linkkit's rate on the first 100,000 URLs (its caches cold) is printed too. Peak memory is the
maximum RSS of a separate process that runs linkkit alone over all ``--n`` URLs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sentinelle.linkkit import Classification, PlatformRule, Registry, implementation, iter_classify  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "piracy-domains"
CHUNK = 10_000

NEXTDNS_KINDS = {
    "file-hosting": "file_host",
    "torrent-websites": "torrent_index",
    "streaming-video": "video_platform",
    "streaming-audio": "audio_streaming",
    "warez": "link_site",
    "usenet": "link_site",
    "proxies": "other",
}


def read_domains(path: Path) -> list[str]:
    """Domains from a list file in any of the shapes shipped (plain, hosts, wildcard)."""
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line[0] in "#!/":
            continue
        token = line.split()[-1] if " " in line else line
        token = token.removeprefix("*.").removeprefix("||").rstrip("^").strip(".").lower()
        sinks = ("0.0.0.0", "127.0.0.1")  # noqa: S104  # the sink address of hosts-format lists
        if "." in token and "/" not in token and token not in sinks:
            found.append(token)
    return found


def load_lists(data: Path) -> tuple[dict[str, list[str]], list[str], list[str]]:
    by_kind: dict[str, list[str]] = {}
    for name, kind in NEXTDNS_KINDS.items():
        by_kind.setdefault(kind, []).extend(read_domains(data / "nextdns-piracy-blocklists" / name))
    everything: list[str] = []
    for path in sorted(data.rglob("*")):
        if path.is_file() and path.name != "LICENSE" and "allow" not in path.name and "urls" not in path.name:
            everything.extend(read_domains(path))
    shorteners = read_domains(data / "hagezi" / "urlshortener-onlydomains.txt")[:500]
    return by_kind, sorted(set(everything)), shorteners


def build_registry(by_kind: dict[str, list[str]]) -> Registry:
    rules = [
        PlatformRule("google", "Google Search", "search_engine", domains=(("google.com", None), ("google.fr", None))),
        PlatformRule("bing", "Bing", "search_engine", domains=(("bing.com", None),)),
        PlatformRule("ddg", "DuckDuckGo", "search_engine", domains=(("duckduckgo.com", None),)),
        PlatformRule("yandex", "Yandex", "search_engine", domains=(("yandex.ru", None), ("yandex.com", None))),
        PlatformRule("youtube", "YouTube", "video_platform", True, (("youtube.com", None), ("youtu.be", None))),
        PlatformRule("deezer", "Deezer", "audio_streaming", True, (("deezer.com", None),)),
        PlatformRule("spotify", "Spotify", "audio_streaming", True, (("spotify.com", None),)),
        PlatformRule("facebook", "Facebook", "social_network", domains=(("facebook.com", None), ("fb.com", None))),
        PlatformRule("x", "X (Twitter)", "social_network", domains=(("x.com", None), ("twitter.com", None))),
        PlatformRule("instagram", "Instagram", "social_network", domains=(("instagram.com", None),)),
        PlatformRule("tiktok", "TikTok", "social_network", domains=(("tiktok.com", None),)),
        PlatformRule("gdrive", "Google Drive", "file_host", domains=(("drive.google.com", None),)),
        PlatformRule("gsites", "Google Sites", "other", domains=(("sites.google.com", None), ("google.com", "/site/"))),
        PlatformRule("bitly", "Bitly", "url_shortener", domains=(("bit.ly", None),)),
    ]
    seen = {suffix for rule in rules for suffix, _ in rule.domains}
    for kind, domains in by_kind.items():
        for domain in domains:
            if domain not in seen:
                seen.add(domain)
                rules.append(PlatformRule(domain, domain, kind, domains=((domain, None),)))
    return Registry(rules)


WORDS = [
    "amour",
    "nuit",
    "soleil",
    "paris",
    "live",
    "remix",
    "feat",
    "album",
    "best",
    "of",
    "deluxe",
    "edition",
    "chanson",
    "la",
    "vie",
    "en",
    "rose",
    "dj",
    "mix",
    "2024",
    "hits",
    "jazz",
    "rap",
    "francais",
    "orchestre",
    "symphonie",
    "bande",
    "originale",
    "film",
    "concert",
    "acoustique",
]
TRACKING = [
    "utm_source=facebook",
    "utm_medium=social",
    "utm_campaign=promo",
    "fbclid=IwAR3xYz_Abc",
    "gclid=Cj0KCQiA",
    "igshid=MzRlODBiNWFlZA==",
    "mc_cid=8a9b",
    "_ga=2.1.3",
    "si=abcDEF123",
]
ENGINES = [
    "https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=3&url={}&usg=AOvVaw0",
    "https://www.google.fr/url?q={}&sa=U&ved=2ahUKEwj",
    "https://duckduckgo.com/l/?uddg={}&rut=abc",
    "https://www.google.com/search?q=telecharger+album+mp3",
]


def _slug(rng: random.Random, n: int) -> str:
    return "-".join(rng.choice(WORDS) for _ in range(n))


def _path(rng: random.Random) -> str:
    shape = rng.randrange(12)
    num = rng.randrange(1, 10_000_000)
    token = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(12))
    if shape == 0:
        return f"/file/{token}/{_slug(rng, 3)}.zip/file"
    if shape == 1:
        return f"/torrent/{num}/{_slug(rng, 4)}-{rng.randrange(1990, 2026)}-FLAC/"
    if shape == 2:
        return f"/album/{_slug(rng, 2)}/{num}"
    if shape == 3:
        return f"/{rng.randrange(2010, 2026)}/{rng.randrange(1, 13):02d}/{_slug(rng, 5)}.html"
    if shape == 4:
        return "/index.php"
    if shape == 5:
        return "/forum/viewtopic.php"
    if shape == 6:
        return f"/search/{_slug(rng, 2)}/1/99/0"
    if shape == 7:
        return f"/{token}/{_slug(rng, 2)}.mp3.html"
    if shape == 8:
        return f"/d/{token}"
    if shape == 9:
        return f"/Music/{_slug(rng, 1).upper()}/{_slug(rng, 2)}%20{num}.mp3"
    if shape == 10:
        return f"/a/b/../{_slug(rng, 2)}/./%7e{token}"
    return "/"


def _query(rng: random.Random) -> str:
    parts = []
    roll = rng.random()
    if roll < 0.45:
        parts.append(
            rng.choice(
                [
                    f"id={rng.randrange(99999)}",
                    f"page={rng.randrange(1, 50)}",
                    "sort=seeders&order=desc",
                    f"t={rng.randrange(99999)}",
                    f"q={_slug(rng, 2).replace('-', '+')}",
                    f"topic={rng.randrange(9999)}.0",
                ]
            )
        )
    if rng.random() < 0.3:
        parts.extend(rng.sample(TRACKING, rng.randrange(1, 4)))
    rng.shuffle(parts)
    return "?" + "&".join(parts) if parts else ""


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


def _code(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789_-") for _ in range(n))


def _social(rng: random.Random) -> str:
    """A post, video or torrent page of a platform whose content key identity.py reads."""
    user = rng.choice(["OrelsanOfficiel", "angele_vl", "aya.nakamura", "jul", "someone_else"])
    shape = rng.randrange(10)
    if shape == 0:
        host = rng.choice(["x.com", "twitter.com", "mobile.twitter.com"])
        tail = rng.choice(["", "?s=20", "?lang=en", "/photo/1", "?t=AbCd&s=09"])
        return f"https://{host}/{user}/status/{_digits(rng, 19)}{tail}"
    if shape == 1:
        return f"https://www.instagram.com/{rng.choice(['p', 'reel'])}/{_code(rng, 11)}/?igsh={_code(rng, 12)}"
    if shape == 2:
        return f"https://www.tiktok.com/@{user.lower()}/video/{_digits(rng, 19)}?is_from_webapp=1&sender_device=pc"
    if shape == 3:
        return f"https://vm.tiktok.com/ZM{_code(rng, 7)}/"
    if shape == 4:
        return f"https://www.facebook.com/watch/?v={_digits(rng, 16)}"
    if shape == 5:
        return f"https://m.facebook.com/story.php?story_fbid={_digits(rng, 17)}&id={_digits(rng, 15)}"
    if shape == 6:
        return f"https://www.youtube.com/watch?v={_code(rng, 11)}&t=42s"
    if shape == 7:
        return f"https://1337x.to/torrent/{rng.randrange(10**7)}/{_slug(rng, 3)}/"
    if shape == 8:
        return f"https://btdig.com/{rng.getrandbits(160):040x}/{_slug(rng, 2)}"
    return f"https://links.example.net/go?url=magnet%3A%3Fxt%3Durn%3Abtih%3A{rng.getrandbits(160):040X}"


def generate(n: int, seed: int, domains: list[str], shorteners: list[str]) -> Iterator[list[str]]:
    """Yield the ``n`` URLs in chunks; the same seed always gives the same URLs."""
    rng = random.Random(seed)
    weights = [1.0 / (rank + 10) for rank in range(len(domains))]  # popular sites get most reports
    produced = 0
    while produced < n:
        size = min(CHUNK, n - produced)
        picks = rng.choices(domains, weights=weights, k=size)
        chunk = []
        for domain in picks:
            roll = rng.random()
            if roll < 0.004:
                chunk.append(
                    rng.choice(
                        [
                            "not a url",
                            "ftp://files.example.org/x",
                            "http://192.168.1.10/a",
                            "javascript:alert(1)",
                            "",
                            "http://",
                        ]
                    )
                )
                continue
            if roll < 0.014:
                chunk.append(f"https://{rng.choice(shorteners)}/{rng.randrange(36**6):x}")
                continue
            if roll < 0.034:
                key = "".join(rng.choice("ABCDEFGHabcdefgh0123456789-_") for _ in range(43))
                ident = "".join(rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(8))
                chunk.append(rng.choice([f"https://mega.nz/file/{ident}#{key}", f"https://mega.nz/#!{ident}!{key}"]))
                continue
            if roll < 0.039:
                label = rng.choice(["bücher", "música", "пират", "téléchargement"])
                chunk.append(f"https://{label}.{rng.choice(['de', 'es', 'com', 'fr'])}/x")
                continue
            if roll < 0.069:
                chunk.append(_social(rng))
                continue
            host = domain
            sub = rng.random() if not domain[-1].isdigit() else 1.0
            if sub < 0.35:
                host = "www." + host
            elif sub < 0.40:
                host = "m." + host
            if rng.random() < 0.1:
                host = "".join(c.upper() if rng.random() < 0.5 else c for c in host)
            scheme = "https" if rng.random() < 0.8 else "http"
            port = rng.choice([":443", ":80"]) if rng.random() < 0.02 else ""
            path = _path(rng)
            url = f"{scheme}://{host}{port}{path}{_query(rng)}"
            if rng.random() < 0.15:
                url += rng.choice(["#comments", "#download", "#!/player", "#t=42"])
            if rng.random() < 0.05:
                url = rng.choice(ENGINES).format(quote(url, safe=""))
            chunk.append(url)
        produced += size
        yield chunk


def run_linkkit(chunk: list[str], registry: Registry) -> tuple[float, int]:
    """CPU time of linkkit's batch API over ``chunk``, and how many URLs it refused.

    Each result is dropped as soon as it is produced, as the peers' are: keeping a whole chunk of
    results alive would mostly time the garbage collector walking them.
    """
    errors = 0
    start = time.process_time()
    for result in iter_classify(chunk, registry):
        if type(result) is not Classification:
            errors += 1
    return time.process_time() - start, errors


def run_peer(chunk: list[str], func: Callable[[str], object]) -> float:
    start = time.process_time()
    for url in chunk:
        try:
            func(url)
        except Exception:  # noqa: BLE001, S112  # peers raise assorted errors on garbage
            continue
    return time.process_time() - start


def peers() -> dict[str, Callable[[str], object]]:
    import tldextract
    import url_normalize
    from w3lib.url import canonicalize_url

    extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), include_psl_private_domains=True)
    return {
        "w3lib.canonicalize_url": canonicalize_url,
        "url_normalize": url_normalize.url_normalize,
        "tldextract (offline)": extractor,
    }


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="URLs for linkkit (default 1,000,000)")
    parser.add_argument("--peer-n", type=int, default=0, help="first URLs also run through the peers (default: all)")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("SENTINELLE_BENCH_DATA", DEFAULT_DATA)))
    parser.add_argument("--only-linkkit", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    pinned = pin_one_core()
    by_kind, domains, shorteners = load_lists(args.data)
    registry = build_registry(by_kind)

    if args.only_linkkit:
        total = wall = 0.0
        for chunk in generate(args.n, args.seed, domains, shorteners):
            started = time.perf_counter()
            total += run_linkkit(chunk, registry)[0]
            wall += time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{peak_kb} {total} {wall}")
        return

    peer_n = min(args.peer_n or args.n, args.n)
    cold_n = min(100_000, args.n)
    peer_funcs = peers()
    print(f"linkkit bench: {args.n:,} URLs from {len(domains):,} domains; registry of {len(registry):,} platforms")
    print(f"python {sys.version.split()[0]}, {pinned}; linkkit {implementation()}; peers on {peer_n:,} URLs")

    lk_total = lk_peer_part = lk_cold = 0.0
    lk_errors = 0
    peer_time = dict.fromkeys(peer_funcs, 0.0)
    seen = 0
    for chunk in generate(args.n, args.seed, domains, shorteners):
        elapsed, errors = run_linkkit(chunk, registry)
        lk_total += elapsed
        lk_errors += errors
        if seen < cold_n:
            lk_cold += elapsed if seen + len(chunk) <= cold_n else run_linkkit(chunk[: cold_n - seen], registry)[0]
        if seen < peer_n:
            part = chunk[: peer_n - seen]
            lk_peer_part += elapsed if len(part) == len(chunk) else run_linkkit(part, registry)[0]
            for name, func in peer_funcs.items():
                peer_time[name] += run_peer(part, func)
        seen += len(chunk)

    lk_rate = args.n / lk_total
    lk_rate_same = peer_n / lk_peer_part
    print()
    print("rates are URLs per second of CPU time (time.process_time) on one pinned core")
    print(f"{'library':32} {'URLs':>10} {'URLs/s':>12} {'linkkit/peer':>13}")
    print(f"{'linkkit canonicalise+classify':32} {args.n:>10,} {lk_rate:>12,.0f} {'':>13}")
    if peer_n != args.n:
        print(f"{'  same, on the peer subsample':32} {peer_n:>10,} {lk_rate_same:>12,.0f} {'':>13}")
    print(f"{'  its first URLs (cold caches)':32} {cold_n:>10,} {cold_n / lk_cold:>12,.0f} {'':>13}")
    for name, spent in peer_time.items():
        rate = peer_n / spent
        print(f"{name:32} {peer_n:>10,} {rate:>12,.0f} {lk_rate_same / rate:>12.1f}x")
    print(f"(linkkit refused {lk_errors:,} URLs with a LinkError; they count in its rate)")

    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--only-linkkit",
            "--n",
            str(args.n),
            "--seed",
            str(args.seed),
            "--data",
            str(args.data),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    peak_text, alone, alone_wall = out.stdout.split()
    peak_kb = int(peak_text)
    rate_alone = args.n / float(alone)
    print(
        f"linkkit alone over {args.n:,} URLs: {rate_alone:,.0f} URLs/s CPU time "
        f"({args.n / float(alone_wall):,.0f} URLs/s wall), peak RSS {peak_kb / 1024:,.0f} MB"
    )

    w3lib_rate = peer_n / peer_time["w3lib.canonicalize_url"]
    ok = lk_rate >= 100_000 and lk_rate_same >= 5 * w3lib_rate and peak_kb < 300 * 1024
    print(
        f"targets (>=100,000 URLs/s: {lk_rate:,.0f}; >=5x w3lib on the same URLs: {lk_rate_same / w3lib_rate:.1f}x; "
        f"<300 MB: {peak_kb / 1024:,.0f} MB):",
        "met" if ok else "NOT met",
    )


if __name__ == "__main__":
    main()
