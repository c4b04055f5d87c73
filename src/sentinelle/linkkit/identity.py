"""Content keys: the identity of the content a URL shows, whatever the shape of the URL.

One tweet is ``x.com/a/status/1``, ``twitter.com/A/statuses/1?lang=en``, ``mobile.twitter.com/i/web/
status/1`` and ``x.com/b/status/1/photo/1``; one upload is ``ul.to/ID`` and ``uploaded.net/file/ID``.
Each platform has one rule here: which hosts it serves content under (its aliases and mirrors
included) and how to read the content id from a URL's path and query. Two URLs with the same
content key show the same content on the same platform, so one notice to that platform removes
both; that is what duplicate detection, reappearance and notice grouping compare.

A key is ``"<namespace>:<id>"``. The namespace is the platform's home domain (``x.com``,
``mega.nz``), or, for a torrent index, the index's own registrable domain: the same torrent on
two indexes is two links (each index gets its own notice), while its info-hash (``btih/<hex>``)
is the same on both. File hosts keep the keys they always had (``filekeys.py``: ``mega.nz:ID``,
``dropbox.com:s/ID``) because stored links carry them; every other key names its kind of content
(``x.com:status/ID``, ``instagram.com:post/CODE``, ``tiktok.com:video/ID``).

A rule only recognises shapes whose id is certain; anything else has no content key and is
compared by its URL (``CanonicalURL.identity_key``). Shorteners never have one: what they point to
is only known after a fetch (``shorteners.py``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Final, final

from .filekeys import FILE_HOSTS, Extractor, query_param


@final
class IdentityRule:
    """How one platform names its content: ``extract`` reads the id from a canonical URL.

    ``namespace`` is the key's prefix and the platform's home domain (routing for an alias such
    as ``ul.to`` falls back to it); empty means the registrable domain of each URL's host.
    ``file_host``: the key is also the link's ``file_key``.
    """

    __slots__ = ("extract", "file_host", "namespace")

    def __init__(self, namespace: str, extract: Extractor, file_host: bool = False) -> None:
        self.namespace = namespace
        self.extract = extract
        self.file_host = file_host


def _digits(value: str | None) -> str | None:
    """``value`` when it is a non-empty string of ASCII digits."""
    if value and value.isascii() and value.isdigit():
        return value
    return None


def _token(value: str | None, extra: str = "") -> str | None:
    """``value`` when it is non-empty and made of ASCII letters, digits and ``extra``."""
    if not value or not value.isascii():
        return None
    for char in value:
        if not (char.isalnum() or char in extra):
            return None
    return value


def _only(segments: list[str]) -> str | None:
    """The single segment of a one-segment path (``/name`` or ``/name/``), else None."""
    if len(segments) == 1 or (len(segments) == 2 and not segments[1]):
        return segments[0] or None
    return None


def _name(value: str | None, longest: int, extra: str, reserved: frozenset[str]) -> str | None:
    """A user name (compared in lower case on every platform here), or None."""
    found = _token(value, extra)
    if found is None or len(found) > longest:
        return None
    lowered = found.lower()
    return None if lowered in reserved else lowered


# --- X / Twitter -------------------------------------------------------------------------------
# /<user>/status/<id>[/photo/1|/video/1|/analytics|…], /<user>/statuses/<id>, /i/web/status/<id>,
# /i/status/<id>, /statuses/<id>, platform.twitter.com/embed/Tweet.html?id=<id>; the user name
# and the query never matter (X redirects a status under any name to its author). A profile is
# /<name> alone, without a query (a page such as /search?q=… must not collapse).

_X_STATUS: Final = frozenset({"status", "statuses"})
_X_RESERVED: Final = frozenset(
    {
        "home",
        "explore",
        "search",
        "notifications",
        "messages",
        "settings",
        "compose",
        "login",
        "logout",
        "signup",
        "i",
        "intent",
        "share",
        "hashtag",
        "tos",
        "privacy",
        "about",
        "download",
        "jobs",
        "account",
    }
)


def _x(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    count = len(segments)
    head = segments[0]
    found: str | None = None
    if head == "i":
        if count >= 4 and segments[1] == "web" and segments[2] == "status":
            found = segments[3]
        elif count >= 3 and segments[1] == "status":
            found = segments[2]
    elif head == "statuses" and count >= 2:
        found = segments[1]
    elif count >= 3 and segments[1] in _X_STATUS:
        found = segments[2]
    elif head == "embed" and count >= 2 and segments[1] == "Tweet.html":
        found = query_param(query, "id")
    if found is not None:
        status = _digits(found)
        return "status/" + status if status else None
    if not query:
        name = _name(_only(segments), 15, "_", _X_RESERVED)
        if name is not None:
            return "user/" + name
    return None


# --- Instagram ---------------------------------------------------------------------------------
# /p/<code>, /reel/<code>, /reels/<code>, /tv/<code>, each also under /<user>/…: one media code
# (case matters). /reels/audio/<id> is a sound's page, /stories/<user>/<id> a story,
# /stories/highlights/<id> a highlight, /<name>/ a profile.

_IG_MEDIA: Final = frozenset({"p", "reel", "reels", "tv"})
_IG_RESERVED: Final = frozenset(
    {
        "explore",
        "accounts",
        "direct",
        "stories",
        "about",
        "legal",
        "developer",
        "web",
        "emails",
        "challenge",
        "session",
        "oauth",
        "api",
        "reels",
        "reel",
        "p",
        "tv",
        "privacy",
    }
)


def _instagram_code(value: str) -> str | None:
    found = _token(value, "_-")
    return "post/" + found if found is not None and 5 <= len(found) <= 64 else None


def _instagram(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    count = len(segments)
    head = segments[0]
    if head in _IG_MEDIA:
        if count < 2:
            return None
        if head == "reels" and segments[1] == "audio":
            sound = _digits(segments[2]) if count >= 3 else None
            return "audio/" + sound if sound else None
        return _instagram_code(segments[1])
    if count >= 3 and segments[1] in _IG_MEDIA:
        return _instagram_code(segments[2])
    if head == "stories" and count >= 3:
        if segments[1] == "highlights":
            highlight = _digits(segments[2])
            return "highlight/" + highlight if highlight else None
        story = _digits(segments[2])
        return "story/" + story if story else None
    if not query:
        name = _name(_only(segments), 30, "._", _IG_RESERVED)
        if name is not None:
            return "user/" + name
    return None


# --- TikTok ------------------------------------------------------------------------------------
# /@<user>/video/<id> and /@<user>/photo/<id> (one id space), m.tiktok.com/v/<id>.html, /embed/<id>,
# /embed/v2/<id>, /player/v1/<id>, /share/video/<id>; /music/<title>-<id> is a sound's page,
# /@<name> a profile. vm.tiktok.com/…, vt.tiktok.com/… and /t/… are short links: no id.


def _tiktok(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    if host.startswith(("vm.", "vt.")):
        return None
    count = len(segments)
    head = segments[0]
    found: str | None = None
    if head.startswith("@"):
        if count >= 3 and segments[1] in ("video", "photo"):
            found = segments[2]
        elif not query:
            only = _only(segments)
            name = _name(only[1:], 24, "._", frozenset()) if only else None
            return "user/" + name if name is not None else None
    elif count >= 2 and head == "v":
        found = segments[1].removesuffix(".html")
    elif count >= 2 and head == "embed":
        found = segments[2] if segments[1] == "v2" and count >= 3 else segments[1]
    elif count >= 3 and ((head == "player" and segments[1] == "v1") or (head == "share" and segments[1] == "video")):
        found = segments[2]
    elif count >= 2 and head == "music":
        sound = _digits(segments[1].rpartition("-")[2])
        return "sound/" + sound if sound else None
    video = _digits(found)
    return "video/" + video if video else None


# --- Facebook ----------------------------------------------------------------------------------
# Posts: /<page>/posts/<id>, /permalink.php?story_fbid=<id>&id=…, /story.php?story_fbid=…,
# /groups/<group>/posts/<id>, /groups/<group>/permalink/<id>. Videos (reels are videos):
# /<page>/videos/[<slug>/]<id>, /watch/?v=<id>, /watch/live/?v=<id>, /video.php?v=<id>,
# /reel/<id>. Photos: /photo.php?fbid=<id>, /photo/?fbid=<id>, /<page>/photos/a.<album>/<id>.
# /share/… links are short links (no id); post ids may be numeric or "pfbid…".


def _facebook_post(value: str | None) -> str | None:
    found = _token(value)
    return "post/" + found if found is not None else None


def _facebook_video(value: str | None) -> str | None:
    found = _digits(value)
    return "video/" + found if found is not None else None


def _facebook_photo(value: str | None) -> str | None:
    found = _digits(value)
    return "photo/" + found if found is not None else None


def _facebook(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    count = len(segments)
    head = segments[0]
    if head in ("permalink.php", "story.php"):
        return _facebook_post(query_param(query, "story_fbid"))
    if head in ("photo.php", "photo"):
        return _facebook_photo(query_param(query, "fbid"))
    if head in ("video.php", "watch"):
        return _facebook_video(query_param(query, "v"))
    if head == "reel" and count >= 2:
        return _facebook_video(segments[1])
    if head == "groups" and count >= 4 and segments[2] in ("posts", "permalink"):
        return _facebook_post(segments[3])
    if count >= 3:
        kind = segments[1]
        if kind == "posts":
            return _facebook_post(segments[2])
        if kind == "videos":
            # /<page>/videos/<id>, /<page>/videos/<slug>/<id>/, /<page>/videos/vb.<page>/<id>/
            for segment in reversed(segments[2:]):
                if segment:
                    return _facebook_video(segment)
            return None
        if kind == "photos":
            # /<page>/photos/a.<album>/<id>/ or /<page>/photos/<id>
            last = segments[3] if count >= 4 and segments[2].startswith(("a.", "pcb.", "pb.")) else segments[2]
            return _facebook_photo(last)
    return None


# --- YouTube, Vimeo, Dailymotion, Reddit -------------------------------------------------------


def _youtube(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    head = segments[0]
    found: str | None = None
    if host == "youtu.be":
        found = head
    elif head == "watch":
        found = query_param(query, "v")
    elif head in ("shorts", "embed", "v", "live", "e") and len(segments) >= 2:
        found = segments[1]
    video = _token(found, "_-")
    return "video/" + video if video is not None and len(video) == 11 else None


def _vimeo(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    count = len(segments)
    head = segments[0]
    found: str | None = None
    if head == "video" and count >= 2:  # player.vimeo.com/video/<id>
        found = segments[1]
    elif head == "channels" and count >= 3:
        found = segments[2]
    elif head == "groups" and count >= 4 and segments[2] == "videos":
        found = segments[3]
    else:
        found = head  # vimeo.com/<id> and vimeo.com/<id>/<unlisted hash>
    video = _digits(found)
    return "video/" + video if video else None


def _dailymotion(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    count = len(segments)
    found: str | None = None
    if host == "dai.ly":
        found = segments[0]
    elif segments[0] == "video" and count >= 2:
        found = segments[1]
    elif segments[0] == "embed" and count >= 3 and segments[1] == "video":
        found = segments[2]
    elif segments[0] == "player.html":
        found = query_param(query, "video")
    if found is None:
        return None
    video = _token(found.partition("_")[0])  # old shape: /video/x7tgad0_title-of-the-video
    return "video/" + video if video is not None and video.startswith("x") else None


def _reddit(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    count = len(segments)
    if host == "redd.it":
        found = _token(segments[0])
        return "post/" + found.lower() if found else None
    start = 2 if segments[0] in ("r", "user", "u") and count >= 3 else 0
    if count < start + 2 or segments[start] != "comments":
        return None
    post = _token(segments[start + 1])
    if post is None:
        return None
    # /comments/<post>/<slug>/<comment>/ and /comments/<post>/comment/<comment>/ name one comment.
    comment = _token(segments[start + 3]) if count >= start + 4 else None
    if comment is not None:
        return "comment/" + comment.lower()
    return "post/" + post.lower()


# --- Torrents ----------------------------------------------------------------------------------
# A torrent is its BitTorrent info-hash (BEP 3), written as 40 hex digits or, in magnet links,
# 32 base32 characters (BEP 9): both collapse to the 40 lower-case hex digits.

_HEX: Final = frozenset("0123456789abcdef")
_BASE32: Final = frozenset("abcdefghijklmnopqrstuvwxyz234567")
_BTIH_MARKERS: Final = ("urn:btih:", "urn%3abtih%3a")


def info_hash(value: str) -> str | None:
    """A BitTorrent v1 info-hash in hex (40) or base32 (32) form -> 40 lower-case hex digits."""
    lowered = value.lower()
    if len(lowered) == 40:
        for char in lowered:
            if char not in _HEX:
                return None
        return lowered
    if len(lowered) == 32:
        for char in lowered:
            if char not in _BASE32:
                return None
        try:
            return base64.b32decode(lowered.upper()).hex()
        except (binascii.Error, ValueError):
            return None
    return None


def _btih_in(text: str) -> str | None:
    """The info-hash after the first ``urn:btih:`` (plain or percent-encoded) in ``text``."""
    lowered = text.lower()
    for marker in _BTIH_MARKERS:
        start = lowered.find(marker)
        if start == -1:
            continue
        start += len(marker)
        end = start
        while end < len(lowered) and (lowered[end].isascii() and lowered[end].isalnum()):
            end += 1
        return info_hash(text[start:end])
    return None


def magnet_key(text: object) -> str | None:
    """``"magnet:btih/<hex>"`` for a magnet link holding a BitTorrent v1 info-hash, else None.

    A magnet link names a torrent, not a place: it has no host to send a notice to, and the page
    it was found on is the link to report. Its key lets that page's key be matched to it.
    """
    if not isinstance(text, str) or not text.strip().lower().startswith("magnet:"):
        return None
    found = _btih_in(text)
    return "magnet:btih/" + found if found else None


def query_torrent_id(query: str) -> str | None:
    """``btih/<hex>`` when a query carries a magnet link or an ``xt=urn:btih:`` (any site)."""
    found = _btih_in(query)
    return "btih/" + found if found else None


def _hash_segment(index: int) -> Extractor:
    """Indexes that put the info-hash in a path segment (``/HASH``, ``/torrent/HASH.torrent``)."""

    def extract(segments: list[str], query: str, fragment: str, host: str) -> str | None:
        if index >= len(segments):
            return None
        found = info_hash(segments[index].removesuffix(".torrent").removesuffix(".html"))
        return "btih/" + found if found else None

    return extract


def _after_segment(marker: str) -> Extractor:
    """Indexes whose pages are ``/<marker>/<HASH>`` (``/magnet/HASH``, ``/torrent/download/HASH``)."""

    def extract(segments: list[str], query: str, fragment: str, host: str) -> str | None:
        for position in range(len(segments) - 1):
            if segments[position] == marker:
                found = info_hash(segments[position + 1].removesuffix(".torrent"))
                return "btih/" + found if found else None
        return None

    return extract


def _numbered(markers: tuple[str, ...], param_pages: tuple[str, ...] = (), param: str = "") -> Extractor:
    """Indexes with numbered torrent pages: ``/<marker>/<n>[/slug]`` or ``<page>?<param>=<n>``."""

    def extract(segments: list[str], query: str, fragment: str, host: str) -> str | None:
        found: str | None = None
        if len(segments) >= 2 and segments[0] and segments[0] in markers:
            found = segments[1].removesuffix(".torrent")
        elif param and segments[-1] in param_pages:
            found = query_param(query, param)
        number = _digits(found)
        return "torrent/" + number if number else None

    return extract


# --- The table ---------------------------------------------------------------------------------

_X_RULE: Final = IdentityRule("x.com", _x)
_INSTAGRAM_RULE: Final = IdentityRule("instagram.com", _instagram)
_TIKTOK_RULE: Final = IdentityRule("tiktok.com", _tiktok)
_FACEBOOK_RULE: Final = IdentityRule("facebook.com", _facebook)
_YOUTUBE_RULE: Final = IdentityRule("youtube.com", _youtube)
_VIMEO_RULE: Final = IdentityRule("vimeo.com", _vimeo)
_DAILYMOTION_RULE: Final = IdentityRule("dailymotion.com", _dailymotion)
_REDDIT_RULE: Final = IdentityRule("reddit.com", _reddit)

# Host without "www." or registrable domain -> its platform's rule (looked up in that order).
CONTENT_HOSTS: dict[str, IdentityRule] = {
    **{host: IdentityRule(prefix, extractor, True) for host, (prefix, extractor) in FILE_HOSTS.items()},
    # X, and the embed fixers that show its posts under the same paths.
    "x.com": _X_RULE,
    "twitter.com": _X_RULE,
    "fxtwitter.com": _X_RULE,
    "vxtwitter.com": _X_RULE,
    "fixupx.com": _X_RULE,
    "fixvx.com": _X_RULE,
    "twittpr.com": _X_RULE,
    "instagram.com": _INSTAGRAM_RULE,
    "instagr.am": _INSTAGRAM_RULE,
    "ddinstagram.com": _INSTAGRAM_RULE,
    "tiktok.com": _TIKTOK_RULE,
    "facebook.com": _FACEBOOK_RULE,
    "fb.com": _FACEBOOK_RULE,
    "youtube.com": _YOUTUBE_RULE,
    "youtu.be": _YOUTUBE_RULE,
    "youtube-nocookie.com": _YOUTUBE_RULE,
    "vimeo.com": _VIMEO_RULE,
    "dailymotion.com": _DAILYMOTION_RULE,
    "dai.ly": _DAILYMOTION_RULE,
    "reddit.com": _REDDIT_RULE,
    "redd.it": _REDDIT_RULE,
    # Torrent indexes: each index is its own namespace (its own notice), the info-hash is shared.
    "btdig.com": IdentityRule("", _hash_segment(0)),
    "torrentz2.eu": IdentityRule("", _hash_segment(0)),
    "torrentz2.is": IdentityRule("", _hash_segment(0)),
    "itorrents.org": IdentityRule("", _after_segment("torrent")),
    "bt4gprx.com": IdentityRule("", _after_segment("magnet")),
    "yts.mx": IdentityRule("", _after_segment("download")),
    "yts.am": IdentityRule("", _after_segment("download")),
    "yts.lt": IdentityRule("", _after_segment("download")),
    "thepiratebay.org": IdentityRule("", _numbered(("torrent",), ("description.php",), "id")),
    "1337x.to": IdentityRule("", _numbered(("torrent",))),
    "1337x.st": IdentityRule("", _numbered(("torrent",))),
    "x1337x.ws": IdentityRule("", _numbered(("torrent",))),
    "torrentgalaxy.to": IdentityRule("", _numbered(("torrent",))),
    "nyaa.si": IdentityRule("", _numbered(("view", "download"))),
    "rutracker.org": IdentityRule("", _numbered((), ("viewtopic.php", "dl.php"), "t")),
}


def identity_rule(host: str, site: str) -> IdentityRule | None:
    """The content rule for ``host`` (lower case, without ``www.``) or its registrable domain."""
    return CONTENT_HOSTS.get(host) or CONTENT_HOSTS.get(site)


def content_key_of(rule: IdentityRule, host: str, site: str, path: str, query: str, fragment: str) -> str | None:
    """The content key of a canonical URL on a host ``rule`` covers, or None."""
    found = rule.extract(path[1:].split("/"), query, fragment, host)
    if found is None:
        return None
    return f"{rule.namespace or site}:{found}"


def routing_domain(host: str, site: str) -> str | None:
    """The platform's home domain when ``host`` is one of its aliases (``ul.to`` -> ``uploaded.net``).

    Only for routing and identity: a notice cites the URL as it was reported.
    """
    bare = host[4:] if host.startswith("www.") else host
    rule = identity_rule(bare, site)
    if rule is None or not rule.namespace or rule.namespace == site:
        return None
    return rule.namespace


def info_hash_of(key: str) -> str | None:
    """The info-hash in a torrent content key (``<site>:btih/<hex>``, ``magnet:btih/<hex>``)."""
    head, found, rest = key.partition(":btih/")
    return rest if found and head and len(rest) == 40 else None
