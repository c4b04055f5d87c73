from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sentinelle.catalogue.models import AlternateTitle, Interest, Party, Recording, Work


class AlternateTitleInline(admin.TabularInline[AlternateTitle, Work]):
    model = AlternateTitle
    extra = 0


class RecordingInline(admin.TabularInline[Recording, Work]):
    model = Recording
    extra = 0


class InterestInline(admin.TabularInline[Interest, Work]):
    model = Interest
    extra = 0
    autocomplete_fields = ("party", "member")


class AuthorisedExampleFilter(admin.SimpleListFilter):
    """Works with or without an authorised example URL (Google's bulk file needs one per work)."""

    title = _("authorised example URL")
    parameter_name = "example"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("missing", str(_("missing"))), ("given", str(_("given")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Work]) -> QuerySet[Work]:
        if self.value() == "missing":
            return queryset.filter(authorised_example_url="")
        if self.value() == "given":
            return queryset.exclude(authorised_example_url="")
        return queryset


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin[Work]):
    list_display = ("title", "iswc_display", "work_code", "language", "has_authorised_example", "updated_at")
    search_fields = ("title", "iswc", "work_code", "alternate_titles__title")
    list_filter = ("language", AuthorisedExampleFilter)
    inlines = [AlternateTitleInline, RecordingInline, InterestInline]

    @admin.display(boolean=True, description=_("authorised example"))
    def has_authorised_example(self, obj: Work) -> bool:
        return bool(obj.authorised_example_url)


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin[Party]):
    list_display = ("__str__", "kind", "ipi_name_number", "interested_party_number", "member")
    list_filter = ("kind",)
    search_fields = ("name", "first_name", "ipi_name_number", "interested_party_number")
    autocomplete_fields = ("member",)


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin[Interest]):
    list_display = ("work", "party", "role", "member", "pr_share", "mr_share", "pr_society", "mr_society", "sr_society")
    list_filter = ("role",)
    search_fields = ("work__title", "party__name", "member__name")
    autocomplete_fields = ("work", "party", "member")
