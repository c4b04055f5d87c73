from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sentinelle.members.forms import MemberForm, UserChangeForm, UserCreationForm
from sentinelle.members.models import Member, User

# What only a superuser may see or set on a user: the fields that grant privileges. Staff hold
# members.change_user to run the society's accounts; with these fields they could make themselves
# (or anyone) a superuser, so the form staff get has none of them.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class MemberInline(admin.StackedInline[Member, User]):
    model = Member
    form = MemberForm
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", *PRIVILEGE_FIELDS)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    # Recorded by the site, never typed by staff.
    readonly_fields = ("last_login", "date_joined")
    inlines = [MemberInline]

    def get_fieldsets(self, request: Any, obj: User | None = None) -> Any:
        # The form is built from these fieldsets (ModelAdmin.get_form), so a privilege field left
        # out here is not a field of the form: posting it changes nothing.
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in PRIVILEGE_FIELDS)})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request: Any, obj: User | None = None) -> bool:
        # Covers the password form too (UserAdmin.user_change_password asks this).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    form = MemberForm
    list_display = ("name", "member_number", "ipi_name_number", "kind_list", "daily_link_quota")
    search_fields = ("name", "member_number", "ipi_name_number", "user__email")
    autocomplete_fields = ("user",)

    @admin.display(description=_("kinds"))
    def kind_list(self, obj: Member) -> str:
        return ", ".join(obj.kind_labels())

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("user")
