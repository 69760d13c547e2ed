"""The campaign's part of an incident's page and ladder (registered in apps.py; see incidents.extensions)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.incidents.extensions import Section
from amends.incidents.models import Incident

from .models import AffectedCustomer, Campaign


def affected_beyond_complainants(incident: Incident) -> int:
    """Customers the campaign's list names who have not complained about the incident themselves: the ladder
    counts the complainants already."""
    return (
        AffectedCustomer.objects.filter(incident=incident)
        .exclude(customer__cases__incident_link__incident=incident)
        .values("customer")
        .distinct()
        .count()
    )


def campaign_section(incident: Incident) -> Section:
    named = AffectedCustomer.objects.filter(incident=incident).count()
    campaign = Campaign.objects.filter(incident=incident).only("state").first()
    people = ngettext("%(n)s customer named", "%(n)s customers named", named) % {"n": named}
    state = campaign.get_state_display() if campaign else _("not started")
    return Section(
        title=_("Apology campaign"),
        text=_("%(people)s; the campaign: %(state)s.") % {"people": people, "state": state},
        url=reverse("campaigns:page", args=[incident.public_id]),
    )
