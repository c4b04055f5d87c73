from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sentinelle.recipients import services
from sentinelle.recipients.models import ContactOverride, DiscoveryRun, DomainDiscovery, Finding, NetworkLookup


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DiscoveryRunInline(admin.TabularInline[DiscoveryRun, DomainDiscovery]):
    model = DiscoveryRun
    extra = 0
    fields = ("started_at", "outcome", "pages_fetched", "steps")
    readonly_fields = fields
    can_delete = False
    ordering = ("-started_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CdnFilter(admin.SimpleListFilter):
    """By CDN, with "none" named (Django's value filter shows an empty, nameless link for it)."""

    title = _("CDN")
    parameter_name = "cdn"
    NONE = "-"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = DomainDiscovery.objects.exclude(cdn="").order_by("cdn").values_list("cdn", flat=True).distinct()
        return [*((name, name) for name in names), (self.NONE, str(_("none")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[DomainDiscovery]) -> QuerySet[DomainDiscovery]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(cdn="" if value == self.NONE else value)


@admin.register(DomainDiscovery)
class DomainDiscoveryAdmin(_ReadOnly):
    list_display = ("registrable_domain", "state", "contacts_found", "last_run_at", "next_run_at", "cdn", "summary")
    list_filter = ("state", CdnFilter)
    search_fields = ("registrable_domain",)
    readonly_fields = [f.name for f in DomainDiscovery._meta.fields]
    inlines = [DiscoveryRunInline]
    actions = ["discover_again"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD") and super(_ReadOnly, self).has_change_permission(request, obj)

    @admin.action(description=_("Discover again (queued now)"), permissions=["view"])
    def discover_again(self, request: HttpRequest, queryset: QuerySet[DomainDiscovery]) -> None:
        for row in queryset:
            services.request_discovery(row.registrable_domain, force=True)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d domain queued.", "%(count)d domains queued.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Finding)
class FindingAdmin(_ReadOnly):
    list_display = (
        "registrable_domain",
        "role",
        "kind",
        "address",
        "source",
        "found_at",
        "expires_at",
        "withdrawn_at",
        "rejected_at",
        "suspect_at",
    )
    list_filter = ("role", "kind", "source")
    search_fields = ("registrable_domain", "address")
    readonly_fields = [f.name for f in Finding._meta.fields]
    actions = ["set_aside", "use_again"]

    @admin.action(description=_("Do not use these contacts"), permissions=["change"])
    def set_aside(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        count = services.set_aside(queryset.values_list("pk", flat=True), request.user)
        self.message_user(
            request, ngettext("%(count)d contact set aside.", "%(count)d contacts set aside.", count) % {"count": count}
        )

    @admin.action(description=_("Use these contacts again"), permissions=["change"])
    def use_again(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        count = services.use_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d contact in use again.", "%(count)d contacts in use again.", count) % {"count": count},
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The actions need the permission; the rows themselves stay read-only (obj is None on the list).
        return obj is None and super(_ReadOnly, self).has_change_permission(request, obj)


@admin.register(NetworkLookup)
class NetworkLookupAdmin(_ReadOnly):
    list_display = ("__str__", "answered", "handle", "organisation", "abuse_email", "code", "fetched_at", "expires_at")
    list_filter = ("answered", "ip_version", "code")
    search_fields = ("start", "handle", "name", "organisation", "abuse_email")
    readonly_fields = [f.name for f in NetworkLookup._meta.fields]


@admin.register(ContactOverride)
class ContactOverrideAdmin(admin.ModelAdmin[ContactOverride]):
    list_display = ("registrable_domain", "role", "kind", "address", "is_active", "created_by", "updated_at")
    list_filter = ("role", "kind", "is_active")
    search_fields = ("registrable_domain", "address", "note")
    fields = ("registrable_domain", "role", "kind", "address", "note", "is_active")

    def save_model(self, request: HttpRequest, obj: ContactOverride, form: Any, change: bool) -> None:
        services.save_override(obj, request.user)
