"""The member's REST API (/api/v1): the same three steps as the pages, as JSON.

Thin on purpose: every rule is in services/selectors, shared with the pages. This module
authenticates a personal token, counts the request against the token's rate limit, validates
input (schemas.py), calls one service or selector, and shapes the answer.

Every 4xx answer is ``{"error": {"code": ..., "message": ...}}`` with a stable ``code``:

=====  ==================  ==========================================================
400    invalid_request     the query, path or body does not match the schema
400    invalid_action      (from the intake) no valid action chosen
400    empty               no line to take
400    binary              the text holds binary data (NUL bytes)
401    unauthenticated     no token, an unknown or revoked one (WWW-Authenticate: Bearer)
403    not_a_member        the token's account has no member profile (staff, investigators)
403    not_staff           (staff import) the token's account is not staff
400    bad_file            (staff import) neither CSV with a work,url,action header nor JSON lines
404    not_found           no such work in *your* catalogue / link in *your* history
404    not_found           (core.middleware) no endpoint at this path
405    method_not_allowed  (core.middleware) another method is expected here (Allow header)
413    too_large           the text is over SENTINELLE_MAX_SUBMISSION_BYTES, or the body is
413    too_many_lines      more lines than SENTINELLE_MAX_LINES_PER_SUBMISSION
429    rate_limited        over SENTINELLE_API_RATE_LIMIT requests a minute (Retry-After)
=====  ==================  ==========================================================

POST /staff/members/{number}/links/import is the staff bulk import (services/bulk.py): staff
tokens only, CSV or JSON lines in the body, a report of every line not imported.

POST /works/{id}/links answers 201 when at least one line was accepted (links were created)
and 200 when every line was refused: the verdicts are in the body either way.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from sentinelle import conf
from sentinelle.catalogue.selectors import get_member_work, search_member_works
from sentinelle.core import ratelimit
from sentinelle.members.models import Member, User
from sentinelle.members.selectors import member_for_user
from sentinelle.members.services import authenticate_api_token, hash_api_token
from sentinelle.takedowns import selectors, services
from sentinelle.takedowns.models import LinkEvent, ReportedLink
from sentinelle.takedowns.schemas import (
    MAX_ID,
    ErrorOut,
    ImportOut,
    LinkDetailOut,
    LinkPage,
    LinksQuery,
    SubmissionIn,
    SubmissionOut,
    WorkPage,
    WorksQuery,
)
from sentinelle.takedowns.services import bulk

logger = logging.getLogger(__name__)

VERDICT_TEXT_LIMIT = 2000


# Intake errors about size are 413; the rest of the intake's whole-submission refusals are 400.
@dataclass(frozen=True)
class ApiCaller:
    user: User
    member: Member | None


class NotAMember(Exception):
    pass


class NotStaff(Exception):
    pass


class TokenAuth(HttpBearer):
    """``Authorization: Bearer snt_…`` → the caller; then one hit on the token's rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiCaller | None:
        token = token.strip()
        user = authenticate_api_token(token)
        if user is None:
            return None
        ratelimit.hit_api_key(request, hash_api_token(token))
        return ApiCaller(user=user, member=member_for_user(user))


api = NinjaAPI(
    title="Sentinelle API",
    version="1",
    description=(
        "Report unlawful links to your works and follow them. Authenticate with a personal key from "
        "your account page: `Authorization: Bearer snt_…`. Every 4xx answer is "
        '`{"error": {"code": "…", "message": "…"}}` with a stable code.'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    # Without deep links Swagger UI puts no link inside each operation's button (axe: nested-interactive).
    docs=Swagger(settings={"deepLinking": False}),
    auth=TokenAuth(),
)

# The errors every authenticated operation may answer (declared so the schema tells the truth).
_COMMON_ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


# --- error answers ---------------------------------------------------------------------------


def error_response(
    request: HttpRequest, status: int, code: str, message: str, *, details: list[dict[str, Any]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in errors
    ]


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = _validation_details(exc.errors)
    fields = ", ".join(".".join(d["loc"]) for d in details[:5])
    return error_response(
        request,
        400,
        "invalid_request",
        _("The request is not valid: %(fields)s.") % {"fields": fields or _("the body")},
        details=details,
    )


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request,
        401,
        "unauthenticated",
        _(
            "A valid API key is required: send the header “Authorization: Bearer <key>”. "
            "Create a key on your account page; a revoked key no longer works."
        ),
    )
    response["WWW-Authenticate"] = 'Bearer realm="sentinelle"'
    return response


@api.exception_handler(NotAMember)
def _on_not_a_member(request: HttpRequest, exc: NotAMember) -> HttpResponse:
    return error_response(request, 403, "not_a_member", _("This key belongs to an account without a member profile."))


@api.exception_handler(NotStaff)
def _on_not_staff(request: HttpRequest, exc: NotStaff) -> HttpResponse:
    return error_response(request, 403, "not_staff", _("This operation is for the society's staff."))


@api.exception_handler(bulk.ImportFileError)
def _on_bad_file(request: HttpRequest, exc: bulk.ImportFileError) -> HttpResponse:
    return error_response(request, 400, "bad_file", _("Nothing was imported: %(reason)s") % {"reason": exc})


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(ratelimit.RateLimited)
def _on_rate_limited(request: HttpRequest, exc: ratelimit.RateLimited) -> HttpResponse:
    response = error_response(
        request,
        429,
        "rate_limited",
        _("Too many requests with this key: at most %(limit)d a minute. Retry in %(seconds)d s.")
        % {"limit": exc.limit, "seconds": exc.retry_after},
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def _on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request, 413, "too_large", _("The request body is too large. Send the links in several parts.")
    )


@api.exception_handler(services.IntakeError)
def _on_intake_error(request: HttpRequest, exc: services.IntakeError) -> HttpResponse:
    code = "not_found" if isinstance(exc, services.WorkNotFound) else exc.code
    return error_response(request, exc.http_status, code, exc.message)


_HTTP_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
}


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own: e.g. 400 "Cannot parse request body" for malformed JSON.
    code = _HTTP_ERROR_CODES.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


