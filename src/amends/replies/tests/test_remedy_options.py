"""The "apology with remedy options" template lists the options really offered on the case, in the case's
language, each with the customer's link to choose it; with none offered the agent is told, and the template
editor's preview shows a real case's options instead of made-up ones."""

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from amends.cases.models import Case
from amends.conftest import open_case
from amends.remedies.links import choice_token_read
from amends.remedies.models import Remedy
from amends.remedies.presenting import remedy_text
from amends.remedies.tests.conftest import SIMPLE, policy_activate
from amends.replies.models import ReplyTemplate

pytestmark = pytest.mark.django_db

STORIES = {
    "en": "The parcel has said out for delivery for six days.",
    "ru": "Прислали кроссовки не того размера, а они нужны мне к субботе.",
    "bg": "Поръчката ми не е пристигнала вече десет дни.",
    "sr": "Наручио сам патике број 43, а стигле су 41.",
    "sr-Latn": "Đon na novim cipelama se odlepio posle nedelju dana.",
    "sk": "Z karty mi dvakrát strhli platbu za tú istú objednávku.",
}
LINK = re.compile(r"https?://\S+/r/([^/\s]+)/")


def insert(client: Client, case: Case) -> str:
    response = client.get(f"/console/cases/{case.public_id}/template/apology/")
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.mark.parametrize("language", list(STORIES))
def test_the_apology_lists_the_offered_options_in_the_cases_language_with_their_links(agent_client, language):
    policy_activate(SIMPLE.replace("{auto}", "true"))
    case = open_case(language=language, description=STORIES[language], order_value="60", order_currency="EUR").case
    offered = list(Remedy.objects.filter(case=case, state="offered").order_by("position"))
    assert len(offered) == 2
    body = insert(agent_client, case)
    for remedy in offered:
        assert remedy_text(remedy, case.language) in body
    linked = [choice_token_read(token) for token in LINK.findall(body)]
    assert linked == [r.public_id for r in offered]  # one link per option, in order, each choosing its own
    with translation.override(case.language):
        assert _("Choose this:") in body
    assert "{remedy_options}" not in body and 'data-testid="no-options"' not in body


def test_with_no_option_offered_the_agent_is_told_instead_of_getting_an_empty_list(agent_client):
    policy_activate(SIMPLE.replace("{auto}", "false"))  # priced, proposed, not offered
    case = open_case(order_value="60", order_currency="EUR").case
    html = agent_client.get(f"/console/cases/{case.public_id}/template/apology/").content.decode()
    assert 'data-testid="no-options"' in html and "none is offered yet" in html
    assert re.search(r"<textarea[^>]*></textarea>", html)  # nothing to send by mistake


def test_a_template_without_the_options_is_inserted_as_before(agent_client):
    policy_activate(SIMPLE.replace("{auto}", "false"))
    case = open_case(order_value="60", order_currency="EUR").case
    html = agent_client.get(f"/console/cases/{case.public_id}/template/resolution/").content.decode()
    assert case.reference in html and 'data-testid="no-options"' not in html


def manager_client(manager) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(manager)
    return client


def test_the_editors_preview_shows_a_real_cases_options(manager):
    policy_activate(SIMPLE.replace("{auto}", "true"))
    case = open_case(order_value="60", order_currency="EUR").case
    template = ReplyTemplate.objects.get(purpose="apology", language="ru", category__isnull=True)
    html = unescape(
        manager_client(manager).get(f"/console/templates/{template.pk}/?case={case.reference}").content.decode()
    )
    preview = html[html.index('data-testid="preview"') :]
    assert f"Preview for {case.reference}" in preview
    for remedy in Remedy.objects.filter(case=case):
        assert remedy_text(remedy, "ru") in preview
    assert len(LINK.findall(preview)) == 2 and "free express delivery" not in html


def test_the_editors_preview_without_a_case_makes_up_no_options(manager):
    template = ReplyTemplate.objects.get(purpose="apology", language="en", category__isnull=True)
    html = unescape(manager_client(manager).get(f"/console/templates/{template.pk}/").content.decode())
    assert "10 % off" not in html and "free express delivery" not in html
    assert "[the options offered on the case, each with the customer's link to choose it]" in html


def test_the_editors_preview_says_when_the_case_offers_nothing_or_does_not_exist(manager):
    policy_activate(SIMPLE.replace("{auto}", "false"))
    case = open_case(order_value="60", order_currency="EUR").case
    template = ReplyTemplate.objects.get(purpose="apology", language="en", category__isnull=True)
    client = manager_client(manager)
    html = client.get(f"/console/templates/{template.pk}/?case={case.reference}").content.decode()
    assert 'data-testid="no-options"' in html
    missing = client.get(f"/console/templates/{template.pk}/?case=AM-1999-000001")
    assert missing.status_code == 400 and "No case has the reference AM-1999-000001." in missing.content.decode()
