"""Readers written from the specifications of the systems our notices land in, not from our writers.

Each one reads what the service produced the way the receiving system would, and refuses what
that system would refuse:

* ``parse_google_bulk`` — Google's bulk submission layout as Google describes it: one block per
  work, ``#`` lines describing the work, then the URL of an authorised example, then the work's
  infringing URLs, one URL a line.
* ``LumenReceiver`` — a local ``POST /notices`` endpoint that checks a notice against the notice
  parameters of Lumen's API (https://lumendatabase.org; the parameters as documented in Lumen's
  public API documentation on GitHub, written here from that documentation as remembered, not
  fetched: this machine reaches no website): the token header, the ``notice`` object's permitted
  and required keys, the works and their URLs, and each entity's role, kind and fields.
* ``verify_standard_webhooks`` — the Standard Webhooks signature check, by hand from the
  specification (HMAC-SHA256 over ``id.timestamp.body``, base64; ``whsec_`` keys are base64; a
  space-separated list of ``v1,<signature>``), not through the ``standardwebhooks`` library the
  channel signs with.
* ``MSG_ID`` — RFC 5322 §3.6.4's ``msg-id`` (``"<" id-left "@" id-right ">"``, dot-atom forms), for
  the threading headers; e-mails themselves are read with the standard library's RFC 5322 parser.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# --- Google's bulk layout -------------------------------------------------------------------------


class BulkFormatError(ValueError):
    pass


@dataclass
class BulkWork:
    description: list[str] = field(default_factory=list)
    authorised_example: str = ""
    infringing: list[str] = field(default_factory=list)


def _is_web_url(line: str) -> bool:
    parts = urlsplit(line)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in line)


def parse_google_bulk(text: str) -> list[BulkWork]:
    """Every work of a bulk file with its authorised example and exactly its infringing URLs."""
    works: list[BulkWork] = []
    current: BulkWork | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if current is None or current.authorised_example:
                current = BulkWork()  # a description after URLs starts the next work
                works.append(current)
            current.description.append(line[1:].strip())
            continue
        if current is None:
            raise BulkFormatError(f"line {number}: a URL before any work is described")
        if not _is_web_url(line):
            raise BulkFormatError(f"line {number}: neither a # line nor a URL: {line!r}")
        if not current.authorised_example:
            current.authorised_example = line
        else:
            current.infringing.append(line)
    for work in works:
        if not work.infringing:
            raise BulkFormatError(f"work {work.description[:1]} has no infringing URL")
    return works


# --- Lumen ----------------------------------------------------------------------------------------

LUMEN_NOTICE_PERMITTED = {
    "title",
    "type",
    "subject",
    "date_sent",
    "date_received",
    "source",
    "tag_list",
    "jurisdiction_list",
    "action_taken",
    "language",
    "body",
    "works_attributes",
    "entity_notice_roles_attributes",
}
LUMEN_NOTICE_REQUIRED = {"title", "works_attributes", "entity_notice_roles_attributes"}
LUMEN_TYPES = {
    "DMCA",
    "Counterfeit",
    "CourtOrder",
    "DataProtection",
    "Defamation",
    "GovernmentRequest",
    "LawEnforcementRequest",
    "Other",
    "PrivateInformation",
    "Trademark",
}
LUMEN_ACTIONS = {"Yes", "No", "Partial", "Unspecified"}
LUMEN_WORK_PERMITTED = {"description", "kind", "infringing_urls_attributes", "copyrighted_urls_attributes"}
LUMEN_ROLES = {"recipient", "sender", "principal", "submitter", "attorney"}
LUMEN_ENTITY_PERMITTED = {
    "name",
    "kind",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "zip",
    "country_code",
    "phone",
    "email",
    "url",
}
LUMEN_ENTITY_KINDS = {"individual", "organization"}


def _date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _url_list(value: object, where: str, errors: list[str], *, required: bool) -> None:
    if not isinstance(value, list) or (required and not value):
        errors.append(f"{where}: a non-empty list of {{url}}" if required else f"{where}: a list of {{url}}")
        return
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"url"} or not _is_web_url(str(entry["url"])):
            errors.append(f"{where}: {entry!r} is not {{'url': <http(s) URL>}}")


def lumen_errors(document: object) -> list[str]:
    """What Lumen's notice parameters would refuse in ``document`` (empty: accepted)."""
    if not isinstance(document, dict) or set(document) != {"notice"} or not isinstance(document["notice"], dict):
        return ["the body must be {'notice': {...}}"]
    notice = document["notice"]
    errors = [f"notice.{key} is not a notice parameter" for key in sorted(set(notice) - LUMEN_NOTICE_PERMITTED)]
    errors += [f"notice.{key} is required" for key in sorted(LUMEN_NOTICE_REQUIRED - set(notice))]
    if notice.get("type", "DMCA") not in LUMEN_TYPES:
        errors.append(f"notice.type {notice.get('type')!r} is not a Lumen notice type")
    if "action_taken" in notice and notice["action_taken"] not in LUMEN_ACTIONS:
        errors.append(f"notice.action_taken {notice['action_taken']!r}")
    errors += [
        f"notice.{key} is not a date"
        for key in ("date_sent", "date_received")
        if key in notice and not _date(notice[key])
    ]
    for n, work in enumerate(notice.get("works_attributes") or [{}]):
        errors += [f"works_attributes[{n}].{key} is not permitted" for key in sorted(set(work) - LUMEN_WORK_PERMITTED)]
        if not str(work.get("description", "")).strip():
            errors.append(f"works_attributes[{n}].description is required")
        _url_list(
            work.get("infringing_urls_attributes"),
            f"works_attributes[{n}].infringing_urls_attributes",
            errors,
            required=True,
        )
        if "copyrighted_urls_attributes" in work:
            _url_list(
                work["copyrighted_urls_attributes"],
                f"works_attributes[{n}].copyrighted_urls_attributes",
                errors,
                required=False,
            )
    roles = notice.get("entity_notice_roles_attributes") or []
    for n, role in enumerate(roles):
        errors += _entity_errors(n, role)
    if not any(isinstance(r, dict) and r.get("name") == "recipient" for r in roles):
        errors.append("a notice names its recipient")
    return errors


