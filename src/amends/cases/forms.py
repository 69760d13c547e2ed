from django import forms
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Team, User
from amends.triage.models import Category

from .models import Case


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, AM-reference or e-mail")}),
    )
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("open", _("Open")), ("all", _("All")), *Case.STATUS_CHOICES]
    )
    team = forms.ChoiceField(required=False, label=_("Team"))
    assignee = forms.ChoiceField(required=False, label=_("Assignee"))
    language = forms.ChoiceField(required=False, label=_("Language"))
    channel = forms.ChoiceField(required=False, label=_("Channel"))
    review = forms.ChoiceField(required=False, label=_("Category"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.conf import settings

        from .models import Channel

        super().__init__(*args, **kwargs)
        fields: dict = self.fields
        fields["team"].choices = [("", _("Any team"))] + [(str(t.pk), t.name) for t in Team.objects.all()]
        fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Unassigned"))] + [
            (str(u.pk), u.display_name) for u in User.objects.filter(is_active=True).order_by("username")
        ]
        fields["language"].choices = [("", _("Any language")), *settings.LANGUAGES]
        fields["channel"].choices = [("", _("Any channel")), *Channel.choices]
        fields["review"].choices = [("", _("Any category")), ("needs_review", _("Needs review"))] + [
            (str(c.pk), c.name) for c in Category.objects.filter(is_active=True)
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


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, label=_("Team"))
    assignee = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False, label=_("Assignee"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Case.STATUS_CHOICES, label=_("Status"))


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(choices=Case.PRIORITY_CHOICES, coerce=int, label=_("Priority"))
