import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amends.cases.models import Case
from amends.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def csrf_client(language: str = "en") -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": language})
    page = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client, token


def test_the_form_speaks_the_browsers_language():
    for language, heading in [
        ("ru", "Расскажите, что пошло не так"),
        ("bg", "Разкажете ни какво се обърка"),
        ("sr", "Реците нам шта је пошло наопако"),
        ("sr-latn", "Recite nam šta je pošlo naopako"),
        ("sk", "Povedzte nám, čo sa pokazilo"),
        ("en", "Tell us what went wrong"),
    ]:
        assert heading in Client(headers={"Accept-Language": language}).get("/").content.decode()


def test_the_form_and_its_thanks_carry_the_company_name_not_the_product_one():
    from amends.brands.services import brand_save

    brand_save(
        brand=None,
        name="Stride",
        sender_name="Stride & Sprint Care",
        sender_email="care@stride.example",
        is_default=True,
    )
    page = Client().get("/").content.decode()
    assert '<span class="brand">Stride &amp; Sprint Care</span>' in page
    client, token = csrf_client()
    thanks = client.post(
        "/", {"csrfmiddlewaretoken": token, "description": "The parcel never came.", "email": "x@example.com"}
    )
    assert thanks.status_code == 200 and Case.objects.count() == 1
    assert '<span class="brand">Stride &amp; Sprint Care</span>' in thanks.content.decode()


def test_the_story_comes_first_and_only_story_and_email_are_required():
    html = Client().get("/").content.decode()
    assert html.index('name="description"') < html.index('name="email"') < html.index('name="name"')


def test_a_complaint_through_the_form_opens_a_case_and_shows_the_reference():
    client, token = csrf_client("bg")
    response = client.post(
        "/",
        {
            "csrfmiddlewaretoken": token,
            "description": "Получих грешен номер.",
            "email": "maria@example.bg",
            "order_value": "49,90",
            "order_currency": "BGN",
            "attachments": [SimpleUploadedFile("снимка.png", PNG, "image/png")],
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.reference in response.content.decode()
    assert case.language == "bg" and case.channel == "form" and str(case.order_value) == "49.90"
    assert case.attachments.get().content_type == "image/png"
    # The person who wrote may follow the case at once in the same browser.
    assert client.get(f"/status/{case.public_id}/").status_code == 200


def test_the_form_refuses_a_post_without_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/", {"description": "x", "email": "a@b.co"})
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_errors_are_shown_next_to_the_fields_and_nothing_is_stored():
    client, token = csrf_client("ru")
    response = client.post(
        "/",
        {
            "csrfmiddlewaretoken": token,
            "description": " ",
            "email": "nope",
            "order_value": "-3",
            "order_currency": "RUB",
            "attachments": [SimpleUploadedFile("virus.jpg", b"MZ\x90\x00" + b"\x00" * 64, "image/jpeg")],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "сообщение пустое" in html and "правильный адрес" in html and "отрицательной" in html and "virus.jpg" in html
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()


def test_the_spam_trap_stores_nothing_but_looks_like_success():
    client, token = csrf_client()
    response = client.post(
        "/",
        {
            "csrfmiddlewaretoken": token,
            "description": "cheap pills",
            "email": "bot@example.com",
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_too_many_posts_from_one_address_are_rate_limited():
    client, token = csrf_client()
    codes = [
        client.post("/", {"csrfmiddlewaretoken": token, "description": "", "email": ""}).status_code for _ in range(12)
    ]
    assert codes[:10] == [400] * 10 and codes[-1] == 429


def test_script_in_the_story_is_shown_escaped_in_the_console(agent_client):
    client, token = csrf_client()
    client.post(
        "/",
        {
            "csrfmiddlewaretoken": token,
            "description": "<script>alert('x')</script>",
            "email": "a@b.co",
            "name": "<img src=x onerror=alert(1)>",
        },
    )
    case = Case.objects.get()
    html = agent_client.get(f"/console/cases/{case.public_id}/").content.decode()
    assert "<script>alert('x')</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_form_percent_encoding_a_lone_surrogate_stores_replacement_characters_not_a_crash():
    from amends.core.text import invalid_character

    client, token = csrf_client("sk")
    body = (
        f"csrfmiddlewaretoken={token}&email=jan%40example.sk&name=J%ED%A0%80n"
        "&description=Top%C3%A1nky%20%ED%A0%80%20nepri%C5%A1li.&remedy_sought=%ED%A0%80&order_reference=%ED%A0%80"
    )
    response = client.post("/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    case = Case.objects.get()
    for text in (case.description, case.customer.name, case.remedy_sought, case.order_reference):
        assert invalid_character(text) is None and "\ufffd" in text


def test_a_form_with_a_nul_is_refused_next_to_the_field_and_nothing_is_stored():
    client, token = csrf_client("sk")
    response = client.post(
        "/", {"csrfmiddlewaretoken": token, "description": "Topánky\x00 neprišli.", "email": "jan@example.sk"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["description"]  # Django's own check, in the page's language
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()
