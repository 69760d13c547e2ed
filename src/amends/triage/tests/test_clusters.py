import pytest
from django.test import Client

from amends.conftest import open_case
from amends.triage.clusters import fingerprint, match
from amends.triage.models import CaseTriage, ComplaintCluster

OUTAGE = [
    ("ru", "Сайт не открывается уже час, ошибка 500 при оплате."),
    ("sk", "Stránka nefunguje, pri platbe vyskočí chyba 500."),
    ("bg", "Сайтът не работи от час, грешка 500 при плащане."),
    ("sr", "Sajt ne radi, pri plaćanju izlazi greška 500."),
    ("en", "Your website is down, checkout fails with error 500."),
]


def test_an_entity_joins_complaints_across_languages():
    ru, sk = fingerprint(OUTAGE[0][1]), fingerprint(OUTAGE[1][1])
    assert "error:500" in ru.entities and "error:500" in sk.entities
    assert match(sk, ru.words, ru.entities, category="billing")


def test_serbian_in_either_script_shares_words():
    cyrillic = fingerprint("Курир је бацио пакет преко ограде и вређао ме.")
    latin = fingerprint("Kurir je bacio paket preko ograde i vređao me.")
    assert cyrillic.words == latin.words and cyrillic.digest == latin.digest


def test_unrelated_complaints_of_a_category_stay_apart():
    a = fingerprint("The zip on my jacket broke on the first day.")
    b = fingerprint("The sole of the hiking boots came off after a week.")
    assert not match(b, a.words, a.entities, category="damaged")


@pytest.mark.django_db
def test_five_customers_reporting_one_outage_in_their_own_words_flag_an_incident(agent):
    for i, (language, text) in enumerate(OUTAGE):
        open_case(email=f"c{i}@example.com", language=language, description=text)
    cluster = ComplaintCluster.objects.get()
    assert cluster.cases == 5 and cluster.customers == 5 and cluster.flagged_at is not None
    last = CaseTriage.objects.order_by("-id").first()
    assert last.result["ladder"]["signals"] == ["affected: 5 customers in one cluster"]
    client = Client()
    client.force_login(agent)
    assert "probable incident" in client.get("/console/clusters/").content.decode()
    assert "probable incident" in client.get("/console/").content.decode()


@pytest.mark.django_db
def test_one_template_pasted_by_many_is_not_an_incident():
    text = "Your website is down and checkout fails, fix it now."
    for i in range(6):
        open_case(email=f"t{i}@example.com", language="en", description=text)
    cluster = ComplaintCluster.objects.get()
    assert cluster.customers == 6 and cluster.voices == 1 and cluster.flagged_at is None


@pytest.mark.django_db
def test_one_customer_writing_five_times_is_not_an_incident():
    for _language, text in OUTAGE:
        open_case(email="same@example.com", description=text)
    cluster = ComplaintCluster.objects.get()
    assert cluster.customers == 1 and cluster.flagged_at is None


@pytest.mark.django_db
def test_each_complaint_is_stored_with_its_cluster_and_the_first_is_counted_once():
    for i, (language, text) in enumerate(OUTAGE[:3]):
        open_case(email=f"m{i}@example.com", language=language, description=text)
    cluster = ComplaintCluster.objects.get()
    assert cluster.cases == 3 and cluster.customers == 3 and cluster.voices == 3
    assert list(CaseTriage.objects.values_list("cluster_id", flat=True)) == [cluster.pk] * 3
    first = CaseTriage.objects.order_by("id").first()
    assert first.result["ladder"]["value"] == "private_reply"  # alone in its cluster when it came


@pytest.mark.django_db
def test_a_clustering_failure_leaves_the_case_triaged_without_a_cluster(monkeypatch):
    from amends.cases.models import Case
    from amends.outbox.models import OutboxMessage
    from amends.triage import services

    open_case(email="first@example.com", language="ru", description=OUTAGE[0][1])

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("clustering broke")

    monkeypatch.setattr(services, "is_incident", broken)
    case = open_case(email="second@example.com", language="sk", description=OUTAGE[1][1]).case
    assert Case.objects.filter(pk=case.pk).exists()
    record = CaseTriage.objects.get(case=case)
    assert record.cluster_id is None and record.category_id is not None
    assert ComplaintCluster.objects.get().cases == 1  # the failed join was rolled back with its savepoint
    assert OutboxMessage.objects.filter(case_id=case.pk, dedupe_key__startswith="ack:").exists()
