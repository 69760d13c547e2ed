"""QuickSelect writes what Django's Select template writes, for every shape of choices the forms use."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy as _

from amends.core.widgets import QuickSelect

CHOICES = [
    ("", _("Any team")),
    ("1", "A & B <team>"),
    ("2", 'quote " here'),
    (3, "a number"),
    ("Group", [("4", "four"), ("5", "five")]),
]


@pytest.mark.parametrize("value", ["", "2", 3, "4", None, "unknown"])
def test_quick_select_writes_djangos_markup(value):
    attrs = {"id": "id_team", "class": "x", "data-flag": True, "hidden": False}
    assert QuickSelect(choices=CHOICES).render("team", value, attrs) == forms.Select(choices=CHOICES).render(
        "team", value, attrs
    )


def test_a_form_field_renders_the_same_with_either_widget():
    class Old(forms.Form):
        status = forms.ChoiceField(required=False, choices=CHOICES)

    class New(forms.Form):
        status = forms.ChoiceField(required=False, choices=CHOICES, widget=QuickSelect)

    assert str(New({"status": "2"})["status"]) == str(Old({"status": "2"})["status"])
