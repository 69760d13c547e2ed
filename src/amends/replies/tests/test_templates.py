import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.replies.coach import coach
from amends.replies.defaults import DEFAULTS, PURPOSES
from amends.replies.models import ReplyTemplate
from amends.replies.services import template_for, template_render, template_save, template_values
from amends.replies.templating import TemplateError, render, validate

pytestmark = pytest.mark.django_db


def test_every_purpose_has_a_default_in_every_customer_language():
    for language in ("en", "ru", "bg", "sr", "sr-latn", "sk"):
        assert set(DEFAULTS[language]) == set(PURPOSES)
        assert ReplyTemplate.objects.filter(language=language, category=None).count() == len(PURPOSES)


@pytest.mark.parametrize("language", ["en", "ru", "bg", "sr", "sk"])
def test_the_default_apology_passes_the_coach(language):
    _subject, body = DEFAULTS[language]["apology"]
    text = render(body, {"customer_name": "Olga", "remedy_options": "- a\n- b", "brand_name": "Shop"})
    result = coach(text, language=language, customer_name="Olga")
    assert not result.blocking and result.score >= 90, result.findings


@pytest.mark.parametrize("bad", ["{unknown}", "{customer_name.__class__}", "{customer_name!r}", "{", "{}"])
def test_a_template_with_an_unknown_or_unsafe_variable_is_refused(bad):
    with pytest.raises(TemplateError):
        validate(f"Dear {bad}")


def test_saving_a_bad_template_changes_nothing(manager):
    template = ReplyTemplate.objects.get(purpose="apology", language="en", category=None)
    before = template.body
    with pytest.raises(ValidationError) as excinfo:
        template_save(template=template, subject="Sorry", body="Dear {customer}", actor=manager)
    assert "body" in excinfo.value.message_dict
    template.refresh_from_db()
    assert template.body == before


def test_the_template_follows_the_case_language_and_fills_its_values():
    case = open_case(name="Ольга Петрова", language="ru").case
    template = template_for(purpose="acknowledgement", case=case)
    subject, body = template_render(template=template, values=template_values(case=case))
    assert template.language == "ru" and case.reference in subject and "Ольга Петрова" in body


def test_values_are_inserted_as_text_not_markup(agent_client):
    case = open_case(name="<script>alert(1)</script>").case
    html = agent_client.get(f"/console/cases/{case.public_id}/template/apology/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_managers_edit_and_preview_templates_agents_only_read(agent_client, manager):
    template = ReplyTemplate.objects.get(purpose="apology", language="sk", category=None)
    assert agent_client.post(f"/console/templates/{template.pk}/", {"subject": "x", "body": "y"}).status_code == 403
    client = Client()
    client.force_login(manager)
    preview = client.post(
        f"/console/templates/{template.pk}/",
        {"subject": "Prepáčte", "body": "Dobrý deň, {customer_name}", "action": "preview"},
    )
    assert "Dobrý deň, Olga" in preview.content.decode()
    refused = client.post(f"/console/templates/{template.pk}/", {"subject": "x", "body": "{nope}", "action": "save"})
    assert refused.status_code == 400 and "unknown variable" in refused.content.decode()
    saved = client.post(
        f"/console/templates/{template.pk}/",
        {"subject": "Prepáčte", "body": "Dobrý deň, {customer_name}", "action": "save"},
    )
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body == "Dobrý deň, {customer_name}" and template.updated_by == manager
    assert "Prepáčte" in client.get("/console/templates/?language=sk").content.decode()


def test_the_acknowledgement_mail_is_the_template_the_company_wrote(manager):
    template = ReplyTemplate.objects.get(purpose="acknowledgement", language="ru", category__isnull=True)
    template_save(
        template=template,
        subject="Мы на связи",
        body="{customer_name}, ваше обращение {case_reference} у нас. Следите здесь: {status_link}",
        actor=manager,
    )
    opened = open_case(name="Ольга")
    mail = OutboxMessage.objects.get(case_id=opened.case.pk, dedupe_key=f"ack:{opened.case.pk}")
    # The reference stays in the subject, so the customer's answer threads back to the case.
    assert mail.subject == f"[{opened.case.reference}] Мы на связи"
    written = f"Ольга, ваше обращение {opened.case.reference} у нас. Следите здесь: {opened.status_url}"
    # The remedy options offered at once (a wrong size is low-risk) follow the company's text, one link each.
    assert mail.body.startswith(written + "\n\n")
    assert mail.body.count("/r/") == len(opened.remedies) >= 2
