"""The default taxonomy for retail and services, and the starter examples that ship with it."""

from pathlib import Path

DEFAULT_CATEGORIES = [
    ("wrong_item", "Wrong item or size", "The customer received something other than what they ordered."),
    ("late_delivery", "Late or missing delivery", "The order is late, lost, or marked delivered but not received."),
    ("damaged", "Damaged or defective product", "It arrived broken, or broke in normal use."),
    ("billing", "Billing and refunds", "Charges, double payments, discounts not applied, money not returned."),
    ("outage", "Website or app outage", "The site or app is down, erroring or unusable."),
    ("staff_conduct", "Staff conduct", "Rudeness or misbehaviour by staff, couriers or support."),
    ("waiting_time", "Waiting time", "Queues, hold times, late appointments, slow answers."),
    ("returns", "Returns and exchanges", "Returning or exchanging goods, and the refunds for them."),
    ("service_quality", "Service quality", "A service done badly, poor advice, broken promises to call back."),
    ("safety", "Safety", "A product or place that hurt or could hurt someone."),
    ("privacy", "Privacy", "Personal data exposed, misused or not deleted."),
    ("other", "Other", "Anything else."),
]

STARTER = Path(__file__).with_name("data") / "starter"


def starter_examples() -> list[tuple[str, str, str]]:
    """(language, category, text) for every starter complaint."""
    rows = []
    for path in sorted(STARTER.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                category, text = line.split("\t", 1)
                rows.append((path.stem, category, text))
    return rows
