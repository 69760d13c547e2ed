"""Public posts and comments a connector pushes in (seed 002): their facts checked, and the thread they belong to.

A post's author is known by a handle on a platform, often with no e-mail address behind it. The handle is shown on
the case page and sent back to the connector, so it is held to one plain line: no control characters (a CR/LF
could forge lines in a log or a header) and no HTML (it is someone else's page that prints it next).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from amends.customers.models import Customer, Platform

from .lifecycle import OPEN
from .models import Case, PublicThread

MAX_HANDLE = 100
MAX_URL = 1000
MAX_THREAD_ID = 200
# The rules below are also the API document's patterns (cases.schemas), in the dialect JSON Schema uses, so that a
# client generated from the document is refused nothing it allows: control characters, including the invisible
# ones that reorder text (bidi overrides), and line and paragraph separators.
CONTROL = r"\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069"
SPACE = r"\t-\r\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# One line, no HTML, and something besides spaces and @ in it.
HANDLE_PATTERN = rf"^[^{CONTROL}<>]*[^{CONTROL}<>{SPACE}@][^{CONTROL}<>]*$"
# http or https, a host, then a path, query or fragment: no spaces, controls, quotes or angle brackets anywhere.
URL_PATTERN = r'^https?://[^\x00-\x20\x7f-\x9f/?#<>"\[\]\\@`{}|^]+(?:[/?#][^\x00-\x20\x7f-\x9f<>"\\`{}|^]*)?$'
THREAD_ID_PATTERN = rf"^[^{CONTROL}]*$"
_CONTROL = re.compile(f"[{CONTROL}]")
_LEADING = re.compile(f"^[{SPACE}@]+")
_TRAILING = re.compile(f"[{SPACE}]+$")
_HANDLE = re.compile(HANDLE_PATTERN[:-1] + r"\Z")
_URL = re.compile(URL_PATTERN[:-1] + r"\Z")
_THREAD_ID = re.compile(THREAD_ID_PATTERN[:-1] + r"\Z")


@dataclass
class PublicPost:
    """What the connector says about a post, as it sent it (checked by `public_post_clean`)."""

    platform: str
    handle: str
    post_url: str
    followers: int = 0
    posted_at: datetime | None = None
    parent_url: str | None = None  # None: not given; "" given empty is refused, as the API document says
    thread_id: str = ""


@dataclass(frozen=True)
class PublicFacts:
    """A post's facts, checked and normalised: the handle without its @, the key it is known by, the thread's."""

    platform: str
    handle: str
    handle_key: str
    post_url: str
    parent_url: str
    thread_id: str
    thread_key: str
    followers: int
    posted_at: datetime | None


def _has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def clean_handle(raw: str) -> str:
    """The author's handle without the leading @ ("@Anna_K" → "Anna_K"); refused when empty, multi-line, with
    control characters or HTML, or too long (as sent, at most MAX_HANDLE characters)."""
    raw = raw or ""
    if _has_control(raw):
        raise ValidationError(
            _("The handle must be one line: no line breaks or control characters."), code="control_characters"
        )
    if "<" in raw or ">" in raw:
        raise ValidationError(_("The handle must not contain HTML: < and > are refused."), code="html")
    if len(raw) > MAX_HANDLE:
        raise ValidationError(
            _("The handle is too long: at most %(limit)s characters.") % {"limit": MAX_HANDLE}, code="too_long"
        )
    if not _HANDLE.match(raw):
        raise ValidationError(_("Give the author's handle on the platform, e.g. @anna_k."), code="required")
    return _TRAILING.sub("", _LEADING.sub("", raw))


def clean_post_url(raw: str | None, *, required: bool = True) -> str:
    """An http(s) URL of a post, its scheme and host lower-cased and any #fragment dropped (a link to one comment
    of a post is still the post)."""
    if raw is None and not required:
        return ""
    value = raw or ""
    if not value and required:
        raise ValidationError(_("Give the address (URL) of the post."), code="required")
    if len(value) > MAX_URL or not _URL.match(value):
        raise ValidationError(_("Enter a valid http or https address."), code="invalid")
    try:
        parts = urlsplit(value)
    except ValueError:  # a host Python's parser will not split (NFKC look-alikes of / ? # @ :): kept as written
        return value
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def public_post_clean(post: PublicPost) -> PublicFacts:
    """The post's facts, or a ValidationError naming every field at fault (as `public.<field>`)."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict = {}

    def check(name: str, fn):  # type: ignore[no-untyped-def]
        try:
            cleaned[name] = fn()
        except ValidationError as exc:
            errors.setdefault(f"public.{name}", []).append(exc)

    def platform() -> str:
        if post.platform not in Platform.values:
            raise ValidationError(
                _("Unknown platform %(platform)s; use one of: %(choices)s.")
                % {"platform": repr(post.platform)[:40], "choices": ", ".join(Platform.values)},
                code="platform",
            )
        return post.platform

    def thread_id() -> str:
        value = post.thread_id or ""
        if not _THREAD_ID.match(value) or len(value) > MAX_THREAD_ID:
            raise ValidationError(
                _("The thread id must be one line of at most %(limit)s characters.") % {"limit": MAX_THREAD_ID},
                code="invalid",
            )
        return value.strip()

    def followers() -> int:
        if isinstance(post.followers, bool) or not isinstance(post.followers, int):
            raise ValidationError(_("The follower count must be a whole number."), code="invalid")
        if not 0 <= post.followers <= 10**10:
            raise ValidationError(_("The follower count must be between 0 and 10,000,000,000."), code="invalid")
        return post.followers

    def posted_at() -> datetime | None:
        if post.posted_at is not None and post.posted_at.tzinfo is None:
            raise ValidationError(
                _("Give the time the post was written with its time zone, e.g. 2026-05-01T10:00:00Z."),
                code="naive",
            )
        return post.posted_at

    check("platform", platform)
    check("handle", lambda: clean_handle(post.handle))
    check("post_url", lambda: clean_post_url(post.post_url))
    check("parent_url", lambda: clean_post_url(post.parent_url, required=False))
    check("thread_id", thread_id)
    check("followers", followers)
    check("posted_at", posted_at)
    if errors:
        raise ValidationError(errors)
    return PublicFacts(
        platform=cleaned["platform"],
        handle=cleaned["handle"],
        handle_key=cleaned["handle"].casefold(),
        post_url=cleaned["post_url"],
        parent_url=cleaned["parent_url"],
        thread_id=cleaned["thread_id"],
        # A thread id is the platform's own name for the conversation; without it, a comment names its post by the
        # parent's URL, and a post is its own thread.
        thread_key=(
            f"id:{cleaned['thread_id']}" if cleaned["thread_id"] else (cleaned["parent_url"] or cleaned["post_url"])
        ),
        followers=cleaned["followers"],
        posted_at=cleaned["posted_at"],
    )


