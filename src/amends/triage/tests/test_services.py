import pytest
from django.core.exceptions import ValidationError

from amends.cases.lifecycle import Priority
from amends.conftest import open_case
from amends.triage.models import CaseTriage, Category, CategoryModelVersion, TriageLabel
from amends.triage.services import (
    category_create,
    category_model_forget,
    category_model_train,
    category_remove,
    triage_correct,
)

pytestmark = pytest.mark.django_db


def test_every_new_case_is_triaged_with_the_model_version():
    category_model_forget()  # load from this test's database, not from what an earlier test left in the process
    case = open_case(description="Обогреватель загорелся, у ребёнка ожог руки!").case
    record = CaseTriage.objects.get(case=case)
    assert record.severity == 4 and record.model_version == CategoryModelVersion.objects.get(is_active=True).version
    assert record.result["category"]["value"] == "safety"
    case.refresh_from_db()
    assert case.priority == Priority.URGENT


def test_the_reply_language_follows_the_words_not_the_page():
    case = open_case(language="", ui_language="en", description="Заказывал кроссовки 42 размера, а пришли 40.").case
    assert case.language == "ru"
    latin = open_case(
        email="ana@example.rs",
        language="",
        description="Naručila sam patike broj 38, a stigle su 40. Šta sada da radim?",
    ).case
    assert latin.language == "sr-latn"


def test_a_stated_language_wins_over_detection():
    assert open_case(language="bg", description="Заказывал кроссовки 42 размера, а пришли 40.").case.language == "bg"


def test_a_correction_is_a_label_and_clears_review(agent):
    case = open_case().case
    triage_correct(case_id=case.pk, text=case.description, category_slug="returns", actor=agent)
    record = CaseTriage.objects.get(case=case)
    assert record.category.slug == "returns" and record.corrected and not record.needs_review
    assert TriageLabel.objects.get().text == case.description


def test_a_correction_to_an_unknown_category_is_refused(agent):
    case = open_case().case
    with pytest.raises(ValidationError, match="unknown category"):
        triage_correct(case_id=case.pk, text="x", category_slug="teleportation", actor=agent)
    assert not TriageLabel.objects.exists()


def test_retraining_learns_from_corrections_and_activates_a_new_version(agent):
    first = category_model_train()
    new = category_create(name="Loyalty programme")
    case = open_case(description="My loyalty points vanished from the account.").case
    for _ in range(3):
        triage_correct(
            case_id=case.pk, text="Loyalty points disappeared from my card", category_slug=new.slug, actor=agent
        )
    triage_correct(
        case_id=case.pk, text="Bonus points were not added after my purchase", category_slug=new.slug, actor=agent
    )
    second = category_model_train()
    assert second.is_active and not CategoryModelVersion.objects.get(pk=first.pk).is_active
    assert second.labels_used == 4
    case2 = open_case(email="p@example.com", description="Loyalty points disappeared again").case
    assert CaseTriage.objects.get(case=case2).result["category"]["value"] == new.slug


def test_removing_a_category_in_use_is_refused_unless_cases_move(agent):
    case = open_case().case
    used = CaseTriage.objects.get(case=case).category
    with pytest.raises(ValidationError, match="move them"):
        category_remove(category=used)
    other = Category.objects.exclude(pk=used.pk).filter(is_active=True).first()
    assert category_remove(category=used, move_to=other) == 1
    assert CaseTriage.objects.get(case=case).category == other
    assert not Category.objects.get(pk=used.pk).is_active


def test_a_category_with_a_duplicate_name_is_refused():
    with pytest.raises(ValidationError):
        category_create(name="Safety")


def test_a_public_post_with_many_followers_climbs_the_ladder():
    case = open_case(
        channel="public_thread", followers=25_000, description="Your courier threw my parcel over the fence. Shame!"
    ).case
    record = CaseTriage.objects.get(case=case)
    assert record.result["public_risk"]["value"] >= 0.9
    assert "25000 followers" in record.result["public_risk"]["signals"]
    assert record.result["ladder"]["value"] == "company_page_post"


def test_a_negative_follower_count_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        open_case(followers=-5)
    assert "followers" in excinfo.value.message_dict


def test_intake_survives_a_triage_failure(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("model file corrupt")

    monkeypatch.setattr("amends.cases.intake.triage_text", broken)
    case = open_case().case
    assert case.status == "acknowledged" and not CaseTriage.objects.filter(case=case).exists()
