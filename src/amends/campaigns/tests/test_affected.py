"""Affected customers from a CSV upload: streamed, checked row by row, all or nothing."""

import pytest
from django.test import override_settings

from amends.campaigns.affected import affected_add_complainants
from amends.campaigns.models import AffectedCustomer, AffectedStaging
from amends.conftest import open_case
from amends.core.csv_safe import csv_line
from amends.customers.models import Customer
from amends.incidents.models import IncidentCase

from .factories import csv_bytes, import_csv, make_incident, people

pytestmark = pytest.mark.django_db


def test_a_clean_file_names_every_customer_once_and_creates_the_new_ones():
    incident = make_incident()
    Customer.objects.create(public_id="4b0ad3a1-5f8e-4c3a-9a55-1f2b3c4d5e6f", email="person1@example.com", name="Old")
    report = import_csv(incident, csv_bytes(people(3)))
    assert report.imported and report.rows == 3 and report.added == 3 and report.customers_created == 2
    assert AffectedCustomer.objects.filter(incident=incident).count() == 3
    assert not AffectedStaging.objects.exists()
    row = AffectedCustomer.objects.get(customer__email="person2@example.com")
    assert (row.name, row.language, row.order_reference, row.source) == ("Person 2", "en", "ORD-2", "csv")


def test_duplicates_in_the_file_and_across_uploads_are_one_affected_customer():
    incident = make_incident()
    rows = [*people(2), "PERSON0@Example.com,Person Zero,en,ORD-0"]
    report = import_csv(incident, csv_bytes(rows))
    assert report.imported and report.rows == 3 and report.added == 2 and report.repeated == 1
    again = import_csv(incident, csv_bytes(people(3)))
    assert again.added == 1 and again.repeated == 2
    assert AffectedCustomer.objects.filter(incident=incident).count() == 3
    assert Customer.objects.filter(email="person0@example.com").count() == 1


def test_a_semicolon_or_tab_file_is_read_and_a_bom_is_dropped():
    incident = make_incident()
    semicolon = "\ufeffemail;name;language\nana@example.com;Ana;sk\n".encode()
    assert import_csv(incident, semicolon).added == 1
    tab = b"email\tname\nboris@example.com\tBoris\n"
    assert import_csv(incident, tab).added == 1
    assert AffectedCustomer.objects.get(customer__email="ana@example.com").language == "sk"


def test_a_file_with_a_delimiter_it_does_not_know_is_refused_saying_which_it_takes():
    report = import_csv(make_incident(), b"email|name\nana@example.com|Ana\n")
    assert not report.imported and "commas, semicolons or tabs" in report.refused
    assert not AffectedCustomer.objects.exists()


def test_windows_1251_is_refused_and_named():
    data = "email,name\nolga@example.com,Ольга Петрова\n".encode("cp1251")
    report = import_csv(make_incident(), data)
    assert "windows-1251" in report.refused and "line 2" in report.refused
    assert not Customer.objects.exists()


def test_missing_columns_invalid_addresses_or_unknown_languages_are_reported_by_line_and_nothing_imported():
    incident = make_incident()
    rows = [*people(2), "not-an-email,Nobody,en,X", "ana@example.com,Ana", "bo@example.com,Bo,xx,Y", "a b@c.de,,,"]
    report = import_csv(incident, csv_bytes(rows))
    assert not report.imported and report.rejected_total == 4
    by_line = {r.line: r.reason for r in report.rejected}
    assert set(by_line) == {4, 5, 6, 7}
    assert "not an e-mail address" in by_line[4]
    assert "2 fields" in by_line[5]
    assert "not a language" in by_line[6]
    assert not AffectedCustomer.objects.exists() and not Customer.objects.exists()
    assert not AffectedStaging.objects.exists()


def test_a_file_without_an_email_or_external_id_column_is_refused():
    report = import_csv(make_incident(), b"name,language\nAna,sk\n")
    assert "email or external_id" in report.refused


def test_an_external_id_must_name_a_known_customer():
    incident = make_incident()
    Customer.objects.create(public_id="4b0ad3a1-5f8e-4c3a-9a55-1f2b3c4d5e60", email="k@example.com", external_id="C-1")
    report = import_csv(incident, b"external_id,name\nC-1,Karel\nC-404,Nobody\n")
    assert not report.imported and report.rejected[0].line == 3 and "C-404" in report.rejected[0].reason
    ok = import_csv(incident, b"external_id,name\nC-1,Karel\n")
    assert ok.imported and AffectedCustomer.objects.get().customer.email == "k@example.com"


def test_formula_injection_is_stored_as_text_and_exported_defused():
    incident = make_incident()
    payload = '=HYPERLINK("http://evil.example","click")'
    data = csv_bytes([f'ana@example.com,"{payload.replace(chr(34), chr(34) * 2)}",en,+SUM(1)'])
    assert import_csv(incident, data).imported
    row = AffectedCustomer.objects.get()
    assert row.name == payload and row.order_reference == "+SUM(1)"
    assert csv_line([row.name, row.order_reference]).startswith("\"'=HYPERLINK")


def test_a_zero_byte_file_is_refused():
    assert "empty" in import_csv(make_incident(), b"").refused


def test_a_header_without_rows_is_refused():
    assert "no rows" in import_csv(make_incident(), b"email,name\n").refused


@override_settings(CAMPAIGN_MAX_ROWS=5)
def test_more_rows_than_the_cap_are_refused_saying_the_cap():
    report = import_csv(make_incident(), csv_bytes(people(6)))
    assert not report.imported and "more than 5 rows" in report.refused
    assert not Customer.objects.exists()
    assert import_csv(make_incident("Other"), csv_bytes(people(5))).imported


def test_everyone_who_complained_in_the_incident_becomes_affected_once():
    incident = make_incident()
    first = open_case(email="olga@example.com")
    second = open_case(email="ivan@example.com", name="Иван")
    for opened in (first, second):
        IncidentCase.objects.create(incident=incident, case=opened.case, how="linked", created_at=incident.created_at)
    assert affected_add_complainants(incident=incident) == 2
    assert affected_add_complainants(incident=incident) == 0
    assert set(AffectedCustomer.objects.values_list("source", flat=True)) == {"complaints"}


def test_a_complainant_known_only_by_a_public_handle_gets_no_apology_mail():
    incident = make_incident()
    mailed = open_case(email="olga@example.com")
    handle_only = open_case(email="", channel="public_thread")
    assert handle_only.case.customer.email is None
    for opened in (mailed, handle_only):
        IncidentCase.objects.create(incident=incident, case=opened.case, how="linked", created_at=incident.created_at)
    assert affected_add_complainants(incident=incident) == 1
    assert list(AffectedCustomer.objects.values_list("customer__email", flat=True)) == ["olga@example.com"]
