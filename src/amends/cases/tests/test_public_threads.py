"""Public posts and comments pushed by a connector (seed 002): intake, the author known by a handle, follow-on
comments joining the case, and the reply handed back to the connector as a signed webhook."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from amends.cases.intake import IntakeRequest, case_open
from amends.cases.models import Case, CaseEvent, Message, PublicThread
from amends.cases.public_threads import PublicPost
from amends.cases.services import ReplyBlocked, case_reply
from amends.customers.models import Customer, CustomerHandle
from amends.outbox.models import OutboxMessage
from amends.portal.services import status_link_redeem
from amends.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

STORY = "Продавщица попросила меня подождать на улице, а там было минус тридцать. Это ужасно."
POST = {
    "platform": "instagram",
    "handle": "@Anna_K",
    "post_url": "https://www.instagram.com/p/Cx1/",
    "followers": 2400,
}
BODY = {"customer": {"name": "Анна"}, "description": STORY, "channel": "public_thread", "public": POST}
GOOD_REPLY = (
    "Анна, простите нас, пожалуйста: это наша ошибка, так поступать было нельзя. Спасибо, что написали. "
    "Напишите нам в личные сообщения, и мы всё исправим сегодня."
)


def post(client: Client, path: str, body):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json")


def open_post(**overrides: object):  # type: ignore[no-untyped-def]
    public = PublicPost(**{**POST, **overrides})  # type: ignore[arg-type]
    return case_open(
        request=IntakeRequest(email="", name="Анна", description=STORY, channel="public_thread", public=public)
    )


@pytest.fixture
def connector(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOWED_HOSTS = ["connector.test"]
    return webhook_endpoint_create(url="http://connector.test/hooks", events=["public_reply.requested"])


# ---------------------------------------------------------------- intake, service layer


def test_a_post_opens_a_case_for_a_customer_known_only_by_handle():
    opened = open_post()
    case = opened.case
    customer = case.customer
    assert customer.email is None
    handle = CustomerHandle.objects.get(customer=customer)
    assert (handle.platform, handle.handle, handle.handle_key) == ("instagram", "Anna_K", "anna_k")
    thread = PublicThread.objects.get(case=case)
    assert thread.post_url == "https://www.instagram.com/p/Cx1/" and thread.followers == 2400
    # No e-mail to acknowledge with: the case waits, unacknowledged, for the brand's public answer.
    assert case.status == "new"
    assert not OutboxMessage.objects.filter(case=case, kind="email").exists()
    assert case.events.get(kind="opened").actor_label == "Анна"


def test_the_same_handle_in_another_case_is_the_same_customer():
    first = open_post().case
    second = open_post(handle="anna_k", post_url="https://www.instagram.com/p/Other/").case
    assert first.pk != second.pk and first.customer_id == second.customer_id
    assert Customer.objects.filter(email__isnull=True).count() == 1


def test_a_follow_on_comment_in_the_same_thread_joins_the_open_case():
    first = open_post()
    comment = open_post(
        post_url="https://www.instagram.com/p/Cx1/#c-77",
        parent_url="https://www.instagram.com/p/Cx1/",
        followers=2500,
    )
    assert comment.joined and comment.case.pk == first.case.pk
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=first.case, direction="in").count() == 2
    assert PublicThread.objects.get(case=first.case).followers == 2500
    # Another author commenting under the same post is someone else's complaint.
    other = open_post(handle="@onlooker", parent_url="https://www.instagram.com/p/Cx1/")
    assert not other.joined and other.case.pk != first.case.pk


def test_a_comment_after_the_case_closed_opens_a_new_one():
    first = open_post().case
    Case.objects.filter(pk=first.pk).update(status="closed")
    again = open_post(parent_url="https://www.instagram.com/p/Cx1/")
    assert not again.joined and again.case.pk != first.pk


def test_a_post_with_an_email_links_the_handle_to_that_customer():
    public = PublicPost(**POST)  # type: ignore[arg-type]
    case = case_open(
        request=IntakeRequest(email="Anna@Example.com", description=STORY, channel="public_thread", public=public)
    ).case
    assert case.customer.email == "anna@example.com"
    assert CustomerHandle.objects.get(platform="instagram", handle_key="anna_k").customer_id == case.customer_id
    assert OutboxMessage.objects.filter(case=case, kind="email").count() == 1  # they can be acknowledged


@pytest.mark.parametrize(
    ("handle", "code"),
    [
        ("", "required"),
        ("@", "required"),
        ("   @ ", "required"),
        ("anna\r\nBcc: x@evil.test", "control_characters"),
        ("anna\u202e", "control_characters"),
        ("<script>alert(1)</script>", "html"),
        ("anna>", "html"),
        ("a" * 101, "too_long"),
    ],
)
def test_a_bad_handle_is_refused_and_nothing_is_stored(handle, code):
    with pytest.raises(ValidationError) as caught:
        open_post(handle=handle)
    assert [e.code for e in caught.value.error_dict["public.handle"]] == [code]
    assert not Case.objects.exists() and not Customer.objects.exists()


def test_a_public_thread_needs_its_facts_and_other_channels_refuse_them():
    with pytest.raises(ValidationError) as caught:
        case_open(request=IntakeRequest(email="", description=STORY, channel="public_thread"))
    assert "public" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        case_open(
            request=IntakeRequest(email="a@example.com", description=STORY, public=PublicPost(**POST))  # type: ignore[arg-type]
        )
    assert "public" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:  # any other channel still needs an e-mail address
        case_open(request=IntakeRequest(email="", description=STORY, channel="api"))
    assert "email" in caught.value.error_dict
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("post_url", "javascript:alert(1)"),
        ("post_url", "ftp://example.com/p"),
        ("post_url", "https://exa mple.com/"),
        ("post_url", ""),
        ("parent_url", "file:///etc/passwd"),
        ("platform", "myspace"),
        ("followers", -1),
        ("thread_id", "t\n1"),
    ],
)
def test_bad_public_facts_are_refused_by_name(field, value):
    with pytest.raises(ValidationError) as caught:
        open_post(**{field: value})
    assert f"public.{field}" in caught.value.error_dict
    assert not Case.objects.exists()


# ---------------------------------------------------------------- the public reply


def test_a_public_reply_is_handed_to_the_connector_never_emailed(agent, connector):
    case = open_post().case
    message = case_reply(case=case, actor=agent, body=GOOD_REPLY)
    hooks = OutboxMessage.objects.filter(case=case, kind="webhook", subject="public_reply.requested")
    assert hooks.count() == 1
    assert not OutboxMessage.objects.filter(case=case, kind="email").exists()
    hook = hooks.get()
    assert hook.headers["message"] == str(message.public_id)
    data = json.loads(hook.body)["data"]
    reply = data["public_reply"]
    assert reply["platform"] == "instagram" and reply["post_url"] == "https://www.instagram.com/p/Cx1/"
    assert reply["in_reply_to_handle"] == "Anna_K" and reply["reply"] == GOOD_REPLY
    assert reply["brand"]["name"] == case.brand.sender_name and data["case"]["reference"] == case.reference
    assert reply["text"].startswith(GOOD_REPLY) and reply["continue_url"] in reply["text"]
    assert case.events.filter(kind=CaseEvent.Kind.PUBLIC_REPLY_REQUESTED).exists()
    message.refresh_from_db()
    assert message.email_message_id is None and message.brand_id == case.brand_id


def test_the_continuation_link_lets_in_only_the_first_browser(agent, connector):
    case = open_post().case
    case_reply(case=case, actor=agent, body=GOOD_REPLY)
    hook = OutboxMessage.objects.get(case=case, kind="webhook")
    token = json.loads(hook.body)["data"]["public_reply"]["continue_url"].rstrip("/").rsplit("/", 1)[1]
    link = status_link_redeem(token=token)
    assert link is not None and link.case_id == case.pk
    assert status_link_redeem(token=token) is None  # an onlooker who clicks it next gets nothing


def test_without_a_connector_a_public_reply_is_refused_and_nothing_is_stored(agent):
    case = open_post().case
    with pytest.raises(ValidationError, match="connector"):
        case_reply(case=case, actor=agent, body=GOOD_REPLY)
    assert not Message.objects.filter(case=case, direction="out").exists()
    assert not OutboxMessage.objects.filter(case=case).exists()


def test_the_coach_blocks_a_public_reply_that_argues_with_onlookers(agent, connector):
    case = open_post().case
    with pytest.raises(ReplyBlocked) as caught:
        case_reply(case=case, actor=agent, body=GOOD_REPLY + " @olga_m, вы не видели, что было на самом деле.")
    assert "onlookers" in {f.rule for f in caught.value.findings}
    assert not OutboxMessage.objects.filter(case=case).exists()


# ---------------------------------------------------------------- the API


def test_api_opens_a_public_thread_case_without_email_and_shows_its_facts(api):
    response = post(api, "/api/v1/cases", BODY)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["customer"]["email"] is None and data["channel"] == "public_thread"
    assert data["public"]["platform"] == "instagram" and data["public"]["handle"] == "Anna_K"
    again = api.get(f"/api/v1/cases/{data['id']}").json()
    assert again["public"]["post_url"] == "https://www.instagram.com/p/Cx1/" and again["public"]["followers"] == 2400
    comment = post(
        api,
        "/api/v1/cases",
        {
            **BODY,
            "public": {
                **POST,
                "post_url": "https://www.instagram.com/p/Cx1/c/9",
                "thread_id": None,
                "parent_url": "https://www.instagram.com/p/Cx1/",
            },
        },
    )
    assert comment.status_code == 200 and comment.json()["id"] == data["id"]


@pytest.mark.parametrize(
    ("public", "field"),
    [
        ({k: v for k, v in POST.items() if k != "handle"}, "public.handle"),
        ({**POST, "handle": "anna\nk"}, "public.handle"),
        ({**POST, "handle": "<b>anna</b>"}, "public.handle"),
        ({**POST, "post_url": "javascript:alert(1)"}, "public.post_url"),
        ({**POST, "platform": "myspace"}, "public.platform"),
        ({**POST, "followers": -5}, "public.followers"),
        ({**POST, "parent_url": ""}, "public.parent_url"),
    ],
)
def test_api_refuses_bad_public_facts_with_422_naming_the_field(api, public, field):
    response = post(api, "/api/v1/cases", {**BODY, "public": public})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Case.objects.exists()


def test_api_refuses_a_public_thread_without_its_facts(api):
    response = post(api, "/api/v1/cases", {k: v for k, v in BODY.items() if k != "public"})
    assert response.status_code == 422 and "public" in response.json()["errors"]
    response = post(api, "/api/v1/cases", {**BODY, "channel": "api"})  # no e-mail and public facts elsewhere
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_api_reply_to_a_public_thread_goes_to_the_connector(api, connector):
    case_id = post(api, "/api/v1/cases", BODY).json()["id"]
    response = post(api, f"/api/v1/cases/{case_id}/messages", {"kind": "reply", "body": GOOD_REPLY})
    assert response.status_code == 201, response.content
    assert OutboxMessage.objects.filter(subject="public_reply.requested").count() == 1
    assert not OutboxMessage.objects.filter(kind="email").exists()


def test_the_continuation_link_opens_the_status_page_of_a_handle_only_customer(agent, connector):
    case = open_post().case
    case_reply(case=case, actor=agent, body=GOOD_REPLY)
    url = json.loads(OutboxMessage.objects.get(case=case, kind="webhook").body)["data"]["public_reply"]["continue_url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    customer = Client()
    assert 'data-testid="link-claim"' in customer.get(f"/{path}").content.decode()  # asked first, claims nothing
    landed = customer.post(f"/{path}", follow=True)
    assert landed.status_code == 200 and case.reference in landed.content.decode()
    assert GOOD_REPLY[:40] in landed.content.decode()
    onlooker = Client().get(f"/{path}")
    assert onlooker.status_code == 410 and "This link was used already" in onlooker.content.decode()


def test_the_inbox_finds_a_case_by_the_authors_handle(agent_client):
    case = open_post().case
    page = agent_client.get("/console/", {"q": "@anna_k", "status": "all"})
    assert case.reference in page.content.decode()
    assert "None" not in page.content.decode()
