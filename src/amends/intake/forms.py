from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.cases.intake import MAX_ATTACHMENTS


def _attachments_help() -> str:
    # Formatted when the form is shown, in the visitor's language: `gettext_lazy(...) % {...}` at import time
    # would fix it in the language the process started in.
    return gettext("Up to %(n)s images (JPEG, PNG, GIF, WebP) or PDFs, 10 MB each.") % {"n": MAX_ATTACHMENTS}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by content in the intake service."""

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ComplaintForm(forms.Form):
    """Only the story and an e-mail address are required; the story comes first (P5: listen before asking)."""

    description = forms.CharField(
        label=_("What happened?"),
        help_text=_("Tell us in your own words, as much or as little as you like."),
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,
        required=False,
    )
    email = forms.CharField(
        label=_("Your e-mail address"),
        help_text=_("So we can answer you."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(label=_("Your name"), required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    order_reference = forms.CharField(label=_("Order number"), required=False)
    order_value = forms.CharField(
        label=_("Order value"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    order_currency = forms.CharField(label=_("Currency"), required=False, initial="EUR", max_length=3)
    remedy_sought = forms.CharField(
        label=_("What would make this right for you?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        help_text=lazy(_attachments_help, str)(),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,application/pdf"}),
    )
    # A field people never see; bots that fill every field give themselves away.
    website = forms.CharField(
        required=False, label="Website", widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
