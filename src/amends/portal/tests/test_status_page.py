from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.cases.models import Message
from amends.cases.services import case_add_note, case_reply
from amends.conftest import open_case
from amends.portal.models import StatusLink
from amends.portal.services import status_links_revoke

pytestmark = pytest.mark.django_db


def redeem(client: Client, url: str):  # type: ignore[no-untyped-def]
    return client.get(url.replace("http://127.0.0.1:8000", ""))


def test_the_link_is_swapped_for_a_session_and_a_clean_url(opened):
    client = Client()
    response = redeem(client, opened.status_url)
    assert response.status_code == 302
    assert response["Location"] == f"/status/{opened.case.public_id}/"
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert opened.case.reference in page.content.decode()


def test_the_page_opens_in_the_case_language(opened):
    client = Client()
    page = client.get(redeem(client, opened.status_url)["Location"])
    assert "Ваше обращение" in page.content.decode()


def test_internal_notes_never_show_but_replies_do(opened, agent):
    case_add_note(case=opened.case, actor=agent, body="SECRET: customer seems to exaggerate")
    case_reply(case=opened.case, actor=agent, body="Мы отправили правильный размер.")
    client = Client()
    html = client.get(redeem(client, opened.status_url)["Location"]).content.decode()
    assert "SECRET" not in html and "Internal" not in html
    assert "Мы отправили правильный размер." in html


def test_another_customers_case_is_not_found(opened):
    other = open_case(email="someone@example.com")
    client = Client()
    redeem(client, opened.status_url)
    assert client.get(f"/status/{other.case.public_id}/").status_code == 404
    assert client.get(f"/status/{opened.case.public_id}/").status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500])
def test_an_unknown_token_is_a_404_page(db, token):
    response = Client().get(f"/status/t/{token}/")
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_expired_link_does_not_open(opened):
    StatusLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert redeem(Client(), opened.status_url).status_code == 404


def test_revoking_ends_access_even_for_a_session_that_already_redeemed(opened, agent):
    client = Client()
    page_url = redeem(client, opened.status_url)["Location"]
    status_links_revoke(case=opened.case, actor=agent)
    assert client.get(page_url).status_code == 404
    assert redeem(Client(), opened.status_url).status_code == 404


def test_the_customer_can_write_more_and_script_is_rendered_escaped(opened):
    client = Client()
    page_url = redeem(client, opened.status_url)["Location"]
    response = client.post(page_url + "message/", {"body": "<script>alert(1)</script> ещё вопрос"})
    assert response.status_code == 302
    assert Message.objects.filter(case=opened.case, body__startswith="<script>").exists()
    html = client.get(page_url).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_empty_message_is_refused_with_a_reason(opened):
    client = Client()
    page_url = redeem(client, opened.status_url)["Location"]
    response = client.post(page_url + "message/", {"body": "   "})
    assert response.status_code == 400
    assert Message.objects.filter(case=opened.case).count() == 1


def test_writing_without_a_session_is_refused(opened):
    response = Client().post(f"/status/{opened.case.public_id}/message/", {"body": "hi"})
    assert response.status_code == 404
    assert Message.objects.filter(case=opened.case).count() == 1


def test_the_customer_can_reject_a_resolution(opened, agent):
    case_reply(case=opened.case, actor=agent, body="Возврат оформлен.", status_after="resolved")
    client = Client()
    page_url = redeem(client, opened.status_url)["Location"]
    assert "Всё ли решено?" in client.get(page_url).content.decode()
    client.post(page_url + "verdict/", {"accepted": "no"})
    opened.case.refresh_from_db()
    assert opened.case.status == "in_progress"
    assert client.post(page_url + "verdict/", {"accepted": "maybe"}).status_code == 400
