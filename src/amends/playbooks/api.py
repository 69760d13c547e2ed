"""GET /api/v1/playbooks: every category's playbook, for integrators (and the remedies app's own reading)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from amends.cases.schemas import ErrorOut

from .models import Playbook
from .selectors import default_targets, playbook_list, playbook_targets
from .targets import Pair

router = Router(tags=["playbooks"])


class TargetOut(Schema):
    priority: int = Field(description="1 urgent, 2 high, 3 normal, 4 low")
    first_response_seconds: int = Field(description="From when the case arrives to the first human answer")
    resolution_seconds: int = Field(description="From when the case arrives to its resolution")
    source: Literal["playbook", "default"] = Field(description="Set by the playbook, or the company's default")


class StepOut(Schema):
    id: UUID
    position: int
    text: str


class ReplyTemplateOut(Schema):
    purpose: str
    language: str
    category: str | None = Field(description="The template's category, or null for a general one")


class PlaybookOut(Schema):
    category: str = Field(description="The category's slug, as in a case's triage")
    category_name: str
    team: str | None = Field(description="The owning team, to which new cases of the category are routed")
    targets: list[TargetOut] = Field(description="The targets a case of the category gets, for every priority")
    steps: list[StepOut]
    remedy_kinds: list[str] = Field(description="The default remedies, in order")
    reply_template: ReplyTemplateOut | None
    updated_at: datetime


class PlaybookListOut(Schema):
    defaults: list[TargetOut] = Field(description="The company's default targets, for categories without their own")
    items: list[PlaybookOut]


def _targets(own: dict[int, Pair], defaults: dict[int, Pair]) -> list[TargetOut]:
    rows = []
    for priority in sorted(defaults):
        first, resolution = own.get(priority, defaults[priority])
        rows.append(
            TargetOut(
                priority=priority,
                first_response_seconds=int(first.total_seconds()),
                resolution_seconds=int(resolution.total_seconds()),
                source="playbook" if priority in own else "default",
            )
        )
    return rows


def _playbook(playbook: Playbook, defaults: dict[int, Pair]) -> PlaybookOut:
    template = playbook.reply_template
    return PlaybookOut(
        category=playbook.category.slug,
        category_name=playbook.category.name,
        team=playbook.team.name if playbook.team else None,
        targets=_targets(playbook_targets(actor=None, playbook=playbook), defaults),
        steps=[StepOut(id=s.public_id, position=s.position, text=s.text) for s in playbook.steps.all()],
        remedy_kinds=list(playbook.remedy_kinds),
        reply_template=ReplyTemplateOut(
            purpose=template.purpose,
            language=template.language,
            category=template.category.slug if template.category else None,
        )
        if template
        else None,
        updated_at=playbook.updated_at,
    )


@router.get(
    "/playbooks",
    response={200: PlaybookListOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="List the playbooks",
)
def list_playbooks(request: HttpRequest) -> PlaybookListOut:
    """Every active category that has a playbook, by category name, with the company's default targets."""
    defaults = default_targets(actor=None)
    return PlaybookListOut(
        defaults=_targets({}, defaults),
        items=[_playbook(p, defaults) for _category, p in playbook_list(actor=None) if p is not None],
    )
