"""Back office for the platform registry (staff only, like the rest of the admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sentinelle.platforms.models import Platform, PlatformDomain
from sentinelle.platforms.selectors import has_history, licensed_platforms
from sentinelle.platforms.services import set_active, set_licensed


class PlatformDomainInline(admin.TabularInline[PlatformDomain, Platform]):
    model = PlatformDomain
    extra = 1
    fields = ("domain", "path_prefix")


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin[Platform]):
    list_display = (
        "name",
        "kind",
        "licensed",
        "jurisdiction",
        "regime",
        "notice_channel",
        "domain_count",
        "is_active",
    )
    list_filter = ("kind", "licensed", "notice_channel", "regime", "is_active")
    search_fields = ("name", "slug", "domains__domain")
    search_help_text = _("Search by name or domain.")
    list_per_page = 100
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("hosting_provider",)
    readonly_fields = ("created", "updated", "licensed_since")
    inlines = (PlatformDomainInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("mark_licensed", "mark_unlicensed", "deactivate")
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "is_active")}),
        (_("Licence"), {"fields": ("licensed", "licence_note", "licensed_since")}),
        (_("Law"), {"fields": ("jurisdiction", "regime")}),
        (_("Notices"), {"fields": ("notice_channel", "notice_language", "contact_email", "contact_url")}),
        (_("Escalation and checks"), {"fields": ("hosting_provider", "removal_markers")}),
        (None, {"fields": ("notes", "created", "updated")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Platform]:
        return super().get_queryset(request).annotate(domain_count=Count("domains", distinct=True))

    def get_urls(self) -> list[URLPattern]:
        licensed = path("licensed/", self.admin_site.admin_view(self.licensed_view), name="platforms_platform_licensed")
        return [licensed, *super().get_urls()]

    def licensed_view(self, request: HttpRequest) -> HttpResponse:
        """The platforms the society licenses, with their licence note and the day they were marked."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Licensed platforms"),
            "platforms": licensed_platforms(),
        }
        return TemplateResponse(request, "admin/platforms/platform/licensed.html", context)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {**(extra_context or {}), "licensed_url": reverse("admin:platforms_platform_licensed")}
        return super().changelist_view(request, extra)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Platform], search_term: str
    ) -> tuple[QuerySet[Platform], bool]:
        # A pasted URL or an upper-case host still finds its platform.
        term = search_term.strip().lower()
        if "://" in term:
            term = term.split("://", 1)[1]
        term = term.split("/", 1)[0].removeprefix("www.") if term else term
        return super().get_search_results(request, queryset, term)

    @admin.display(description=_("domains"), ordering="domain_count")
    def domain_count(self, obj: Platform) -> int:
        return getattr(obj, "domain_count", 0)

    @admin.action(description=_("Mark the selected platforms as licensed"), permissions=["change"])
    def mark_licensed(self, request: HttpRequest, queryset: QuerySet[Platform]) -> None:
        changed = set_licensed(queryset, licensed=True)
        self.message_user(
            request,
            ngettext("%(count)d platform marked licensed.", "%(count)d platforms marked licensed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark the selected platforms as not licensed"), permissions=["change"])
    def mark_unlicensed(self, request: HttpRequest, queryset: QuerySet[Platform]) -> None:
        changed = set_licensed(queryset, licensed=False)
        self.message_user(
            request,
            ngettext("%(count)d platform marked not licensed.", "%(count)d platforms marked not licensed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate the selected platforms"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Platform]) -> None:
        changed = set_active(queryset, active=False)
        self.message_user(
            request,
            ngettext("%(count)d platform deactivated.", "%(count)d platforms deactivated.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Platform | None = None) -> bool:
        # Links and notices keep naming their platform: one with a history is deactivated instead
        # (the database refuses the delete too: PROTECT). The bulk delete lists what protects them.
        if obj is not None and has_history(obj):
            return False
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        obj = context.get("original")
        if obj is not None and obj.pk and has_history(obj):
            context["adminform"].form.fields["is_active"].help_text = _(
                "This platform has links or notices: it cannot be deleted. Untick to deactivate it."
            )
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(PlatformDomain)
class PlatformDomainAdmin(admin.ModelAdmin[PlatformDomain]):
    list_display = ("domain", "path_prefix", "platform")
    list_select_related = ("platform",)
    search_fields = ("domain", "platform__name")
    autocomplete_fields = ("platform",)
    list_per_page = 100
