"""A batch of codes as CSV: the columns, formula-safe, readable by csv.reader; the console download for managers."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.remedies import codes, codes_csv
from amends.remedies.codes_csv import codes_export_csv
from amends.remedies.codes_service import code_redeem, codes_issue_batch, codes_void
from amends.remedies.models import RemedyCode

pytestmark = pytest.mark.django_db


def read(lines) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO("".join(lines), newline="")))


def test_the_export_has_one_row_per_code_with_its_value_currency_expiry_and_state():
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    codes_issue_batch(count=5, batch="spring", amount="12.5", currency="EUR", minimum_order="40", expires_at=expires)
    first, second, third, *_rest = RemedyCode.objects.filter(batch="spring").order_by("id")
    code_redeem(code=first.code, order_reference="SO-1", order_value="40")
    codes_void(code=second.code)
    RemedyCode.objects.filter(pk=third.pk).update(expires_at=timezone.now() - timedelta(days=1))
    header, *rows = read(codes_export_csv("spring"))
    assert header == ["code", "value", "currency", "expires", "state", "minimum_order"]
    assert [row[0] for row in rows] == [
        codes.group(c) for c in RemedyCode.objects.filter(batch="spring").order_by("id").values_list("code", flat=True)
    ]
    assert [row[4] for row in rows] == ["redeemed", "void", "expired", "issued", "issued"]
    assert rows[3] == [rows[3][0], "12.50", "EUR", expires.strftime("%Y-%m-%dT%H:%M:%SZ"), "issued", "40.00"]
    assert all(codes.is_valid(row[0]) for row in rows)


def test_a_percentage_batch_exports_its_percentage_and_no_minimum():
    codes_issue_batch(count=2, batch="pct", percent="12.50", expires_at=timezone.now() + timedelta(days=3))
    _header, *rows = read(codes_export_csv("pct"))
    assert {(row[1], row[2], row[5]) for row in rows} == {("12.5%", "", "")}


def test_an_unknown_batch_is_the_header_alone():
    assert read(codes_export_csv("nothing")) == [list(codes_csv.HEADER)]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_start_a_formula_is_quoted_so_it_stays_text(monkeypatch, start):
    # Nothing a batch holds starts like this today; the export must stay safe if a column ever carries text
    # that someone else chose.
    codes_issue_batch(count=1, batch="evil", amount="5", currency="EUR", expires_at=timezone.now() + timedelta(days=3))
    monkeypatch.setattr(codes_csv.codes, "group", lambda code: f'{start}HYPERLINK("http://x.example")')
    _header, row = read(codes_export_csv("evil"))
    assert row[0] == f'\'{start}HYPERLINK("http://x.example")'


def test_the_lines_end_in_crlf_and_carry_no_byte_order_mark():
    codes_issue_batch(count=2, batch="b", amount="5", currency="EUR", expires_at=timezone.now() + timedelta(days=3))
    lines = list(codes_export_csv("b"))
    assert len(lines) == 3 and all(line.endswith("\r\n") and line.count("\r\n") == 1 for line in lines)
    assert lines[0].startswith("code,") and lines[1].isascii()


# --- the console download ------------------------------------------------------------------------------------


def _batch() -> None:
    codes_issue_batch(
        count=3, batch="incident-7", amount="5", currency="EUR", expires_at=timezone.now() + timedelta(days=3)
    )


def test_a_manager_downloads_the_batch(manager):
    _batch()
    client = Client()
    client.force_login(manager)
    response = client.get("/console/codes/incident-7.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="codes-incident-7.csv"'
    assert response["Cache-Control"] == "no-store"
    header, *rows = read(b"".join(response.streaming_content).decode())
    assert header[0] == "code" and len(rows) == 3


def test_an_agent_may_not_download_codes(agent_client):
    _batch()
    response = agent_client.get("/console/codes/incident-7.csv")
    assert response.status_code == 403 and b"HYPERLINK" not in response.content


def test_nobody_signed_out_gets_the_codes():
    _batch()
    response = Client().get("/console/codes/incident-7.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("batch", ["unknown", "..", "a%20b", "%3D1%2B1"])
def test_an_unknown_or_impossible_batch_is_not_found(manager, batch):
    _batch()
    client = Client()
    client.force_login(manager)
    assert client.get(f"/console/codes/{batch}.csv").status_code == 404
