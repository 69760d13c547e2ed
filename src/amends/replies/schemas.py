"""What the API says about the coach's findings: the coach endpoint and a reply the coach refused share it."""

from ninja import Schema


class SpanOut(Schema):
    start: int
    end: int
    text: str


class FindingOut(Schema):
    rule: str
    severity: str
    message: str
    suggestion: str
    span: SpanOut | None
