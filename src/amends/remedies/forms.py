from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class OtherRemedyForm(forms.Form):
    text = forms.CharField(
        label=_("Something else would suit me better"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        strip=False,
    )