def public_thread_open_case(facts: PublicFacts) -> Case | None:
    """The open case the same author already has in the same thread, if any: their next comment joins it."""
    thread = (
        PublicThread.objects.select_related("case", "case__customer", "case__brand")
        .filter(
            platform=facts.platform,
            handle_key=facts.handle_key,
            thread_key=facts.thread_key,
            case__status__in=list(OPEN),
        )
        .order_by("-case__created_at")
        .first()
    )
    return thread.case if thread else None


def public_thread_open_case_locked(*, facts: PublicFacts, customer: Customer) -> Case | None:
    """`public_thread_open_case` again, inside the intake's transaction, holding the author's customer row.

    Two comments of one author arriving at once both find no open case at the first look; they queue here, and
    the second sees the case the first opened once that commits (PostgreSQL: the row lock, each statement reading
    what is committed; SQLite: the write lock every transaction takes at BEGIN IMMEDIATE). A first post creates
    the author's handle under a unique constraint, so its twin waits on that insert and then finds the author."""
    list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))
    return public_thread_open_case(facts)


def public_thread_record(*, case: Case, facts: PublicFacts) -> PublicThread:
    return PublicThread.objects.create(
        case=case,
        platform=facts.platform,
        handle=facts.handle,
        handle_key=facts.handle_key,
        post_url=facts.post_url,
        parent_url=facts.parent_url,
        thread_id=facts.thread_id,
        thread_key=facts.thread_key,
        followers=facts.followers,
        posted_at=facts.posted_at,
    )


def public_thread_seen_again(*, case: Case, facts: PublicFacts) -> None:
    """A follow-on comment: the author's follower count as it is now (it only matters that it may have grown)."""
    PublicThread.objects.filter(case=case, followers__lt=facts.followers).update(followers=facts.followers)
