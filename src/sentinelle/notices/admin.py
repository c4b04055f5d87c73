"""The staff's notice desk: notices by status, recipient and date; text, links, attempts, answers."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from sentinelle.notices import services
from sentinelle.notices.export import bulk_file_text, lumen_notice
from sentinelle.notices.models import (
    DeliveryAttempt,
    Notice,
    NoticeItem,
    PlatformApiToken,
    PlatformSigningKey,
    RecipientAnswer,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoticeItemInline(ReadOnlyInline):
    model = NoticeItem
    fields = ("position", "url", "site", "work_title", "work_iswc", "link")
    readonly_fields = fields


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = (
        "number",
        "started_at",
        "finished_at",
        "channel",
        "outcome",
        "response_excerpt",
        "error",
        "worker",
        "actor",
    )
    readonly_fields = fields


class RecipientAnswerInline(ReadOnlyInline):
    model = RecipientAnswer
    fields = ("item", "decision", "reason", "counter_notice", "received_at", "via_token", "recorded_by")
    readonly_fields = fields


def _download(name: str, content: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "status",
        "recipient_name",
        "channel",
        "action",
        "regime",
        "language",
        "escalation_level",
        "attempt_count",
        "sent_at",
    )
    list_filter = ("status", "channel", "regime", "action", "escalation_level", "recipient_platform")
    search_fields = ("recipient_name", "recipient_domain", "idempotency_key", "message_id", "items__url")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notice._meta.fields]
    inlines = (NoticeItemInline, DeliveryAttemptInline, RecipientAnswerInline)
    actions = ("download_bulk_files", "download_lumen", "mark_delivered_by_hand", "requeue_failed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Download the search-engine bulk file(s)"))
    def download_bulk_files(self, request: HttpRequest, queryset: QuerySet[Notice]) -> HttpResponse:
        notices = list(queryset.order_by("pk"))
        if len(notices) == 1:
            return _download(f"notice-{notices[0].pk}.txt", bulk_file_text(notices[0]).encode(), "text/plain")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for notice in notices:
                archive.writestr(f"notice-{notice.pk}.txt", bulk_file_text(notice))
        return _download("notices.zip", buffer.getvalue(), "application/zip")

    @admin.action(description=_("Download the Lumen export (JSON)"))
    def download_lumen(self, request: HttpRequest, queryset: QuerySet[Notice]) -> HttpResponse:
        payload = [lumen_notice(n) for n in queryset.order_by("pk")]
        return _download("lumen.json", json.dumps(payload, ensure_ascii=False, indent=2).encode(), "application/json")

    @admin.action(description=_("Mark as delivered by hand (bulk file uploaded, web form sent)"))
    def mark_delivered_by_hand(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        done = sum(services.record_manual_delivery(n, request.user) for n in queryset)  # type: ignore[arg-type]
        self.message_user(request, _("%(n)d notice(s) recorded as delivered.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Queue failed notices again"))
    def requeue_failed(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        done = 0
        for notice in queryset:
            if services.requeue(notice):
                done += 1
                services.enqueue_delivery(notice.pk)
        self.message_user(request, _("%(n)d notice(s) queued again.") % {"n": done}, messages.SUCCESS)


@admin.register(RecipientAnswer)
class RecipientAnswerAdmin(admin.ModelAdmin):
    """Staff record an answer received by post or e-mail; saving it goes through the service."""

    list_display = ("received_at", "notice", "item", "decision", "recorded_by", "via_token")
    list_filter = ("decision",)
    raw_id_fields = ("item",)
    fields = ("item", "decision", "reason", "counter_notice")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def save_model(self, request: HttpRequest, obj: RecipientAnswer, form: Any, change: bool) -> None:
        item = obj.item
        try:
            answers = services.record_answers(
                item.notice,
                [
                    services.ItemDecision(
                        item=item, decision=obj.decision, reason=obj.reason, content=obj.counter_notice
                    )
                ],
                user=request.user,  # type: ignore[arg-type]
            )
        except services.AnswerError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = answers[0].pk


@admin.register(PlatformApiToken)
class PlatformApiTokenAdmin(admin.ModelAdmin):
    """Adding a token shows its plaintext once, in the confirmation message; only its hash is kept."""

    list_display = ("platform", "name", "prefix", "created_at", "revoked_at")
    fields = ("platform", "name", "revoked_at")

    def save_model(self, request: HttpRequest, obj: PlatformApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        row, plaintext = services.create_platform_token(obj.platform, obj.name)
        obj.pk = row.pk
        self.message_user(
            request, _("Token for %(p)s (shown once): %(t)s") % {"p": obj.platform, "t": plaintext}, messages.WARNING
        )


@admin.register(PlatformSigningKey)
class PlatformSigningKeyAdmin(admin.ModelAdmin):
    list_display = ("platform", "created_at")
