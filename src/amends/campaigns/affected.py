"""Naming an incident's affected customers: a CSV upload, an NDJSON batch from the API, or everyone who complained.

**Stage, then commit.** The rows of an upload are checked one by one as they are read and written to a staging
table in chunks (PostgreSQL's COPY; on SQLite one INSERT … SELECT over `json_each` per chunk). Only when the whole
upload has been read without a rejected row are the rows merged, in one transaction of three set-wise statements:
new customers (by lower-cased e-mail, ON CONFLICT DO NOTHING), then the affected customers by e-mail and by
external id (ON CONFLICT DO NOTHING: a customer named twice is one affected customer). An upload with any
rejected row imports nothing and reports every rejected row with its line number. The staged rows are deleted
either way.

A customer known only by an external id must be one amends already knows; a new customer is created from an
e-mail address (with the row's name and language), so an external id on a new customer's row is not stored.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.customers.models import Customer
from amends.incidents.models import Incident

from .affected_rows import FileRefused, Rejected, Row, read_csv
from .models import AffectedCustomer, AffectedStaging

CHUNK = 20_000
REPORT_ROWS = 200  # rejected rows listed in a report; the rest are counted
# Staged rows older than this belong to an upload whose process died before it could delete them (the largest
# upload allowed is read, checked and merged in minutes).
STAGING_ABANDONED_AFTER = timedelta(hours=6)


@dataclass
class ImportReport:
    rows: int = 0
    added: int = 0  # affected customers new to this incident
    customers_created: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    rejected_total: int = 0
    refused: str = ""  # the whole upload was refused before any row (empty file, not UTF-8, too many rows)

    @property
    def imported(self) -> bool:
        return not self.refused and not self.rejected_total

    @property
    def repeated(self) -> int:
        """Rows that named a customer already affected, or named one customer again."""
        return self.rows - self.added if self.imported else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "rows": self.rows,
            "added": self.added,
            "repeated": self.repeated,
            "customers_created": self.customers_created,
            "rejected_total": self.rejected_total,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
            "refused": self.refused,
        }


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


_STAGED = ("line", "email", "external_id", "name", "language", "order_reference")


def _stage(upload: uuid.UUID, rows: list[Row]) -> None:
    table = _table(AffectedStaging)
    if connection.vendor == "postgresql":
        columns = ", ".join(["upload", *_STAGED])
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
            # write_row escapes in psycopg's C code: a Python escape per value cost as much as the COPY itself.
            for r in rows:
                stream.write_row((upload, r.line, r.email, r.external_id, r.name, r.language, r.order_reference))
        return
    # One parameter for the whole chunk (a JSON array that json_each unrolls): far from SQLite's variable limit.
    picks = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(_STAGED)))
    statement = f"INSERT INTO {table} (upload, {', '.join(_STAGED)}) SELECT %s, {picks} FROM json_each(%s)"  # noqa: S608
    payload = json.dumps([[r.line, r.email, r.external_id, r.name, r.language, r.order_reference] for r in rows])
    with connection.cursor() as cursor:
        cursor.execute(statement, [upload.hex, payload])


def _uuid_sql() -> str:
    # A random UUID per row, made by the database: gen_random_uuid() on PostgreSQL 13+; on SQLite 32 random hex
    # digits, which is how Django stores a UUIDField there.
    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


def _upload_param(upload: uuid.UUID) -> uuid.UUID | str:
    return upload if connection.vendor == "postgresql" else upload.hex


def _unknown_external_ids(upload: uuid.UUID) -> list[Rejected]:
    staging, customers = _table(AffectedStaging), _table(Customer)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.line, s.external_id FROM {staging} s WHERE s.upload = %s AND s.email = '' "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {customers} c WHERE c.external_id = s.external_id) "
            f"ORDER BY s.line LIMIT {REPORT_ROWS + 1}",
            [_upload_param(upload)],
        )
        found = cursor.fetchall()
    return [
        Rejected(line, _("No customer has the external id %(id)s; name a new customer by e-mail.") % {"id": ext[:60]})
        for line, ext in found
    ]


def roomy_sorts() -> None:
    """Within the current transaction, let PostgreSQL sort and hash a million rows in memory: with the default
    4 MB `work_mem` the grouping and joins of a large upload or campaign start spill to temporary files on disk.
    SET LOCAL, so it ends with the transaction; a no-op on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")


