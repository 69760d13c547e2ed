"""Load the demo shop: brand, teams, agents, and about 200 cases across languages, channels and states.

Cases go through the same services as real ones, so the demo timeline, outbox and search are real too.
Running it again loads nothing more: it moves the demo cases' times forward to the day it runs (their due dates
are relative to the day the demo is loaded, so the demo never opens on an inbox of weeks-old missed targets).
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.services import team_get_or_create, user_create
from amends.brands.models import BrandIdentity
from amends.brands.selectors import brand_default_forget
from amends.cases.intake import IntakeRequest, case_open
from amends.cases.lifecycle import Priority, Status
from amends.cases.models import ActorKind, Case, CaseEvent, Channel, Message
from amends.cases.public_threads import PublicPost
from amends.cases.services import case_add_note, case_assign, case_reply, case_set_priority, case_transition
from amends.demo.stories import NAMES, REMEDIES, REPLIES, STORIES
from amends.insights.services import rollups_rebuild
from amends.outbox.models import OutboxMessage
from amends.playbooks.demo import demo_playbooks_create

DEMO_PASSWORDS = {"agent": "amends-agent", "manager": "amends-manager", "admin": "amends-admin"}
DEMO_CUSTOMERS = "@customers.example"


def demo_age_hours(roll: float, rng: random.Random) -> float:
    """How long ago a demo case was opened, by how far it got (the same `roll` as _progress). A case nobody has
    answered yet (a note is not an answer) came in within the hour, inside even the urgent first-response target,
    as in a shop that keeps up, and about one in seven has missed its target on purpose, so the inbox shows what
    overdue looks like; cases waiting for the customer are days old, settled ones up to three weeks. Targets
    count from the opening, so on the day the demo is loaded the inbox is one a real team could have."""
    if roll < 0.45:  # not answered yet (below 0.3 untouched, above it with an internal note)
        return rng.uniform(0.05, 0.9) if rng.random() < 0.85 else rng.uniform(9, 30)
    if roll < 0.6:  # waiting for the customer
        return rng.uniform(6, 24 * 5)
    return rng.uniform(24, 24 * 20)  # resolved or closed


def demo_shift_to_today(*, loaded_at: datetime) -> int:
    """Move every time of the demo's cases forward by the time since the demo was loaded, so a demo loaded last
    month opens today as it opened then, instead of every case having missed its targets weeks ago. Only the
    demo's own customers' cases move; a case someone opened since is real and keeps its times."""
    delta = timezone.now() - loaded_at
    if delta <= timedelta(minutes=1):
        return 0
    cases = Case.objects.filter(customer__email__endswith=DEMO_CUSTOMERS, created_at__lte=loaded_at)
    ids = list(cases.values_list("id", flat=True))
    with transaction.atomic():
        Case.objects.filter(id__in=ids).update(
            **{name: F(name) + delta for name in DEMO_CASE_TIMES},
        )
        for name in ("first_responded_at", "resolved_at", "closed_at", "next_due_at", "first_offer_at"):
            Case.objects.filter(id__in=ids, **{f"{name}__isnull": False}).update(**{name: F(name) + delta})
        Case.objects.filter(id__in=ids, breached=True).filter(
            Q(next_due_at__isnull=True) | Q(next_due_at__gte=timezone.now())
        ).update(breached=False)
        CaseEvent.objects.filter(case_id__in=ids).update(created_at=F("created_at") + delta)
        Message.objects.filter(case_id__in=ids).update(created_at=F("created_at") + delta)
    return len(ids)


DEMO_CASE_TIMES = ("created_at", "updated_at", "first_response_due_at", "resolution_due_at")


class Command(BaseCommand):
    help = "Load demo data (a shoe and sportswear shop with about 200 cases). Does nothing if already loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: object, **options: int) -> None:
        loaded = User.objects.filter(username="agent").first()
        if loaded is not None:
            shifted = demo_shift_to_today(loaded_at=loaded.date_joined)
            User.objects.filter(pk=loaded.pk).update(date_joined=timezone.now())
            # Moving a case's dates records no event, so the minute's refresh would not see it: rebuild the days.
            rollups_rebuild()
            self.stdout.write(f"Demo data already loaded; {shifted} demo cases moved to today's dates.")
            return
        rng = random.Random(options["seed"])  # noqa: S311 - repeatable demo data, not security
        with transaction.atomic():
            BrandIdentity.objects.update(is_default=False)
            BrandIdentity.objects.update_or_create(
                name="Stride & Sprint",
                defaults={
                    "sender_name": "Stride & Sprint Customer Care",
                    "sender_email": "care@stride-sprint.example",
                    "signature": "Stride & Sprint Customer Care\nhttps://stride-sprint.example",
                    "public_handle": "@stridesprint",
                    "is_default": True,
                },
            )
            brand_default_forget()
            teams = [team_get_or_create(name=n) for n in ("Customer Care", "Fulfilment", "Web & App")]
            agent = user_create(
                username="agent",
                password=DEMO_PASSWORDS["agent"],
                first_name="Ana",
                last_name="Agent",
                email="agent@stride-sprint.example",
                team=teams[0],
            )
            manager = user_create(
                username="manager",
                password=DEMO_PASSWORDS["manager"],
                first_name="Milan",
                last_name="Manager",
                email="manager@stride-sprint.example",
                role=User.Role.MANAGER,
                team=teams[0],
            )
            user_create(
                username="admin",
                password=DEMO_PASSWORDS["admin"],
                first_name="Ada",
                last_name="Admin",
                email="admin@stride-sprint.example",
                role=User.Role.ADMIN,
            )
            colleagues = [agent] + [
                user_create(
                    username=f"agent{i}",
                    password=DEMO_PASSWORDS["agent"],
                    first_name=first,
                    last_name="Demo",
                    team=teams[i % 3],
                )
                for i, first in enumerate(("Boris", "Sofia", "Petra"), start=1)
            ]
            # Before the cases arrive, so they are routed to the playbooks' teams as real ones would be.
            demo_playbooks_create(manager=manager, teams=teams)
        now = timezone.now()
        languages = list(STORIES)
        channels = [
            Channel.FORM,
            Channel.FORM,
            Channel.EMAIL,
            Channel.EMAIL,
            Channel.API,
            Channel.PUBLIC_THREAD,
            Channel.PHONE,
        ]
        for index in range(options["cases"]):
            language = languages[index % len(languages)]
            subject, story = rng.choice(STORIES[language])
            name = rng.choice(NAMES[language])
            email = (
                f"{name.split()[0].lower()}.{index % 37}@customers.example".encode("ascii", "ignore").decode()
                or f"c{index}@customers.example"
            )
            if email.startswith("."):
                email = f"customer{index % 37}{email}"
            roll = rng.random()
            opened_at = now - timedelta(hours=demo_age_hours(roll, rng))
            value = Decimal(rng.randrange(1990, 25000)) / 100 if rng.random() < 0.7 else None
            channel = rng.choice(channels)
            # A public post, as a connector would push it: the demo's authors are known by e-mail too, so the
            # demo's clean-up still finds them.
            public = (
                PublicPost(
                    platform=rng.choice(["instagram", "facebook", "google_reviews"]),
                    handle="@" + email.split("@")[0].replace(".", "_"),
                    post_url=f"https://social.example/posts/demo-{index}",
                    followers=rng.choice([40, 350, 2_800, 41_000]),
                )
                if channel == Channel.PUBLIC_THREAD
                else None
            )
            with transaction.atomic():
                case = case_open(
                    request=IntakeRequest(
                        email=email,
                        name=name,
                        language=language,
                        description=story,
                        subject=subject,
                        channel=channel,
                        public=public,
                        order_reference=f"SO-{rng.randrange(100000, 999999)}" if value else "",
                        order_value=value,
                        order_currency="EUR" if value else "",
                        remedy_sought=rng.choice(REMEDIES[language]),
                    ),
                    now=opened_at,
                ).case
                self._progress(case, rng, roll, colleagues, teams, language, name)
        # The demo's acknowledgements went out "back then"; only new mail should reach the outbox worker.
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).update(
            state=OutboxMessage.State.SENT, sent_at=now
        )
        rollups_rebuild()  # the dashboard shows the demo at once, not after the worker's first minute
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo shop with {options['cases']} cases."))

    def _progress(self, case, rng, roll, colleagues, teams, language, name):  # type: ignore[no-untyped-def]
        if rng.random() < 0.25:
            case_set_priority(
                case=case, actor=colleagues[-1], priority=rng.choice([Priority.URGENT, Priority.HIGH, Priority.LOW])
            )
        if roll < 0.3:
            return  # still waiting for its first answer
        agent = rng.choice(colleagues)
        case_assign(case=case, actor=agent, team=rng.choice(teams), assignee=agent)
        if roll < 0.45:
            case_add_note(
                case=case, actor=agent, body="Checked the order in the warehouse system; the wrong item was picked."
            )
            case_transition(case=case, to=Status.IN_PROGRESS, actor_kind=ActorKind.AGENT, actor=agent)
            return
        if case.channel == Channel.PUBLIC_THREAD:
            # Its answer goes out through a connector (public_reply.requested), which the demo has none of: the
            # demo records that the thread was answered there, and moves the case on as the replies below do.
            case_add_note(case=case, actor=agent, body="Answered in the thread from the shop's account.")
            case.first_responded_at = case.created_at + timedelta(minutes=rng.uniform(5, 90))
            Case.objects.filter(pk=case.pk).update(first_responded_at=case.first_responded_at)
            for status in (Status.IN_PROGRESS, Status.WAITING if roll < 0.6 else Status.RESOLVED):
                case_transition(case=case, to=status, actor_kind=ActorKind.AGENT, actor=agent)
            if roll >= 0.85:
                case_transition(case=case, to=Status.CLOSED, actor_kind=ActorKind.AGENT, actor=agent)
            return
        reply = REPLIES[language].format(name=name.split()[0])
        if roll < 0.6:
            case_reply(case=case, actor=agent, body=reply, status_after=Status.WAITING)
        elif roll < 0.85:
            case_reply(case=case, actor=agent, body=reply, status_after=Status.RESOLVED)
        else:
            case_reply(case=case, actor=agent, body=reply, status_after=Status.RESOLVED)
            case_transition(case=case, to=Status.CLOSED, actor_kind=ActorKind.AGENT, actor=agent)
