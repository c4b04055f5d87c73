"""The investigators' REST API under /api/v1/investigations (personal tokens, as the members' API).

A member's token, no token or a bad one: 404 on every route, as on the pages (the routes'
existence is not disclosed). Errors are ``{"error": {"code", "message"}}`` like the rest of the API.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from sentinelle.investigations import selectors
from sentinelle.investigations.access import can_investigate
from sentinelle.investigations.errors import InvestigationError
from sentinelle.investigations.models import Evidence, Site
from sentinelle.investigations.services import dossiers, evidence
from sentinelle.takedowns.api import ApiCaller, TokenAuth
from sentinelle.takedowns.schemas import MAX_ID, ErrorOut


class InvestigatorAuth(TokenAuth):
    """A valid token of an investigator or staff account; anything else is a 404."""

    def __call__(self, request: HttpRequest) -> ApiCaller:
        caller = super().__call__(request)
        if not isinstance(caller, ApiCaller) or not can_investigate(caller.user):
            raise Http404(_("Not found."))
        return caller


class RankingQuery(Schema):
    period: Literal["30", "90", "365", "all"] = "365"
    kind: str = Field("", max_length=32)


class SiteRowOut(Schema):
    domain: str
    links: int
    works: int
    members: int
    notices: int
    actioned_share: float | None
    median_days_to_removal: float | None
    dossier_id: int | None


class OpenDossierIn(Schema):
    domains: list[str] = Field(..., min_length=1, max_length=50)
    name: str = Field("", max_length=200)


class DossierOut(Schema):
    id: int
    name: str
    status: str
    domains: list[str]


class CapturesIn(Schema):
    urls: list[str] = Field(..., min_length=1, max_length=100)


class EvidenceOut(Schema):
    id: int
    dossier_id: int
    url: str
    status: str
    captured_at: str | None
    http_status: int | None
    server_address: str
    page_title: str
    manifest_sha256: str
    screenshot: str
    time_stamp: str
    error: str


ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _invalid(exc: InvestigationError) -> Status[dict[str, Any]]:
    return Status(exc.http_status, {"error": {"code": exc.code, "message": exc.message}})


def _dossier_out(site: Site) -> dict[str, Any]:
    return {"id": site.pk, "name": site.name, "status": site.status, "domains": selectors.dossier_domains(site)}


def _evidence_out(row: Evidence) -> dict[str, Any]:
    return {
        "id": row.pk,
        "dossier_id": row.site_id,
        "url": row.url,
        "status": row.status,
        "captured_at": row.captured_at.isoformat() if row.captured_at else None,
        "http_status": row.http_status,
        "server_address": row.peer_address,
        "page_title": row.page_title,
        "manifest_sha256": row.manifest_sha256,
        "screenshot": row.screenshot_note,
        "time_stamp": row.timestamped_at.isoformat() if row.timestamped_at else row.timestamp_note,
        "error": row.error,
    }


def _site(site_id: int) -> Site:
    try:
        if not 0 < site_id <= MAX_ID:
            raise Site.DoesNotExist
        return selectors.get_dossier(site_id)
    except Site.DoesNotExist:
        raise Http404(_("No such dossier.")) from None


def _user(request: HttpRequest) -> Any:
    return request.auth.user  # type: ignore[attr-defined]


router = Router(auth=InvestigatorAuth(), tags=["investigations"])


@router.get("/sites", response={200: list[SiteRowOut], **ERRORS}, summary="Sites ranked by reported links")
def sites(request: HttpRequest, query: Query[RankingQuery]) -> Any:
    rows = selectors.site_ranking(selectors.RankingFilter(period=query.period, kind=query.kind))
    return [{**row.__dict__, "actioned_share": row.actioned_share} for row in rows]


@router.post("/dossiers", response={200: DossierOut, **ERRORS}, summary="Open (or find) the dossier of domains")
def open_dossier(request: HttpRequest, body: OpenDossierIn) -> Any:
    try:
        site = dossiers.open_dossier(body.domains, actor=_user(request), name=body.name)
    except InvestigationError as exc:
        return _invalid(exc)
    return _dossier_out(site)


@router.post(
    "/dossiers/{site_id}/captures",
    response={202: list[EvidenceOut], **ERRORS},
    summary="Queue evidence captures of addresses",
)
def capture(request: HttpRequest, site_id: Path[int], body: CapturesIn) -> Any:
    site = _site(site_id)
    try:
        rows = evidence.request_captures(site, body.urls, actor=_user(request))
    except InvestigationError as exc:
        return _invalid(exc)
    evidence.enqueue_captures(rows)
    return Status(202, [_evidence_out(row) for row in rows])


@router.get("/evidence/{evidence_id}", response={200: EvidenceOut, **ERRORS}, summary="A capture and its progress")
def evidence_detail(request: HttpRequest, evidence_id: Path[int]) -> Any:
    try:
        row = Evidence.objects.get(pk=evidence_id) if 0 < evidence_id <= MAX_ID else None
    except Evidence.DoesNotExist:
        row = None
    if row is None:
        raise Http404(_("No such capture."))
    return _evidence_out(row)
