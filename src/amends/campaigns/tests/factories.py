"""Test factories for campaigns: an incident (the incidents app declares them through its own pages; here the row
is enough), and a CSV of affected customers."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from amends.brands.models import BrandIdentity
from amends.campaigns.affected import ImportReport, affected_import_csv
from amends.campaigns.models import Campaign
from amends.campaigns.services import campaign_save
from amends.incidents.models import Incident


def make_incident(title: str = "Checkout down for three hours") -> Incident:
    brand, _ = BrandIdentity.objects.get_or_create(
        name="Sportovia",
        defaults={"sender_name": "Sportovia", "sender_email": "care@sportovia.example", "signature": "Sportovia"},
    )
    now = timezone.now()
    public_id = uuid.uuid4()
    return Incident.objects.create(
        public_id=public_id,
        slug=f"checkout-down-{public_id.hex[:8]}",
        title=title,
        summary="Our checkout refused every payment from 09:00 to 12:00.",
        started_at=now - timedelta(hours=5),
        ended_at=now - timedelta(hours=2),
        brand=brand,
        created_at=now,
        updated_at=now,
    )


def csv_bytes(rows: list[str], *, header: str = "email,name,language,order_reference") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def import_csv(incident: Incident, data: bytes, **kwargs: object) -> ImportReport:
    return affected_import_csv(incident=incident, upload=io.BytesIO(data), **kwargs)  # type: ignore[arg-type]


def people(n: int, *, start: int = 0, language: str = "en") -> list[str]:
    return [f"person{i}@example.com,Person {i},{language},ORD-{i}" for i in range(start, start + n)]


def make_campaign(incident: Incident, *, rate: int = 1000, percent: str = "20") -> Campaign:
    return campaign_save(
        incident=incident,
        remedy_kind="discount_code",
        percent=Decimal(percent),
        rate=rate,
        valid_until=timezone.localdate() + timedelta(days=1),
    )
