"""The back office shows dossiers and their records read-only: they are written by the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sentinelle.investigations.models import CustodyEvent, DamageAssessment, Evidence, Site


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Site)
class SiteAdmin(ReadOnly):
    list_display = ("name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "domains__domain")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ("pk", "url", "status", "captured_at", "peer_address")
    list_filter = ("status",)
    search_fields = ("url",)
    exclude = ("timestamp_token",)


@admin.register(CustodyEvent)
class CustodyEventAdmin(ReadOnly):
    list_display = ("site", "seq", "at", "actor_label", "action", "subject")
    list_filter = ("action",)


@admin.register(DamageAssessment)
class DamageAssessmentAdmin(ReadOnly):
    list_display = ("site", "created_at", "low_eur", "central_eur", "high_eur")
