"""The staff's notice desk: notices by status, recipient and date; text, links, attempts, answers."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sentinelle.notices import routing, selectors, services
from sentinelle.notices.export import BulkFileIncomplete, bulk_file_text, lumen_json_lines, missing_examples
from sentinelle.notices.forms import AnswerSheetForm, DiscardForm
from sentinelle.notices.legal import reference as legal_reference
from sentinelle.notices.legal import sender_lines
from sentinelle.notices.models import (
    DISCARDABLE_STATUSES,
    DeliveryAttempt,
    LumenAttempt,
    LumenSubmission,
    Notice,
    NoticeItem,
    NoticeStatus,
    PlatformApiToken,
    PlatformSigningKey,
    RecipientAnswer,
    ReciprocalSociety,
)

ANSWERABLE_STATUSES = (NoticeStatus.DELIVERED, NoticeStatus.ANSWERED)
ANSWER_SHEET_PAGE = 200  # 3 fields a row: a page stays under DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)


class ReadOnlyInline(admin.TabularInline[Any, Notice]):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoticeItemInline(ReadOnlyInline):
    model = NoticeItem
    fields = ("position", "url", "site", "work_title", "work_iswc", "link", "discarded")
    readonly_fields = fields


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = (
        "number",
        "started_at",
        "finished_at",
        "channel",
        "outcome",
        "handed_over",
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


class RecipientFilter(admin.SimpleListFilter):
    """By recipient as the notice names it (a platform of the registry or a bare domain)."""

    title = _("recipient")
    parameter_name = "recipient"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return selectors.recipients_with_notices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notice]) -> QuerySet[Notice]:
        value = self.value()
        return queryset.filter(recipient_key=value) if value else queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin[Notice]):
    """Notices are never edited here: the page shows them; actions and the answer sheet call services."""

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
    list_filter = (
        "status",
        RecipientFilter,
        ("sent_at", admin.DateFieldListFilter),
        "channel",
        "regime",
        "action",
        "escalation_level",
        "resent_after_unknown_outcome",
    )
    search_fields = ("recipient_name", "recipient_domain", "idempotency_key", "message_id", "items__url")
    date_hierarchy = "created_at"
    # The sender is kept as the society stood (JSON); the page shows it as an address, in place.
    readonly_fields = ["held_because", *("sender_text" if f.name == "sender" else f.name for f in Notice._meta.fields)]
    exclude = ("sender",)
    inlines = (NoticeItemInline, DeliveryAttemptInline, RecipientAnswerInline)

    @admin.display(description=_("why it is held"))
    def held_because(self, obj: Notice) -> str:
        """The hold's code and parameters in the reader's language (``hold_reason`` keeps the English)."""
        return routing.hold_text(obj.hold_code, obj.hold_params, obj.hold_reason) if obj.hold_code else ""

    actions = (
        "download_bulk_files",
        "download_lumen",
        "mark_delivered_by_hand",
        "requeue_failed",
        "discard_and_rebuild",
    )

    @admin.display(description=_("sender"))
    def sender_text(self, obj: Notice) -> str:
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in sender_lines(obj.sender)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A notice's page is read-only (saving it could overwrite the status a worker just set);
        # "change" still governs the actions and the answer sheet.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Download the search-engine bulk file(s)"))
    def download_bulk_files(self, request: HttpRequest, queryset: QuerySet[Notice]) -> HttpResponse | None:
        notices = list(queryset.order_by("pk"))
        try:
            files = [(f"notice-{n.pk}-{legal_reference(n)}.txt", bulk_file_text(n)) for n in notices]
        except BulkFileIncomplete as exc:
            self.message_user(
                request,
                gettext(
                    "Google's bulk file needs an authorised example URL for every work; add one in the catalogue "
                    "for: %(works)s"
                )
                % {"works": ", ".join(exc.titles)},
                messages.ERROR,
            )
            return None
        if len(files) == 1:
            return _download(files[0][0], files[0][1].encode(), "text/plain; charset=utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in files:
                archive.writestr(name, text)
        return _download("notices.zip", buffer.getvalue(), "application/zip")

    @admin.action(description=_("Download the Lumen export (JSON lines, one notice a line)"))
    def download_lumen(self, request: HttpRequest, queryset: QuerySet[Notice]) -> HttpResponse:
        text = lumen_json_lines(queryset.order_by("pk"))
        return _download("lumen.jsonl", text.encode(), "application/jsonl")

    @admin.action(
        description=_("Mark as delivered by hand (bulk file uploaded, web form sent)"), permissions=["change"]
    )
    def mark_delivered_by_hand(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        done = sum(services.record_manual_delivery(n, request.user) for n in queryset)  # type: ignore[arg-type]
        self.message_user(request, _("%(n)d notice(s) recorded as delivered.") % {"n": done}, messages.SUCCESS)

    @admin.action(
        description=_("Queue failed notices again (new series of attempts, same Message-ID and key)"),
        permissions=["change"],
    )
    def requeue_failed(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        done = 0
        for notice in queryset:
            if services.requeue(notice):
                done += 1
                services.enqueue_delivery(notice.pk)
        self.message_user(request, _("%(n)d notice(s) queued again.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Discard and rebuild (held or failed notices)"), permissions=["change"])
    def discard_and_rebuild(self, request: HttpRequest, queryset: QuerySet[Notice]) -> TemplateResponse | None:
        notices = list(queryset.order_by("pk"))
        form = DiscardForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            released = discarded = 0
            for notice in notices:
                try:
                    released += services.discard_notice(notice, request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
                except services.DiscardError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    discarded += 1
            if discarded:
                result = services.build_notices()
                self.message_user(
                    request,
                    gettext(
                        "%(n)d notice(s) discarded, %(links)d link(s) released; "
                        "%(built)d new notice(s) built with %(items)d link(s)."
                    )
                    % {"n": discarded, "links": released, "built": len(result.notices), "items": result.items},
                    messages.SUCCESS,
                )
                if result.unroutable:
                    self.message_user(
                        request,
                        ngettext(
                            "%(n)d link has no known recipient.",
                            "%(n)d links have no known recipient.",
                            len(result.unroutable),
                        )
                        % {"n": len(result.unroutable)},
                        messages.WARNING,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Discard notices and build them again"),
            "opts": self.opts,
            "form": form,
            "notices": notices,
            "discardable": [n for n in notices if n.status in DISCARDABLE_STATUSES],
            "refused": [n for n in notices if n.status not in DISCARDABLE_STATUSES],
            "action_name": "discard_and_rebuild",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/notices/notice/discard_confirmation.html", context)

    # --- the notice's page and its answer sheet ---------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        sheet = path(
            "<path:object_id>/answers/",
            self.admin_site.admin_view(self.answers_view),
            name="notices_notice_answers",
        )
        return [sheet, *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        notice = self.get_object(request, unquote(object_id))
        if (
            notice is not None
            and notice.status in ANSWERABLE_STATUSES
            and request.user.has_perm("notices.change_notice")
        ):
            extra["answer_sheet_url"] = reverse("admin:notices_notice_answers", args=[notice.pk])
        if notice is not None and notice.channel == "bulk_file":
            missing = missing_examples(notice)
            if missing:
                self.message_user(
                    request,
                    gettext("No authorised example URL in the catalogue for: %(works)s (Google's bulk file needs one).")
                    % {"works": ", ".join(missing)},
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra)

    def answers_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record the recipient's answers for many addresses at once, through ``services.record_answers``."""
        if not request.user.has_perm("notices.change_notice"):
            raise PermissionDenied
        notice = self.get_object(request, unquote(object_id))
        if notice is None:
            raise Http404(gettext("No such notice."))
        answerable = notice.status in ANSWERABLE_STATUSES
        page = Paginator(selectors.answer_sheet_items(notice), ANSWER_SHEET_PAGE).get_page(request.GET.get("page"))
        items = list(page.object_list)
        form = AnswerSheetForm(request.POST if request.method == "POST" and answerable else None, items=items)
        if form.is_bound and form.is_valid():
            decisions = [
                services.ItemDecision(item=a.item, decision=a.decision, reason=a.reason, content=a.content)
                for a in form.answers()
            ]
            try:
                recorded = services.record_answers(notice, decisions, user=request.user)  # type: ignore[arg-type]
            except services.AnswerError as exc:
                form.add_error(None, exc.message)
            else:
                new = sum(1 for r in recorded if not r.replay)
                self.message_user(
                    request,
                    ngettext("%(n)d answer recorded.", "%(n)d answers recorded.", new) % {"n": new},
                    messages.SUCCESS,
                )
                if new < len(recorded):
                    replays = len(recorded) - new
                    self.message_user(
                        request,
                        ngettext(
                            "%(n)d answer was already on record, the same: left as it was.",
                            "%(n)d answers were already on record, the same: left as they were.",
                            replays,
                        )
                        % {"n": replays},
                        messages.INFO,
                    )
                return HttpResponseRedirect(reverse("admin:notices_notice_change", args=[notice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Answers to notice #%(id)s") % {"id": notice.pk},
            "subtitle": notice.recipient_name,
            "opts": self.opts,
            "original": notice,
            "notice": notice,
            "answerable": answerable,
            "form": form,
            "rows": form.rows(),
            "page": page,
        }
        return TemplateResponse(request, "admin/notices/notice/answers.html", context)


@admin.register(RecipientAnswer)
class RecipientAnswerAdmin(admin.ModelAdmin[RecipientAnswer]):
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
        obj.pk = answers[0].answer.pk


@admin.register(PlatformApiToken)
class PlatformApiTokenAdmin(admin.ModelAdmin[PlatformApiToken]):
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
class PlatformSigningKeyAdmin(admin.ModelAdmin[PlatformSigningKey]):
    """Several keys per platform: each key in force signs every notice (rotation without a gap)."""

    list_display = ("platform", "name", "created_at", "revoked_at")
    list_filter = ("platform",)
    fields = ("platform", "name", "secret", "created_at", "revoked_at")


@admin.register(ReciprocalSociety)
class ReciprocalSocietyAdmin(admin.ModelAdmin[ReciprocalSociety]):
    """The societies whose members a notice may name as represented (with the society's own code)."""

    list_display = ("code", "name", "country", "active", "updated_at")
    list_filter = ("active", "country")
    search_fields = ("code", "name")


class LumenAttemptInline(ReadOnlyInline):
    model = LumenAttempt
    fields = ("number", "started_at", "finished_at", "status_code", "outcome", "response_excerpt", "error")
    readonly_fields = fields


@admin.register(LumenSubmission)
class LumenSubmissionAdmin(admin.ModelAdmin[LumenSubmission]):
    list_display = ("notice", "state", "attempt_count", "next_attempt_at", "posted_at", "lumen_id")
    list_filter = ("state",)
    readonly_fields = [f.name for f in LumenSubmission._meta.fields]
    inlines = (LumenAttemptInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