# --- shaping ---------------------------------------------------------------------------------


def _only_known_query(request: HttpRequest, allowed: Iterable[str] = ()) -> None:
    """A misspelt filter (``stauts=``) must not silently answer everything: unknown names are a 400."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise ValidationError(
            [{"loc": ("query", name), "msg": "Unknown query parameter", "type": "extra_forbidden"} for name in unknown]
        )


def _member(request: HttpRequest) -> Member:
    caller: ApiCaller = request.auth  # type: ignore[attr-defined]
    if caller.member is None:
        raise NotAMember()
    return caller.member


def _link_out(link: ReportedLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "url": link.url,
        "submitted_url": link.submitted_url,
        "work": {"id": link.work.pk, "title": link.work.title},
        "action": link.action,
        "status": link.status,
        "refusal_reason": link.refusal_reason or None,
        "platform": link.platform.name if link.platform else link.registrable_domain,
        "site": link.registrable_domain,
        "recipients": [str(r.get("name", "")) for r in link.recipients if isinstance(r, dict)],
        "duplicate_of": link.duplicate_of_id,
        "leads_to": link.resolved_url or None,
        "info_hash": link.info_hash or None,
        "created_at": link.created_at,
        "updated_at": link.updated_at,
    }


def _event_out(event: LinkEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "message": event.display_message(),
    }


def _verdict_out(verdict: services.LineVerdict) -> dict[str, Any]:
    text = verdict.text
    if len(text) > VERDICT_TEXT_LIMIT:
        text = text[: VERDICT_TEXT_LIMIT - 1] + "…"
    return {
        "line": verdict.line_no,
        "text": text,
        "outcome": verdict.outcome,
        "reason": verdict.reason or None,
        "message": verdict.message,
        "url": verdict.url or None,
        "platform": verdict.platform or None,
        "actions": list(verdict.actions),
        "recipients": list(verdict.recipients),
        "link_ids": list(verdict.link_ids),
        "duplicate_of": verdict.duplicate_of,
        "reappearance_of": verdict.reappearance_of,
    }


# --- operations ------------------------------------------------------------------------------


@api.get("/works", response={200: WorkPage, **_COMMON_ERRORS}, tags=["works"], summary="List my works")
def list_works(request: HttpRequest, filters: Query[WorksQuery]) -> dict[str, Any]:
    _only_known_query(request, WorksQuery.model_fields)
    member = _member(request)
    count, page = search_member_works(member, filters.q, offset=filters.offset, limit=filters.limit)
    open_links = selectors.open_link_counts(member, page)
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            {"id": w.pk, "title": w.title, "iswc": w.iswc_display or None, "open_links": open_links.get(w.pk, 0)}
            for w in page
        ],
    }


@api.post(
    "/works/{work_id}/links",
    response={200: SubmissionOut, 201: SubmissionOut, 404: ErrorOut, 413: ErrorOut, **_COMMON_ERRORS},
    tags=["links"],
    summary="Report links for one of my works",
    description="The same rules and verdicts as the report page. 201 when at least one line was accepted, "
    "200 when all were refused. A whole-submission refusal (too large, binary, no action) saves nothing.",
)
def submit_links(request: HttpRequest, work_id: Path[int], payload: SubmissionIn) -> Status[dict[str, Any]]:
    _only_known_query(request)
    member = _member(request)
    if not 1 <= work_id <= MAX_ID:
        raise services.WorkNotFound()
    caller: ApiCaller = request.auth  # type: ignore[attr-defined]
    result = services.submit_links(
        member, work_id, payload.pasted_text(), list(payload.actions), actor=caller.user, via_api=True
    )
    work = result.request.work if result.request is not None else get_member_work(member, work_id)
    body = {
        "request_id": result.request.pk if result.request is not None else None,
        "work": {"id": work.pk, "title": work.title},
        "accepted": len(result.accepted),
        "refused": len(result.refused),
        "verdicts": [_verdict_out(v) for v in result.verdicts],
        "quota": {
            "limit": result.quota_limit,
            "remaining": result.quota_remaining,
            "resets_at": result.quota_resets_at,
        },
    }
    return Status(201 if result.accepted else 200, body)


@api.get(
    "/links",
    response={200: LinkPage, **_COMMON_ERRORS},
    tags=["links"],
    summary="List my links",
    description="Newest first, a page at a time: pass a page's next_cursor (or previous_cursor) as cursor, with "
    "the same filters, for the page after (or before) it.",
)
def list_links(request: HttpRequest, filters: Query[LinksQuery]) -> dict[str, Any]:
    _only_known_query(request, LinksQuery.model_fields)
    member = _member(request)
    try:
        cursor = selectors.Cursor.decode(filters.cursor) if filters.cursor else None
    except selectors.BadCursor:
        raise ValidationError(
            [{"loc": ("query", "cursor"), "msg": "Not a cursor this API gave", "type": "value_error"}]
        ) from None
    flt = selectors.HistoryFilter(
        work_id=filters.work,
        status=filters.status or "",
        outcome=filters.outcome or "",
        platform=filters.platform,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    page = selectors.history_page(member, flt, cursor, filters.limit)
    return {
        "count": page.count,
        "count_more_than": page.more_than,
        "limit": filters.limit,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
        "items": [_link_out(x) for x in page.items],
    }


@api.get(
    "/links/{link_id}",
    response={200: LinkDetailOut, 404: ErrorOut, **_COMMON_ERRORS},
    tags=["links"],
    summary="One of my links, with its timeline",
)
def get_link(request: HttpRequest, link_id: Path[int]) -> dict[str, Any]:
    _only_known_query(request)
    member = _member(request)
    if not 1 <= link_id <= MAX_ID:
        raise Http404(_("No such link in your history."))
    try:
        link = selectors.get_member_link(member, link_id)
    except ReportedLink.DoesNotExist:
        raise Http404(_("No such link in your history.")) from None
    return {**_link_out(link), "events": [_event_out(e) for e in selectors.link_timeline(link)]}


# text/plain: the body is read as text, CSV or JSON lines, whatever the Content-Type says.
_IMPORT_BODY = {
    "required": True,
    "content": {
        "text/plain": {
            "schema": {"type": "string"},
            "example": "work,url,action\nT-034.524.680-1,https://pirate.example/f/1,remove\n",
        },
    },
}


@api.post(
    "/staff/members/{member_number}/links/import",
    response={200: ImportOut, 404: ErrorOut, 413: ErrorOut, **_COMMON_ERRORS},
    tags=["staff"],
    summary="Import links for a member (staff: crawlers, partners)",
    description="The body is CSV with a header naming work, url and action, or JSON lines of the same three keys; "
    "work is the work's id, ISWC or society code (one of the member's works), action is remove, delist or both. "
    "Every line goes through the intake's rules, outside the daily quota, 1,000 lines a transaction. Sending the "
    "same file again changes nothing: its links are recognised as already reported (duplicates). Every line not "
    "imported is listed with its line number. At most SENTINELLE_BULK_IMPORT_MAX_BYTES a request (413 otherwise, "
    "nothing imported).",
    openapi_extra={"requestBody": _IMPORT_BODY},
)
def import_member_links(
    request: HttpRequest, member_number: Path[Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9._-]+$")]]
) -> dict[str, Any]:
    _only_known_query(request)
    caller: ApiCaller = request.auth  # type: ignore[attr-defined]
    if not caller.user.is_staff:
        raise NotStaff()
    member = Member.objects.filter(member_number=member_number).first()
    if member is None:
        raise Http404(_("No member with this number."))
    limit = conf.bulk_import_max_bytes()
    body = request.read(limit + 1)
    if len(body) > limit:
        raise RequestDataTooBig()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bulk.ImportFileError(_("the body is not UTF-8 text.")) from None
    report = bulk.import_links(member, bulk.read_rows(io.StringIO(text, newline="")), actor=caller.user, via_api=True)
    return {
        "lines": report.lines,
        "accepted": report.accepted,
        "links": report.links,
        "duplicates": report.duplicates,
        "not_imported": [{"line": p.line_no, "code": p.code, "message": p.message} for p in report.problems],
    }
