from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sentinelle.recipients.models import Kind, Role


class ContactForm(forms.Form):
    """A contact staff give a recipient: it wins over discovery and releases the notices held for it."""

    domain = forms.CharField(label=_("Site"), max_length=255, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Who"), choices=[(Role.SITE, Role.SITE.label), (Role.HOSTING, Role.HOSTING.label)], initial=Role.SITE
    )
    kind = forms.ChoiceField(label=_("Channel"), choices=Kind.choices, initial=Kind.EMAIL)
    address = forms.CharField(label=_("Address"), max_length=500, help_text=_("An e-mail address, or an https:// URL."))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class MarkSentForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
