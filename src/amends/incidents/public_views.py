"""The public incident page and its Atom feed, on the company's amends site: no sign-in, in the visitor's language
(the language switcher, else the browser's Accept-Language, as on the customer's status page). An unpublished
incident does not exist here (404)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .drafts import public_url
from .models import Incident, IncidentStatement
from .selectors import incident_public, incident_timeline, incidents_published


def _statement(incident: Incident) -> IncidentStatement | None:
    """The published statement in the visitor's language, else the company's default language, else any."""
    statements = {
        s.language: s for s in IncidentStatement.objects.filter(incident=incident, level=incident.public_level)
    }
    wanted = (get_language() or "").lower()
    from django.conf import settings

    for code in (wanted, wanted.split("-")[0], settings.LANGUAGE_CODE):
        if code in statements:
            return statements[code]
    return next(iter(statements.values()), None)


def page_view(request: HttpRequest, slug: str) -> HttpResponse:
    incident = incident_public(slug=slug)
    if incident is None:
        raise Http404
    context = {
        "incident": incident,
        "statement": _statement(incident),
        "updates": incident_timeline(incident=incident, public_only=True)[:100],
        "feed_url": reverse("incident_pages:feed", args=[incident.slug]),
    }
    return render(request, "incidents/public.html", context)


def list_view(request: HttpRequest) -> HttpResponse:
    rows = [(incident, _statement(incident)) for incident in incidents_published()]
    return render(request, "incidents/public_list.html", {"rows": rows})


def feed_view(request: HttpRequest, slug: str) -> HttpResponse:
    incident = incident_public(slug=slug)
    if incident is None:
        raise Http404
    statement = _statement(incident)
    link = public_url(incident)
    feed = Atom1Feed(
        title=statement.title if statement else incident.title,
        link=link,
        description="",
        language=get_language() or "en",
        feed_url=link + "/feed.atom",
        author_name=incident.brand.sender_name,
        feed_guid=f"urn:uuid:{incident.public_id}",
    )
    for event in incident_timeline(incident=incident, public_only=True)[:100]:
        title = _("Resolved") if event.kind == "resolved" else _("Update")
        feed.add_item(
            title=title,
            link=f"{link}#update-{event.pk}",
            description=event.body or title,
            pubdate=event.created_at,
            updateddate=event.created_at,
            unique_id=f"urn:amends:incident:{incident.public_id}:event:{event.pk}",
        )
    if statement is not None:
        feed.add_item(
            title=statement.title,
            link=link,
            description=statement.body,
            pubdate=incident.published_at,
            updateddate=incident.published_at,
            unique_id=f"urn:amends:incident:{incident.public_id}:statement",
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    response["Vary"] = "Accept-Language, Cookie"
    return response