def _entity_errors(n: int, role: object) -> list[str]:
    where = f"entity_notice_roles_attributes[{n}]"
    if not isinstance(role, dict) or set(role) != {"name", "entity_attributes"}:
        return [f"{where} must be {{name, entity_attributes}}"]
    errors = [] if role["name"] in LUMEN_ROLES else [f"{where}.name {role['name']!r} is not a role"]
    entity = role["entity_attributes"]
    errors += [f"{where}.{key} is not permitted" for key in sorted(set(entity) - LUMEN_ENTITY_PERMITTED)]
    if not str(entity.get("name", "")).strip():
        errors.append(f"{where}.name is required")
    if entity.get("kind") not in LUMEN_ENTITY_KINDS:
        errors.append(f"{where}.kind {entity.get('kind')!r} is neither individual nor organization")
    if "country_code" in entity and not re.fullmatch(r"[A-Z]{2}", str(entity["country_code"])):
        errors.append(f"{where}.country_code {entity['country_code']!r}")
    return errors


class LumenReceiver:
    """``POST /notices`` on 127.0.0.1 (an ephemeral port): 201 for an acceptable notice, 422 with the
    errors otherwise, 401 without the token; ``statuses`` queued ahead force answers (503…)."""

    def __init__(self, token: str, statuses: list[int] | None = None) -> None:
        self.token = token
        self.statuses = list(statuses or [])
        self.received: list[dict[str, Any]] = []
        self.refused: list[list[str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = receiver.answer(self.path, dict(self.headers), body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if self.statuses:
            return self.statuses.pop(0), {"error": "forced"}
        if path != "/notices":
            return 404, {"error": "not found"}
        if headers.get("X-Authentication-Token") != self.token:
            return 401, {"error": "authentication token missing or wrong"}
        if not headers.get("Content-Type", "").startswith("application/json"):
            return 415, {"error": "JSON only"}
        document = json.loads(body)
        errors = lumen_errors(document)
        if errors:
            self.refused.append(errors)
            return 422, {"errors": errors}
        self.received.append(document)
        return 201, {"id": len(self.received)}

    def __enter__(self) -> LumenReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- Standard Webhooks ----------------------------------------------------------------------------


def verify_standard_webhooks(secret: str, headers: dict[str, str], body: bytes, now: dt.datetime) -> bool:
    """The specification's receiver: a five-minute window, then any ``v1`` signature that matches."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(now.timestamp() - int(timestamp)) > 5 * 60:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    for entry in headers["webhook-signature"].split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return True
    return False


# --- E-mail ---------------------------------------------------------------------------------------

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
MSG_ID = re.compile(rf"<{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[^\[\]\\]*\])>")


def msg_ids(header: str) -> list[str]:
    """The msg-ids of an In-Reply-To or References field (RFC 5322 §3.6.4), refusing anything else."""
    items = header.split()
    if not items or not all(MSG_ID.fullmatch(item) for item in items):
        raise ValueError(f"not a list of msg-id: {header!r}")
    return items
