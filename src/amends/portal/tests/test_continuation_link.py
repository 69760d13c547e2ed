"""The private link in a public reply (everyone in the thread sees it): opening it claims nothing until the person
confirms; the first browser to confirm keeps it, in its session; everyone after is told in words that it was used
and how the customer gets a new one; the agent sees on the timeline when it was claimed."""

import json
import re

import pytest
from django.test import Client

from amends.cases.intake import IntakeRequest, case_open
from amends.cases.models import CaseEvent
from amends.cases.public_threads import PublicPost
from amends.cases.services import case_reply
from amends.outbox.models import OutboxMessage
from amends.portal.models import StatusLink
from amends.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
REPLY = (
    "Анна, простите нас, пожалуйста: это наша ошибка, так поступать было нельзя. Спасибо, что написали. "
    "Напишите нам в личные сообщения, и мы всё исправим сегодня."
)


@pytest.fixture
def continuation(agent, settings):  # type: ignore[no-untyped-def]
    """A public post answered from the brand: the case and the path of the private link in the reply."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["connector.test"]
    webhook_endpoint_create(url="http://connector.test/hooks", events=["public_reply.requested"])
    public = PublicPost(platform="instagram", handle="@Anna_K", post_url="https://www.instagram.com/p/Cx1/")
    case = case_open(
        request=IntakeRequest(
            email="",
            name="Анна",
            description="Продавщица попросила меня подождать на улице, а там было минус тридцать.",
            channel="public_thread",
            public=public,
        )
    ).case
    case_reply(case=case, actor=agent, body=REPLY)
    url = json.loads(OutboxMessage.objects.get(case=case, kind="webhook").body)["data"]["public_reply"]["continue_url"]
    return case, "/" + url.split("://", 1)[1].split("/", 1)[1]


def _confirm(client: Client, path: str):  # type: ignore[no-untyped-def]
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, page.content.decode()
    return client.post(path, {"csrfmiddlewaretoken": token.group(1)})


def test_opening_the_link_claims_nothing_until_the_customer_goes_on(continuation):
    case, path = continuation
    preview_bot = Client().get(path)  # a platform fetching a preview of the link, or a curious click
    assert preview_bot.status_code == 200 and "@Anna_K" in preview_bot.content.decode()
    assert preview_bot["Referrer-Policy"] == "same-origin"  # never sent to another site; Origin kept for CSRF
    assert StatusLink.objects.get(case=case, single_use=True).claimed_at is None
    customer = Client(enforce_csrf_checks=True)
    entered = _confirm(customer, path)
    assert entered.status_code == 302 and entered["Location"] == f"/status/{case.public_id}/"
    assert customer.get(entered["Location"]).status_code == 200
    assert case.events.filter(kind=CaseEvent.Kind.CONTINUATION_CLAIMED).count() == 1


def test_the_browser_that_claimed_it_opens_it_again_and_nobody_else_does(continuation):
    case, path = continuation
    customer = Client(enforce_csrf_checks=True)
    _confirm(customer, path)
    again = customer.get(path)
    assert again.status_code == 302 and again["Location"] == f"/status/{case.public_id}/"
    onlooker = Client(enforce_csrf_checks=True)
    refused = onlooker.get(path)
    text = refused.content.decode()
    assert refused.status_code == 410 and "This link was used already" in text
    assert "reply to" in text and "new link" in text and "@Anna_K" in text
    # Posting straight to the link (no page first) claims nothing either.
    assert Client().post(path).status_code == 410
    assert onlooker.get(f"/status/{case.public_id}/").status_code == 404
    assert case.events.filter(kind=CaseEvent.Kind.CONTINUATION_CLAIMED).count() == 1


def test_of_two_browsers_confirming_the_second_is_told_it_was_used(continuation):
    case, path = continuation
    first, second = Client(), Client()
    assert first.get(path).status_code == 200 and second.get(path).status_code == 200  # both see the question
    assert first.post(path).status_code == 302
    late = second.post(path)
    assert late.status_code == 410 and "This link was used already" in late.content.decode()
    assert second.get(f"/status/{case.public_id}/").status_code == 404


def test_a_new_public_reply_brings_a_new_link_for_the_customer(continuation, agent):
    case, path = continuation
    _confirm(Client(), path)  # an onlooker was quicker
    case_reply(case=case, actor=agent, body=REPLY)
    hooks = OutboxMessage.objects.filter(case=case, kind="webhook").order_by("id")
    url = json.loads(hooks.last().body)["data"]["public_reply"]["continue_url"]  # type: ignore[union-attr]
    fresh = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert fresh != path
    assert _confirm(Client(), fresh).status_code == 302


def test_a_revoked_or_unknown_continuation_link_no_longer_works(continuation, manager):
    from amends.portal.services import status_links_revoke

    case, path = continuation
    status_links_revoke(case=case, actor=manager)
    assert Client().get(path).status_code == 404
    assert Client().post(path).status_code == 404
    assert Client().get("/status/t/" + "x" * 40 + "/").status_code == 404


def test_the_timeline_names_the_claim_for_the_agent(continuation, agent_client):
    case, path = continuation
    _confirm(Client(), path)
    page = agent_client.get(f"/console/cases/{case.public_id}/")
    assert "The private link of the public reply was opened" in page.content.decode()
