"""The console's selection form: the window orders are looked for in (empty: the incident's own)."""

from django import forms
from django.utils.translation import gettext_lazy as _

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OrdersWindowForm(forms.Form):
    start = forms.DateTimeField(label=_("From"), widget=MOMENT, required=False)
    end = forms.DateTimeField(label=_("Until"), widget=MOMENT, required=False)
