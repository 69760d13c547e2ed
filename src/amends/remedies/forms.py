from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class OtherRemedyForm(forms.Form):
    text = forms.CharField(
        label=_("Something else would suit me better"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        strip=False,
    )


WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class SlotForm(forms.Form):
    """One slot in the team's calendar, in the company's time zone."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=pgettext_lazy("until", "To"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label=_("Customers per slot"), min_value=1, max_value=100, initial=1)


class SeriesForm(forms.Form):
    """A repeating series: these weekdays, from the first day to the last, the day cut into slots."""

    first = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.MultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        initial=["0", "1", "2", "3", "4"],
        widget=forms.CheckboxSelectMultiple,
    )
    day_start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}), initial="10:00")
    day_end = forms.TimeField(
        label=pgettext_lazy("until", "To"), widget=forms.TimeInput(attrs={"type": "time"}), initial="16:00"
    )
    minutes = forms.IntegerField(label=_("Minutes per slot"), min_value=5, max_value=480, initial=30)
    capacity = forms.IntegerField(label=_("Customers per slot"), min_value=1, max_value=100, initial=1)
