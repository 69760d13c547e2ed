"""Playbooks for the demo shop (manage.py seed_demo), written through the real service."""

from datetime import timedelta

from amends.accounts.models import Team, User
from amends.triage.models import Category

from .services import StepInput, playbook_save

H, D = timedelta(hours=1), timedelta(days=1)

DEMO = [
    (
        "wrong_item",
        "Fulfilment",
        {},
        [
            "Read the whole story and the order before answering",
            "Check the order and the warehouse pick list",
            "Send the right item by courier; the customer keeps or returns the wrong one at our cost",
            "Offer a choice: a discount code or store credit",
            "Find why the wrong item was picked and note it on the case",
        ],
        ["replacement", "discount_code", "store_credit"],
    ),
    (
        "late_delivery",
        "Fulfilment",
        {2: (2 * H, D)},
        [
            "Look up the parcel with the carrier",
            "Tell the customer where it is and when it will arrive, with a time",
            "If it is lost: send a new one at once, without asking for proof",
            "Offer a refund of the delivery cost or a discount code",
        ],
        ["refund", "discount_code"],
    ),
    (
        "outage",
        "Web & App",
        {1: (timedelta(minutes=30), 4 * H), 2: (H, 8 * H)},
        [
            "Check the status page and the incident channel",
            "Link the case to the incident, if there is one",
            "Apologise personally once it works again",
            "Offer a discount code for the day",
        ],
        ["discount_code", "apology"],
    ),
]


def demo_playbooks_create(*, manager: User, teams: list[Team]) -> int:
    by_name = {team.name: team for team in teams}
    made = 0
    for slug, team, targets, steps, remedies in DEMO:
        category = Category.objects.filter(slug=slug, is_active=True).first()
        if category is None:
            continue
        playbook_save(
            actor=manager,
            category=category,
            team=by_name.get(team),
            targets=targets,
            steps=[StepInput(id=None, text=text) for text in steps],
            remedy_kinds=remedies,
            reply_template=None,
        )
        made += 1
    return made
