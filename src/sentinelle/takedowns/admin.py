"""The staff's view of reported links: read-only, with the decisions only staff take (closing an
unverifiable link, the society's answer to a counter-notice), each with its reason."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sentinelle.checks import services as checks
from sentinelle.core.errors import DomainError
from sentinelle.members.models import User
from sentinelle.notices import services as notices
from sentinelle.takedowns.models import ReportedLink


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Shown in the history of each link, to the member too."),
    )


@admin.register(ReportedLink)
class ReportedLinkAdmin(admin.ModelAdmin[ReportedLink]):
    list_display = ("url", "status", "action", "work", "member", "platform", "updated_at")
    list_filter = ("status", "action")
    search_fields = ("url", "registrable_domain")
    date_hierarchy = "created_at"
    list_select_related = ("work", "member__user", "platform")
    readonly_fields = [f.name for f in ReportedLink._meta.fields]
    actions = ["close_by_hand", "pursue_after_counter_notice", "drop_after_counter_notice"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReportedLink | None = None) -> bool:
        return False

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[ReportedLink],
        *,
        title: str,
        action_name: str,
        apply: Callable[[ReportedLink, User, str], object],
    ) -> TemplateResponse | None:
        links = list(queryset.order_by("pk"))
        form = ReasonForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            done = 0
            for link in links:
                try:
                    apply(link, request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
                except DomainError as exc:
                    self.message_user(request, f"{link.url}: {exc.message}", messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(request, gettext("%(n)d link(s) done.") % {"n": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "links": links,
            "action_name": action_name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/takedowns/reportedlink/decision.html", context)

    @admin.action(description=_("Close by hand (unverifiable links), with a reason"), permissions=["change"])
    def close_by_hand(self, request: HttpRequest, queryset: QuerySet[ReportedLink]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            title=gettext("Close by hand"),
            action_name="close_by_hand",
            apply=lambda link, user, reason: checks.close_by_hand(link, actor=user, reason=reason),
        )

    @admin.action(description=_("Counter-notice: the society pursues"), permissions=["change"])
    def pursue_after_counter_notice(
        self, request: HttpRequest, queryset: QuerySet[ReportedLink]
    ) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            title=gettext("The society pursues"),
            action_name="pursue_after_counter_notice",
            apply=lambda link, user, reason: notices.decide_counter_notice(
                link, actor=user, pursue=True, reason=reason
            ),
        )

    @admin.action(description=_("Counter-notice: the society does not pursue"), permissions=["change"])
    def drop_after_counter_notice(
        self, request: HttpRequest, queryset: QuerySet[ReportedLink]
    ) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            title=gettext("The society does not pursue"),
            action_name="drop_after_counter_notice",
            apply=lambda link, user, reason: notices.decide_counter_notice(
                link, actor=user, pursue=False, reason=reason
            ),
        )
