from django.contrib import admin

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


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin[Work]):
    list_display = ("title", "iswc_display", "work_code", "language", "updated_at")
    search_fields = ("title", "iswc", "work_code", "alternate_titles__title")
    list_filter = ("language",)
    inlines = [AlternateTitleInline, RecordingInline, InterestInline]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin[Party]):
    list_display = ("__str__", "kind", "ipi_name_number", "interested_party_number", "member")
    list_filter = ("kind",)
    search_fields = ("name", "first_name", "ipi_name_number", "interested_party_number")
    autocomplete_fields = ("member",)


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin[Interest]):
    list_display = ("work", "party", "role", "member", "pr_share", "mr_share")
    list_filter = ("role",)
    search_fields = ("work__title", "party__name", "member__name")
    autocomplete_fields = ("work", "party", "member")
