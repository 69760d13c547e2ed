"""The dashboard, its CSV exports and the review through the test client: managers only, bad periods refused
with the reason, drill-down links that lead to the cases behind a figure, CSV that cannot run a formula."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.accounts.models import Team
from amends.cases.models import Case
from amends.cases.services import case_assign
from amends.conftest import open_case
from amends.insights.services import rollups_refresh


@pytest.fixture
def manager_client(manager) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(manager)
    return client


@pytest.mark.django_db
def test_the_dashboard_draws_every_chart_for_a_manager(manager_client):
    open_case(email="a@example.com", language="ru")
    open_case(email="b@example.com", language="bg", description="Пратката не пристигна, поръчка 4411.")
    rollups_refresh()
    page = manager_client.get("/console/insights/")
    assert page.status_code == 200
    html = page.content.decode()
    for chart in ("volume", "offer", "response", "breaches", "recurrences", "spots", "value"):
        assert f'data-testid="chart-{chart}"' in html, chart
    assert 'role="img"' in html and "<title" in html  # every chart has a title a screen reader reads
    assert "only one in 27 customers complains" in html  # where the silent-customer factor comes from
    assert ">52<" in html  # 2 complaints × 26 silent customers


@pytest.mark.django_db
def test_before_the_first_refresh_the_dashboard_says_its_figures_are_not_computed_yet(manager_client):
    open_case(email="a@example.com")
    html = manager_client.get("/console/insights/").content.decode()
    assert 'data-testid="not-computed"' in html and "within a minute of starting" in html
    rollups_refresh()
    html = manager_client.get("/console/insights/").content.decode()
    assert 'data-testid="not-computed"' not in html and "Figures refreshed" in html


@pytest.mark.django_db
def test_an_agent_may_not_see_the_dashboard(agent_client):
    assert agent_client.get("/console/insights/").status_code == 403
    assert agent_client.get("/console/insights/volume.csv").status_code == 403
    assert agent_client.get("/console/insights/report/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=2016-01-01&to=2026-01-01", "longer than two years"),
        ("from=2026-03-01&to=2026-01-01", "starts after it ends"),
        ("from=yesterday", "YYYY-MM-DD"),
    ],
)
def test_a_bad_period_is_refused_with_the_reason(manager_client, query, words):
    page = manager_client.get(f"/console/insights/?{query}")
    assert page.status_code == 400
    assert words in page.content.decode()
    assert 'data-testid="chart-volume"' not in page.content.decode()
    exported = manager_client.get(f"/console/insights/volume.csv?{query}")
    assert exported.status_code == 400 and words in exported.content.decode()
    assert manager_client.get(f"/console/insights/report/?{query}").status_code == 400


@pytest.mark.django_db
def test_the_period_is_in_the_reader_language(manager_client):
    page = manager_client.get("/console/insights/?from=2026-03-01&to=2026-01-01", headers={"accept-language": "ru"})
    assert page.status_code == 400
    assert "starts after it ends" not in page.content.decode()


@pytest.mark.django_db
def test_the_drill_down_leads_to_the_cases_behind_a_bar(manager_client, manager):
    team = Team.objects.create(name="Fulfilment")
    inside = open_case(email="a@example.com").case
    case_assign(case=inside, actor=manager, team=team, assignee=None)
    outside = open_case(email="b@example.com").case
    Case.objects.filter(pk=outside.pk).update(created_at=timezone.now() - timedelta(days=60))
    rollups_refresh()
    page = manager_client.get("/console/insights/?by=team").content.decode()
    link = "/console/?status=all&amp;opened_from="
    assert link in page
    today = timezone.localdate().isoformat()
    start = (timezone.localdate() - timedelta(days=29)).isoformat()
    inbox = manager_client.get(f"/console/?status=all&opened_from={start}&opened_to={today}&team={team.pk}")
    html = inbox.content.decode()
    assert inside.reference in html and outside.reference not in html


@pytest.mark.django_db
def test_csv_exports_never_start_a_cell_with_a_formula(manager_client, manager):
    team = Team.objects.create(name='=HYPERLINK("http://evil.example","x")')
    other = Team.objects.create(name="@SUM(A1:A9)")
    for i, t in enumerate((team, other)):
        case = open_case(email=f"c{i}@example.com").case
        case_assign(case=case, actor=manager, team=t, assignee=None)
    rollups_refresh()
    exported = manager_client.get("/console/insights/volume.csv?by=team")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    labels = [row[0] for row in rows[2:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in labels and "'@SUM(A1:A9)" in labels
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


@pytest.mark.django_db
def test_every_table_exports_and_an_unknown_one_is_not_found(manager_client):
    open_case()
    rollups_refresh()
    from amends.insights.tables import TABLE_NAMES

    for name in TABLE_NAMES:
        response = manager_client.get(f"/console/insights/{name}.csv")
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content)
    assert manager_client.get("/console/insights/cases.csv").status_code == 404


@pytest.mark.django_db
def test_the_review_prints_the_period(manager_client):
    open_case()
    rollups_refresh()
    page = manager_client.get("/console/insights/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "ISO 10002" in html and "Corrective actions" in html and "@media print" not in html


@pytest.mark.django_db
def test_the_review_says_in_words_how_many_actions_it_does_not_list(
    manager_client, manager, monkeypatch, migration_seeds
):
    from amends.aftercare.services import ActionSpec, root_cause_record
    from amends.aftercare.tests.conftest import resolve
    from amends.insights import aftercare_tables

    team = Team.objects.create(name="Fulfilment")
    tomorrow = timezone.localdate() + timedelta(days=1)
    root_cause_record(
        category="supplier",
        text="The courier lost the parcels.",
        actor=manager,
        case=resolve(open_case().case),
        actions=[ActionSpec(what=f"Step {n}", team_id=team.pk, due_date=tomorrow) for n in range(3)],
    )
    rollups_refresh()
    table = aftercare_tables.corrective_actions_table(
        aftercare_tables.Period(timezone.localdate(), timezone.localdate()), rows=1
    )
    assert [row[0] for row in table.rows] == ["Step 0"]
    assert table.note.startswith("2 more corrective actions")
    monkeypatch.setattr(aftercare_tables, "REVIEW_ROWS", 2)
    html = manager_client.get("/console/insights/report/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'data-testid="actions-more"' in html and "Step 1" in html and "Step 2" not in html
    assert "more corrective action" not in html  # in the reader's language
    assert "/console/actions/" in html
