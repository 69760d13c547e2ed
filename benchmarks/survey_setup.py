"""Run inside `manage.py shell` by benchmarks/survey.py: N resolved cases with a sent survey each, and one single-use
one-click link per survey (a score drawn as customers answer: mostly satisfied, some not), written one a line."""

import os
import random
import secrets
import uuid
from datetime import timedelta

from django.utils import timezone

from amends.aftercare import links
from amends.aftercare.models import Survey
from amends.brands.selectors import brand_default
from amends.cases.models import Case
from amends.customers.models import Customer

count = int(os.environ["BENCH_SURVEYS"])
out = os.environ["BENCH_TOKENS"]
rng = random.Random(7)
now = timezone.now()
brand = brand_default()
languages = ["ru", "bg", "sr", "sr-latn", "sk", "en"]
for start in range(0, count, 2000):
    size = min(2000, count - start)
    customers = Customer.objects.bulk_create(
        [
            Customer(public_id=uuid.uuid4(), email=f"survey{start + i}@example.com", name=f"Customer {start + i}")
            for i in range(size)
        ]
    )
    resolved = now - timedelta(days=3)
    cases = Case.objects.bulk_create(
        [
            Case(
                public_id=uuid.uuid4(),
                reference=f"BS-{start + i:07d}",
                customer=c,
                brand=brand,
                channel="form",
                description="The parcel arrived late.",
                language=languages[(start + i) % len(languages)],
                status="resolved",
                first_response_due_at=resolved,
                resolution_due_at=resolved,
                resolved_at=resolved,
                created_at=resolved - timedelta(days=1),
                updated_at=resolved,
            )
            for i, c in enumerate(customers)
        ]
    )
    Survey.objects.bulk_create(
        [
            Survey(
                case=case,
                resolved_at=resolved,
                nonce=secrets.token_hex(8),
                language=case.language,
                state="sent",
                due_at=resolved,
                sent_at=now - timedelta(hours=1),
                expires_at=now + timedelta(days=30),
                created_at=resolved,
            )
            for case in cases
        ]
    )
with open(out, "w") as f:
    for survey_id, nonce in Survey.objects.values_list("public_id", "nonce").order_by("?"):
        score = rng.choices([5, 4, 3, 2, 1], weights=[40, 30, 15, 10, 5])[0]
        token = links.survey_token(survey_id=survey_id, nonce=nonce, score=score)
        f.write(f"/survey/{token}/\n")
print("ready", count)
