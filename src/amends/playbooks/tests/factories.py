"""Test helpers that go through the real services."""

from collections.abc import Mapping, Sequence
from datetime import timedelta

from amends.accounts.models import Team, User
from amends.cases.models import Case
from amends.playbooks.models import Playbook
from amends.playbooks.services import StepInput, playbook_save
from amends.replies.models import ReplyTemplate
from amends.triage.models import CaseTriage, Category


def category_of(case: Case) -> Category:
    category = CaseTriage.objects.get(case=case).category
    assert category is not None
    return category


def save_playbook(
    *,
    manager: User,
    category: Category,
    team: Team | None = None,
    targets: Mapping[int, tuple[timedelta | None, timedelta | None]] | None = None,
    steps: Sequence[str | StepInput] = (),
    remedy_kinds: Sequence[str] = (),
    reply_template: ReplyTemplate | None = None,
) -> Playbook:
    return playbook_save(
        actor=manager,
        category=category,
        team=team,
        targets=targets or {},
        steps=[s if isinstance(s, StepInput) else StepInput(id=None, text=s) for s in steps],
        remedy_kinds=list(remedy_kinds),
        reply_template=reply_template,
    )
