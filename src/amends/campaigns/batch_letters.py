"""The letters of a batch, rendered once per language and put together per customer.

`letters.letter` renders one customer's apology in full: it activates the language, describes the remedy,
translates four sentences, reverses two URLs and signs three links. In a batch of a few hundred messages in a few
languages nearly all of that is the same from one message to the next. Here each kind of letter in the batch (a
language, with or without a name to greet) is rendered once by `letters.letter` itself, with stand-ins for what
differs per customer (name, order reference, code, message id, recipient), and each customer's letter is that
text with their values put in place of the stand-ins: a few string replacements instead of a rendering.

Checked, not assumed: the first letter of each kind is also rendered in full, and if the two differ (a template
that treats a value in a way the stand-ins cannot follow, a change to `letters` that puts a value in differently),
every letter of that kind is rendered in full. The result is the same letter either way, only cheaper.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field, replace
from functools import partial

from amends.brands.models import BrandIdentity
from amends.incidents.models import Incident
from amends.portal.apology_links import apology_signature
from amends.remedies import codes
from amends.replies.services import greeting_name

from . import letters

logger = logging.getLogger(__name__)

# Private-use characters: nothing a customer, a manager or a translator writes, and kept as they are by
# greeting_name and the templates. The id stand-in is a UUID whose text, hex and signature are looked for.
_NAME = "\ue000N\ue001"
_ORDER = "\ue000O\ue001"
_CODE = "\ue002" * 16
_ID = uuid.UUID("00000000-0000-4000-8000-00000000a3e1")
_RECIPIENT = "stand-in@recipient.invalid"
_SUBJECT_LIMIT = 300  # letters.letter cuts a subject here; a kind that comes near it is rendered in full
_ID_TEXT = str(_ID)
_CODE_GROUPED = codes.group(_CODE)


@dataclass
class _Kind:
    """One kind of letter of the batch, rendered with the stand-ins; `exact` once checked against a full render."""

    template: letters.Letter
    checked: bool = False
    exact: bool = False


@dataclass
class BatchLetters:
    incident: Incident
    brand: BrandIdentity
    remedy: letters.Remedy
    templates: dict[str, list[str]]
    _kinds: dict[tuple[str, bool], _Kind] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The signatures depend on the secret key, so they are made here rather than when the module is imported:
        # the unsubscribe links' and the status link's (the portal's, with a purpose of its own).
        self._id_signature = letters.signature(_ID)
        self._status_signature = apology_signature(_ID)
        stand_ins = (
            _ID_TEXT,
            _ID.hex,
            self._id_signature,
            self._status_signature,
            _CODE_GROUPED,
            _NAME,
            _ORDER,
            _RECIPIENT,
        )
        self._stand_ins = re.compile("|".join(re.escape(text) for text in stand_ins))

    def _full(
        self, *, public_id: uuid.UUID, recipient: str, name: str, language: str, order_reference: str, code: str
    ) -> letters.Letter:
        return letters.letter(
            public_id=public_id,
            recipient=recipient,
            name=name,
            language=language,
            order_reference=order_reference,
            code=code,
            incident=self.incident,
            brand=self.brand,
            remedy=self.remedy,
            templates=self.templates,
        )

    def letter(
        self, *, public_id: uuid.UUID, recipient: str, name: str, language: str, order_reference: str, code: str
    ) -> letters.Letter:
        full = partial(
            self._full,
            public_id=public_id,
            recipient=recipient,
            name=name,
            language=language,
            order_reference=order_reference,
            code=code,
        )
        greeted = greeting_name(name)
        key = (letters.language_of(language, self.templates), bool(greeted))
        kind = self._kinds.get(key)
        if kind is None:
            template = self._full(
                public_id=_ID,
                recipient=_RECIPIENT,
                name=_NAME if greeted else "",
                language=key[0],
                order_reference=_ORDER,
                code=_CODE,
            )
            kind = self._kinds[key] = _Kind(template=template)
        if kind.checked and not kind.exact:
            return full()
        made = self._fill(
            kind.template, public_id=public_id, recipient=recipient, name=greeted, order=order_reference, code=code
        )
        if not kind.checked:
            rendered = full()
            kind.checked, kind.exact = True, made == rendered and len(kind.template.subject) < _SUBJECT_LIMIT - 100
            if not kind.exact:
                # Correct either way, but each letter of this kind now costs a full rendering: worth knowing.
                logger.warning("campaign letters in %s are rendered one by one: the stand-ins did not fit", key[0])
            return rendered
        return made

    def _fill(
        self, template: letters.Letter, *, public_id: uuid.UUID, recipient: str, name: str, order: str, code: str
    ) -> letters.Letter:
        values = {
            _ID_TEXT: str(public_id),
            _ID.hex: public_id.hex,
            self._id_signature: letters.signature(public_id),
            self._status_signature: apology_signature(public_id),
            _CODE_GROUPED: codes.group(code),
            _NAME: name,
            _ORDER: order,
            _RECIPIENT: recipient,
        }

        def put(text: str) -> str:
            # One pass: a customer's value is never read again for a stand-in.
            return self._stand_ins.sub(lambda found: values[found.group()], text)

        return replace(
            template,
            recipient=recipient,
            subject=" ".join(put(template.subject).split())[:_SUBJECT_LIMIT],
            body=put(template.body),
            headers={header: put(value) for header, value in template.headers.items()},
        )
