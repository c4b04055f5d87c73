from django import forms
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from sentinelle.members.models import Member, MemberKind, User


class UserCreationForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(BaseUserChangeForm[User]):
    class Meta:
        model = User
        fields = (
            "email",
            "full_name",
            "language",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


class MemberForm(forms.ModelForm[Member]):
    kinds = forms.MultipleChoiceField(choices=MemberKind.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Member
        fields = ("user", "member_number", "name", "ipi_name_number", "kinds", "daily_link_quota")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_('What the key is for, e.g. "my upload script".'),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=[("", _("never")), ("30", _("in 30 days")), ("90", _("in 90 days")), ("365", _("in a year"))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A key that expires stops working by itself. Changing your password revokes every key."),
    )
