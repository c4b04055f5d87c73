from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sentinelle.checks.models import LinkCheck, LinkSchedule


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin[LinkCheck]):
    list_display = ("checked_at", "link", "status_code", "verdict", "rule", "bytes_read")
    list_filter = ("verdict",)
    search_fields = ("url", "final_url", "rule")
    raw_id_fields = ("link",)
    date_hierarchy = "checked_at"
    readonly_fields = [f.name for f in LinkCheck._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: LinkCheck | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LinkCheck | None = None) -> bool:
        return False


@admin.register(LinkSchedule)
class LinkScheduleAdmin(admin.ModelAdmin[LinkSchedule]):
    list_display = ("link", "next_check_at", "leased_until", "notice_at", "last_check_at", "last_verdict")
    list_filter = ("last_verdict",)
    ordering = ("next_check_at", "link")
    raw_id_fields = ("link",)
    readonly_fields = [f.name for f in LinkSchedule._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: LinkSchedule | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LinkSchedule | None = None) -> bool:
        return False
