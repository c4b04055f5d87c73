"""The recipients' answer API: ``POST /api/v1/notices/{id}/answer`` with a per-platform token.

A ``Router`` mounted by the project's NinjaAPI under ``/notices``. Authentication is
``Authorization: Bearer snp_…`` (a ``PlatformApiToken``); a notice not addressed to the token's
platform is a 404, like one that does not exist. An answer identical to the one on record for an
address (same decision, reason and counter-notice) is a replay: nothing new is recorded and the
reply names the earlier answer (``replay: true``), so a platform may retry safely. Errors are
``{"error": {"code", "message"}}``:

=====  ==================  ===============================================================
400    invalid_request     the body does not match the schema
401    unauthenticated     no platform token, or an unknown or revoked one
429    rate_limited        more than SENTINELLE_ANSWER_API_RATE_LIMIT requests a minute with this token
400    unknown_item        an address (``url``) or position (``n``) is not in this notice
400    reason_required     a refusal without its reason
400    content_required    a counter-notice without its content
404    not_found           no such notice for this platform
409    not_delivered       the notice has not been delivered yet
=====  ==================  ===============================================================
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from sentinelle.core import ratelimit
from sentinelle.notices import services
from sentinelle.notices.models import Notice, NoticeItem, PlatformApiToken
from sentinelle.takedowns.schemas import ErrorOut

MAX_ID = 2**63 - 1


class PlatformTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> PlatformApiToken | None:
        found = services.authenticate_platform_token(token.strip())
        if found is not None:
            ratelimit.hit_platform_key(request, found.pk)
        return found


class ItemAnswerIn(Schema):
    url: str | None = Field(None, max_length=8192, description="The address as listed in the notice.")
    n: int | None = Field(None, ge=1, le=1_000_000, description="Or its position in the notice.")
    decision: Literal["actioned", "refused", "counter_notice"]
    reason: str = Field("", max_length=10_000, description="Required when refused.")
    counter_notice: str = Field("", max_length=100_000, description="Required for a counter-notice.")


class AnswerIn(Schema):
    items: list[ItemAnswerIn] = Field(..., min_length=1, max_length=1000)


class RecordedOut(Schema):
    n: int = Field(description="The address's position in the notice.")
    url: str
    decision: str
    answer_id: int
    received_at: datetime
    replay: bool = Field(description="True: this answer was already on record; nothing new was recorded.")


class AnswerOut(Schema):
    notice_id: int
    status: str
    recorded: int = Field(description="Answers newly recorded (replays excluded).")
    answers: list[RecordedOut]


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def build_router() -> Router:
    """A fresh router (a Router can belong to one NinjaAPI only; tests mount their own)."""
    router = Router(auth=PlatformTokenAuth(), tags=["notices"])

    @router.post(
        "/{notice_id}/answer",
        response={
            200: AnswerOut,
            400: ErrorOut,
            401: ErrorOut,
            404: ErrorOut,
            409: ErrorOut,
            413: ErrorOut,
            429: ErrorOut,
        },
        summary="Answer a notice: per address, actioned, refused (with a reason) or counter-notice",
    )
    def answer(request: HttpRequest, notice_id: int, payload: AnswerIn) -> Status[Any]:
        token: PlatformApiToken = request.auth  # type: ignore[attr-defined]
        notice = None
        if 0 < notice_id <= MAX_ID:
            notice = Notice.objects.filter(pk=notice_id, recipient_platform_id=token.platform_id).first()
        if notice is None:
            return Status(404, _error("not_found", "No such notice for this platform."))
        items = list(NoticeItem.objects.filter(notice=notice))
        by_url = {item.url: item for item in items}
        by_n = {item.position: item for item in items}
        decisions: list[services.ItemDecision] = []
        for row in payload.items:
            item = by_url.get(row.url or "") if row.url is not None else by_n.get(row.n or 0)
            if item is None:
                return Status(400, _error("unknown_item", f"Not in this notice: {row.url or row.n!r}"[:300]))
            decisions.append(
                services.ItemDecision(item=item, decision=row.decision, reason=row.reason, content=row.counter_notice)
            )
        try:
            recorded = services.record_answers(notice, decisions, token=token)
        except services.AnswerError as exc:
            return Status(exc.http_status, _error(exc.code, exc.message))
        answers = [
            {
                "n": d.item.position,
                "url": d.item.url,
                "decision": r.answer.decision,
                "answer_id": r.answer.pk,
                "received_at": r.answer.received_at,
                "replay": r.replay,
            }
            for d, r in zip(decisions, recorded, strict=True)
        ]
        new = sum(1 for r in recorded if not r.replay)
        return Status(200, {"notice_id": notice.pk, "status": notice.status, "recorded": new, "answers": answers})

    return router


router = build_router()
