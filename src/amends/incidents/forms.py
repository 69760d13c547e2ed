"""The console's incident forms read what the manager typed; the services decide whether it stands."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amends.remedies.models import KIND_CHOICES
from amends.triage.models import Category

from .models import Incident

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DeclareForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=10_000, help_text=_("What broke, in a few words."))
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=100_000)
    started_at = forms.DateTimeField(label=_("Started"), widget=MOMENT)
    ended_at = forms.DateTimeField(
        label=_("Ended"), widget=MOMENT, required=False, help_text=_("Empty while it lasts.")
    )
    entities = forms.CharField(
        label=_("Products, services or codes touched"),
        required=False,
        max_length=10_000,
        help_text=_(
            "Comma-separated: names (checkout), error codes (503), addresses (shop.example) or order numbers. "
            "Complaints naming one of them join the incident."
        ),
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Incident.Severity.choices, coerce=int, initial=Incident.Severity.MAJOR
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    remedy_kind = forms.ChoiceField(label=_("Remedy for everyone affected"), required=False)
    remedy_value = forms.CharField(
        label=_("Remedy value"),
        required=False,
        max_length=30,
        help_text=_("A percentage for a discount code, else an amount."),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        fields: dict = self.fields
        fields["category"].choices = [("", "—")] + [(c.slug, c.name) for c in Category.objects.filter(is_active=True)]
        fields["remedy_kind"].choices = [("", "—"), *KIND_CHOICES]

    def entity_list(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data.get("entities", "").split(",") if part.strip()]


class UpdateForm(forms.Form):
    body = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 3}), max_length=100_000)
    public = forms.BooleanField(label=_("Public: show it on the incident page"), required=False)


class ResolveForm(forms.Form):
    body = forms.CharField(
        label=_("What was fixed"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=100_000
    )


class LinkForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=40, help_text=_("e.g. AM-2026-000123"))


class StatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=10_000)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000)
