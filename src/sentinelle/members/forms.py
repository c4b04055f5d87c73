from django import forms
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm

from sentinelle.members.models import Member, MemberKind, User


class UserCreationForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(BaseUserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


class MemberForm(forms.ModelForm[Member]):
    kinds = forms.MultipleChoiceField(choices=MemberKind.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Member
        fields = "__all__"
