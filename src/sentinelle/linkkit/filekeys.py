"""File keys: the id of one file on a file host, whatever the shape of the link.

A cyberlocker serves one upload under several URL shapes (``mega.nz/file/ID#key`` and
``mega.nz/#!ID!key``; ``drive.google.com/file/d/ID/view`` and ``/open?id=ID``). Two links with the
same file key are the same link for dedupe and for the notice. The table maps a host (without
``www.``) or a registrable domain to an extractor; the key is ``"<site>:<id>"``.
"""

from __future__ import annotations

from collections.abc import Callable

# (path segments after the leading "/", raw query without "?", fragment without "#", host)
Extractor = Callable[[list[str], str, str, str], "str | None"]


def _segment(segments: list[str], index: int) -> str | None:
    if index < len(segments) and segments[index]:
        return segments[index]
    return None


def _after(segments: list[str], markers: frozenset[str]) -> str | None:
    """The segment that follows the first of ``markers`` in the path (``/file/<ID>/name``)."""
    for i, seg in enumerate(segments[:-1]):
        if seg in markers:
            return segments[i + 1] or None
    return None


def query_param(query: str, name: str) -> str | None:
    """The raw value of the first ``name=…`` piece of ``query`` (None when absent or empty)."""
    prefix = name + "="
    for piece in query.split("&"):
        if piece.startswith(prefix):
            return piece[len(prefix) :] or None
    return None


def _bare_query(query: str) -> str | None:
    """``?ID`` or ``?ID&af=1``: a first query piece with no ``=`` is the file id."""
    first = query.split("&", 1)[0]
    if first and "=" not in first:
        return first
    return None


