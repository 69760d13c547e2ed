from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from amends.accounts.models import Team, User
from amends.core.widgets import QuickSelect
from amends.triage.models import Category

from .models import Case


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, AM-reference or e-mail")}),
    )
    status = forms.ChoiceField(
        required=False,
        widget=QuickSelect,
        label=_("Status"),
        # "Open" here is the cases still open (a filter); an incident's or an action's status has its own context.
        choices=[("open", pgettext_lazy("cases filter", "Open")), ("all", _("All")), *Case.STATUS_CHOICES],
    )
    team = forms.ChoiceField(required=False, widget=QuickSelect, label=_("Team"))
    assignee = forms.ChoiceField(required=False, widget=QuickSelect, label=_("Assignee"))
    language = forms.ChoiceField(required=False, widget=QuickSelect, label=_("Language"))
    channel = forms.ChoiceField(required=False, widget=QuickSelect, label=_("Channel"))
    review = forms.ChoiceField(required=False, widget=QuickSelect, label=_("Category"))
    # The dashboard's drill-down lands here: the cases behind a bar are those opened in its period (and brand,
    # or that missed a target), together with the filters above.
    brand = forms.ChoiceField(required=False, widget=QuickSelect, label=pgettext_lazy("insights", "Brand"))
    breached = forms.ChoiceField(
        required=False,
        widget=QuickSelect,
        label=_("Targets"),
        choices=[("", _("Any deadline")), ("yes", pgettext_lazy("insights", "Missed a target"))],
    )
    opened_from = forms.DateField(
        required=False, label=_("Opened from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    opened_to = forms.DateField(
        required=False, label=_("Opened until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.conf import settings

        from .models import Channel

        super().__init__(*args, **kwargs)
        fields: dict = self.fields
        fields["team"].choices = [("", _("Any team"))] + [(str(t.pk), t.name) for t in Team.objects.all()]
        fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))] + [
            (str(u.pk), u.display_name) for u in _assignable()
        ]
        fields["language"].choices = [("", _("Any language")), *settings.LANGUAGES]
        fields["channel"].choices = [("", _("Any channel")), *Channel.choices]
        fields["review"].choices = [("", _("Any category")), ("needs_review", _("Needs review"))] + [
            (str(c.pk), c.name) for c in Category.objects.filter(is_active=True)
        ]
        from amends.brands.models import BrandIdentity

        fields["brand"].choices = [("", _("Any brand"))] + [
            (str(pk), name) for pk, name in BrandIdentity.objects.values_list("pk", "name")
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 6}), strip=False)
    status_after = forms.ChoiceField(
        label=_("Then set the case to"),
        required=False,
        choices=[
            ("", _("Keep status")),
            ("in_progress", _("In progress")),
            ("waiting", _("Waiting for customer")),
            ("resolved", _("Resolved")),
        ],
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 3}), strip=False)


class PersonChoiceField(forms.ModelChoiceField):
    """People by the name colleagues know them by, not their sign-in name."""

    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.display_name


def _assignable() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=User.Role.values).order_by(
        "first_name", "last_name", "username"
    )


class CaseForm(forms.Form):
    """Status, priority, team and assignee in one form with one button. The hidden `shown_*` fields hold what the
    page showed, so only what the agent changed is changed, and a colleague's change meanwhile is not undone."""

    status = forms.ChoiceField(choices=Case.STATUS_CHOICES, label=_("Status"))
    priority = forms.TypedChoiceField(choices=Case.PRIORITY_CHOICES, coerce=int, label=_("Priority"))
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, label=_("Team"), empty_label=_("No team")
    )
    assignee = PersonChoiceField(queryset=_assignable(), required=False, label=_("Assignee"), empty_label=_("Nobody"))
    shown_status = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_priority = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_team = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_assignee = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def for_case(cls, case: Case) -> "CaseForm":
        shown = {
            "status": case.status,
            "priority": case.priority,
            "team": case.team_id or "",
            "assignee": case.assignee_id or "",
        }
        return cls(initial={**shown, **{f"shown_{k}": v for k, v in shown.items()}})

    def changes(self) -> dict[str, object]:
        """The fields the agent changed on the page, as case_update takes them."""
        data = self.cleaned_data
        changed: dict[str, object] = {}
        if data["status"] != data["shown_status"]:
            changed["status"] = data["status"]
        if str(data["priority"]) != data["shown_priority"]:
            changed["priority"] = data["priority"]
        if str(data["team"].pk if data["team"] else "") != data["shown_team"]:
            changed["team"] = data["team"]
        if str(data["assignee"].pk if data["assignee"] else "") != data["shown_assignee"]:
            changed["assignee"] = data["assignee"]
        return changed


class BulkForm(forms.Form):
    """One change for the cases ticked in the inbox (their ids come as `case`, read by the view); an empty choice
    leaves that field as it is."""

    status = forms.ChoiceField(
        required=False, widget=QuickSelect, label=_("Status"), choices=[("", _("Keep status")), *Case.STATUS_CHOICES]
    )
    priority = forms.TypedChoiceField(
        required=False,
        widget=QuickSelect,
        label=_("Priority"),
        choices=[("", _("Keep priority")), *Case.PRIORITY_CHOICES],
        coerce=int,
        empty_value=None,
    )
    assignee = forms.ChoiceField(required=False, widget=QuickSelect, label=_("Assignee"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        fields: dict = self.fields
        fields["assignee"].choices = [("", _("Keep assignee")), ("none", _("Nobody"))] + [
            (str(u.pk), u.display_name) for u in _assignable()
        ]


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=60, strip=True)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