def _merge(upload: uuid.UUID, incident: Incident, source: str) -> tuple[int, int]:
    """Customers created and affected customers added, from the staged rows of `upload`."""
    staging, customers, affected = _table(AffectedStaging), _table(Customer), _table(AffectedCustomer)
    now = timezone.now()
    key = _upload_param(upload)
    roomy_sorts()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {customers} (public_id, email, name, preferred_language, external_id, lifetime_value, "  # noqa: S608
            f"tier, created_at) SELECT {_uuid_sql()}, s.email, MAX(s.name), MAX(s.language), NULL, 0, 'standard', %s "
            f"FROM {staging} s WHERE s.upload = %s AND s.email <> '' GROUP BY s.email "
            f"ON CONFLICT (email) DO NOTHING",
            [now, key],
        )
        created = cursor.rowcount
        added = 0
        for match in ("s.email <> '' AND c.email = s.email", "s.email = '' AND c.external_id = s.external_id"):
            cursor.execute(
                f"INSERT INTO {affected} (incident_id, customer_id, name, language, order_reference, source, "  # noqa: S608
                f"created_at) SELECT %s, c.id, MAX(s.name), MAX(s.language), MAX(s.order_reference), %s, %s "
                f"FROM {staging} s JOIN {customers} c ON {match} WHERE s.upload = %s GROUP BY c.id "
                f"ON CONFLICT (incident_id, customer_id) DO NOTHING",
                [incident.pk, source, now, key],
            )
            added += cursor.rowcount
    return created, added


def affected_import(*, incident: Incident, rows: Iterable[Row | Rejected], source: str) -> ImportReport:
    """Import checked rows (from `affected_rows`), all or none; see the module's docstring."""
    report = ImportReport()
    upload = uuid.uuid4()
    chunk: list[Row] = []
    try:
        try:
            for row in rows:
                report.rows += 1
                if isinstance(row, Rejected):
                    report.rejected_total += 1
                    if len(report.rejected) < REPORT_ROWS:
                        report.rejected.append(row)
                    continue
                if report.rejected_total:
                    continue  # the upload is refused anyway: read on only to report every rejected row
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    with transaction.atomic():
                        _stage(upload, chunk)
                    chunk = []
        except FileRefused as refused:
            report.refused = str(refused)
            return report
        if report.rejected_total:
            return report
        if chunk:
            with transaction.atomic():
                _stage(upload, chunk)
        if not report.rows:
            report.refused = _("The file names no customer: it has a first line but no rows.")
            return report
        unknown = _unknown_external_ids(upload)
        if unknown:
            report.rejected, report.rejected_total = unknown[:REPORT_ROWS], len(unknown)
            return report
        with transaction.atomic():
            report.customers_created, report.added = _merge(upload, incident, source)
        return report
    finally:
        AffectedStaging.objects.filter(upload=upload).delete()


def affected_staging_sweep(*, older_than: timedelta = STAGING_ABANDONED_AFTER) -> int:
    """Delete the staged rows of uploads that never finished (their process was killed between staging and the
    delete that ends every import); returns how many. Run periodically by the worker."""
    deleted, _by_model = AffectedStaging.objects.filter(staged_at__lt=timezone.now() - older_than).delete()
    return deleted


def affected_import_csv(*, incident: Incident, upload: BinaryIO, max_rows: int | None = None) -> ImportReport:
    cap = max_rows or settings.CAMPAIGN_MAX_ROWS
    return affected_import(incident=incident, rows=read_csv(upload, max_rows=cap), source=AffectedCustomer.Source.CSV)


def affected_add_complainants(*, incident: Incident) -> int:
    """Everyone who complained in the incident's cases or its cluster becomes affected; returns how many were new.

    (Customers with an order in the incident's window would come from the shop's orders, which amends does not
    hold yet.)"""
    from amends.cases.models import Case

    now = timezone.now()
    cases = Case.objects.filter(incident_link__incident=incident)
    if incident.cluster_id:
        cases = cases | Case.objects.filter(triage__cluster_id=incident.cluster_id)
    # A customer known only by a public handle has no address to mail: the brand answers them in their thread.
    cases = cases.filter(customer__email__isnull=False)
    customers = {
        customer_id: (name, language)
        for customer_id, name, language in cases.values_list("customer_id", "customer__name", "language").distinct()
    }
    rows = [
        AffectedCustomer(
            incident=incident,
            customer_id=customer_id,
            name=name,
            language=language,
            source=AffectedCustomer.Source.COMPLAINTS,
            created_at=now,
        )
        for customer_id, (name, language) in customers.items()
    ]
    before = AffectedCustomer.objects.filter(incident=incident).count()
    AffectedCustomer.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return AffectedCustomer.objects.filter(incident=incident).count() - before
