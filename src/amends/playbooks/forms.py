"""Reading the manager's playbook form. The forms only parse (numbers, choices); the rules live in the services."""

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amends.accounts.models import Team
from amends.replies.models import ReplyTemplate
from amends.triage.models import Category

from .models import MAX_STEP_LENGTH, RemedyKind, ResponseTarget
from .services import StepInput
from .targets import Pair, Unit, as_amount, duration

UNIT_CHOICES = [
    (Unit.MINUTES.value, pgettext_lazy("playbooks", "minutes")),
    (Unit.HOURS.value, pgettext_lazy("playbooks", "hours")),
    (Unit.DAYS.value, pgettext_lazy("playbooks", "days")),
]
TARGETS = (
    ("response", pgettext_lazy("playbooks", "First response")),
    ("resolution", pgettext_lazy("playbooks", "Resolution")),
)


class TargetsForm(forms.Form):
    """An amount and a unit for each priority's response and resolution target."""

    def __init__(self, *args: Any, targets: dict[int, Pair] | None = None, **kwargs: Any) -> None:
        if targets is not None and "initial" not in kwargs:
            initial: dict[str, object] = {}
            for priority, pair in targets.items():
                for (name, _label), value in zip(TARGETS, pair, strict=True):
                    amount, unit = as_amount(value)
                    initial[f"{name}_{priority}"], initial[f"{name}_{priority}_unit"] = amount, unit.value
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for priority, priority_label in ResponseTarget.PRIORITY_CHOICES:
            for name, label in TARGETS:
                self.fields[f"{name}_{priority}"] = forms.IntegerField(
                    required=False,
                    label=f"{priority_label}: {label}",
                    widget=forms.NumberInput(attrs={"class": "amount"}),
                    error_messages={"invalid": _("Enter a whole number, such as 4.")},
                )
                self.fields[f"{name}_{priority}_unit"] = forms.ChoiceField(
                    choices=UNIT_CHOICES,
                    initial=Unit.HOURS.value,
                    label=pgettext_lazy("playbooks", "Unit"),
                    widget=forms.Select(attrs={"class": "unit"}),
                )

    def targets(self) -> dict[int, tuple[timedelta | None, timedelta | None]]:
        given: dict[int, tuple[timedelta | None, timedelta | None]] = {}
        for priority, _label in ResponseTarget.PRIORITY_CHOICES:
            first, resolution = (self._duration(f"{name}_{priority}") for name, _l in TARGETS)
            given[priority] = (first, resolution)
        return given

    def _duration(self, name: str) -> timedelta | None:
        amount = self.cleaned_data.get(name)
        return None if amount is None else duration(amount, self.cleaned_data[f"{name}_unit"])

    def rows(self) -> list[dict[str, object]]:
        """The fields by priority, for the template's table."""
        return [
            {
                "priority": priority,
                "label": label,
                "response": self[f"response_{priority}"],
                "response_unit": self[f"response_{priority}_unit"],
                "resolution": self[f"resolution_{priority}"],
                "resolution_unit": self[f"resolution_{priority}_unit"],
            }
            for priority, label in ResponseTarget.PRIORITY_CHOICES
        ]


class TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReplyTemplate) -> str:  # type: ignore[override]
        scope = obj.category.name if obj.category else pgettext_lazy("playbooks", "all categories")
        return f"{obj.get_purpose_display()} · {obj.language} · {scope} — {obj.subject}"


class PlaybookForm(TargetsForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        label=pgettext_lazy("playbooks", "Owning team"),
        empty_label=pgettext_lazy("playbooks", "No owning team"),
    )
    remedy_kinds = forms.MultipleChoiceField(
        choices=RemedyKind.choices,
        required=False,
        label=pgettext_lazy("playbooks", "Default remedies"),
        widget=forms.CheckboxSelectMultiple,
    )
    reply_template = TemplateChoice(
        queryset=ReplyTemplate.objects.none(),
        required=False,
        label=pgettext_lazy("playbooks", "Reply template"),
        empty_label=pgettext_lazy("playbooks", "None"),
    )

    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: TemplateChoice = self.fields["reply_template"]  # type: ignore[assignment]
        field.queryset = (
            ReplyTemplate.objects.select_related("category")
            .filter(Q(category__isnull=True) | Q(category=category))
            .order_by("purpose", "language", "category__name")
        )


class StepForm(forms.Form):
    step = forms.UUIDField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        required=False,
        max_length=MAX_STEP_LENGTH,
        label=pgettext_lazy("playbooks", "Step"),
        widget=forms.TextInput(attrs={"class": "step"}),
    )


StepFormSet = forms.formset_factory(StepForm, extra=3, can_order=True, can_delete=True, max_num=100, absolute_max=100)


def steps_initial(steps: list[Any]) -> list[dict[str, object]]:
    return [{"step": s.public_id, "text": s.text, "ORDER": n} for n, s in enumerate(steps, start=1)]


def steps_given(formset: forms.BaseFormSet) -> list[StepInput]:
    """The steps in the order the manager numbered them, without those ticked Remove and the empty new rows."""
    return [
        StepInput(id=f.cleaned_data.get("step"), text=f.cleaned_data.get("text") or "") for f in formset.ordered_forms
    ]