def _mega(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    head = _segment(segments, 0)
    if head in ("file", "embed") and _segment(segments, 1):
        return segments[1]
    if head == "folder" and _segment(segments, 1):
        return "folder/" + segments[1]
    # Legacy shapes keep everything in the fragment: "#!ID!key", "#F!ID!key".
    if fragment.startswith("!"):
        return fragment.split("!")[1] or None
    if fragment.startswith("F!"):
        found = fragment.split("!")[1]
        return "folder/" + found if found else None
    return None


_MEDIAFIRE_MARKERS = frozenset({"file", "download", "view", "file_premium", "listen"})


def _mediafire(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    return _after(segments, _MEDIAFIRE_MARKERS) or _bare_query(query)


def _onefichier(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    found = _bare_query(query)
    if found:
        return found.lower()
    # Old shape: the id is the first label, "https://abcd1234.1fichier.com/".
    label = host.split(".", 1)[0]
    if host.count(".") >= 2 and label not in ("www", "img", "api"):
        return label
    return None


def _first_segment(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    seg = _segment(segments, 0)
    if seg is None:
        return None
    return seg.removesuffix(".html")


def _uptobox(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    if _segment(segments, 0) == "iframe":
        return _segment(segments, 1)
    return _first_segment(segments, query, fragment, host)


_FILE_MARKERS = frozenset({"file"})


def _after_file(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    return _after(segments, _FILE_MARKERS)


def _uploaded(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    return _after(segments, _FILE_MARKERS) or (
        _first_segment(segments, query, fragment, host) if host == "ul.to" else None
    )


def _turbobit(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    if _segment(segments, 0) == "download" and _segment(segments, 1) == "free":
        return _segment(segments, 2)
    return _first_segment(segments, query, fragment, host)


def _zippyshare(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    # Ids are only unique per storage server (www12.zippyshare.com), so the server is in the key.
    server = host.split(".", 1)[0]
    found = _after(segments, frozenset({"v", "d"}))
    return f"{server}/{found}" if found else None


_GDRIVE_MARKERS = frozenset({"d"})


def _google_drive(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    if _segment(segments, 0) == "file":
        return _after(segments, _GDRIVE_MARKERS)
    if _segment(segments, 0) in ("open", "uc"):
        return query_param(query, "id")
    return None


def _dropbox(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    head = _segment(segments, 0)
    if head in ("s", "sh") and _segment(segments, 1):
        return f"{head}/{segments[1]}"
    if head == "scl" and _segment(segments, 1) == "fi" and _segment(segments, 2):
        return "fi/" + segments[2]
    return None


_FOURSHARED_MARKERS = frozenset({"file", "mp3", "rar", "zip", "office", "video", "photo", "document", "s", "get"})


def _fourshared(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    return _after(segments, _FOURSHARED_MARKERS)


def _after_marker(*markers: str) -> Extractor:
    wanted = frozenset(markers)

    def extract(segments: list[str], query: str, fragment: str, host: str) -> str | None:
        return _after(segments, wanted)

    return extract


def _yandex_disk(segments: list[str], query: str, fragment: str, host: str) -> str | None:
    if _segment(segments, 0) in ("d", "i") and _segment(segments, 1):
        return f"{segments[0]}/{segments[1]}"
    return None


# host or registrable domain -> (key prefix, extractor)
FILE_HOSTS: dict[str, tuple[str, Extractor]] = {
    "mega.nz": ("mega.nz", _mega),
    "mega.co.nz": ("mega.nz", _mega),
    "mega.io": ("mega.nz", _mega),
    "mediafire.com": ("mediafire.com", _mediafire),
    "1fichier.com": ("1fichier.com", _onefichier),
    # 1fichier serves the same uploads under its alias domains.
    **{
        alias: ("1fichier.com", _onefichier)
        for alias in (
            "alterupload.com",
            "cjoint.net",
            "desfichiers.com",
            "dfichiers.com",
            "megadl.fr",
            "mesfichiers.org",
            "piecejointe.net",
            "pjointe.com",
            "tenvoi.com",
            "dl4free.com",
        )
    },
    "uptobox.com": ("uptobox.com", _uptobox),
    "uptobox.fr": ("uptobox.com", _uptobox),
    "uptobox.eu": ("uptobox.com", _uptobox),
    "uptostream.com": ("uptobox.com", _uptobox),
    "rapidgator.net": ("rapidgator.net", _after_file),
    "rg.to": ("rapidgator.net", _after_file),
    "uploaded.net": ("uploaded.net", _uploaded),
    "uploaded.to": ("uploaded.net", _uploaded),
    "ul.to": ("uploaded.net", _uploaded),
    "turbobit.net": ("turbobit.net", _turbobit),
    "zippyshare.com": ("zippyshare.com", _zippyshare),
    "drive.google.com": ("drive.google.com", _google_drive),
    "docs.google.com": ("drive.google.com", _google_drive),
    "drive.usercontent.google.com": ("drive.google.com", _google_drive),
    "dropbox.com": ("dropbox.com", _dropbox),
    "dl.dropboxusercontent.com": ("dropbox.com", _dropbox),
    "4shared.com": ("4shared.com", _fourshared),
    "krakenfiles.com": ("krakenfiles.com", _after_marker("view")),
    "gofile.io": ("gofile.io", _after_marker("d")),
    "pixeldrain.com": ("pixeldrain.com", _after_marker("u", "file", "l")),
    "sendspace.com": ("sendspace.com", _after_file),
    "nitroflare.com": ("nitroflare.com", _after_marker("view")),
    "nitro.download": ("nitroflare.com", _after_marker("view")),
    "katfile.com": ("katfile.com", _first_segment),
    "ddownload.com": ("ddownload.com", _first_segment),
    "filefactory.com": ("filefactory.com", _after_file),
    "workupload.com": ("workupload.com", _after_file),
    "disk.yandex.ru": ("disk.yandex", _yandex_disk),
    "disk.yandex.com": ("disk.yandex", _yandex_disk),
    "yadi.sk": ("disk.yandex", _yandex_disk),
}

# Hosts whose fragment identifies content and is kept by canonicalisation: MEGA puts the file or
# folder id (legacy "#!ID!key") and the decryption key in the fragment, and a notice without the
# key points at nothing a reviewer can check.
FRAGMENT_HOSTS: frozenset[str] = frozenset({"mega.nz", "mega.co.nz", "mega.io"})
