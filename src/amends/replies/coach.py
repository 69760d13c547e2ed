"""The reply coach: holds a draft to the rules of a good apology (seeds 002 and 003). Pure Python.

Each rule is a list of phrases per language in rules/<language>.json (adding a language is adding a file).
Drafts and phrases are compared after transliteration to Latin and diacritic folding, so a Serbian draft in
Cyrillic meets the Latin rules; every finding points at the part of the original text it is about.
"""

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from amends.core.money import AmountError, read_number
from amends.core.text import fold
from amends.triage.text import transliterate

from .coach_model import THRESHOLDS, probabilities, sentences
from .coach_offers import OfferedRemedy, Promise, beyond_offer, promises, worth
from .coach_own import mask
from .coach_public import PUBLIC_MAX_SENTENCES, onlooker_mention, private_data, sentence_count

RULES = Path(__file__).with_name("rules")
# Serbian rules serve Croatian and Bosnian drafts; Slovak ones Czech drafts.
NEIGHBOURS = {"hr": "sr", "bs": "sr", "cs": "sk"}
BLOCKING, WARNING = "blocking", "warning"
WEIGHTS = {BLOCKING: 25, WARNING: 10}
MAX_TEXT = 50_000
GAP = r"(?:[^\w.!?;:]+\w+){0,4}?[^\w.!?;:]+"
_WORD = re.compile(r"[^\W\d_]+")
# A public answer is a short apology and an offer to go private: a few sentences, not a report.
PUBLIC_MAX_WORDS = 60
# How far (in characters) from the remedy a choice may be offered: about two sentences either side.
CHOICE_WINDOW = 160
# Matched in the folded, transliterated draft: лв → lv, руб → rub, евро → evro, kč → kc.
_UNITS = (
    r"€|£|\$|₽|eur[a-z]*|evr[a-z]*|gbp|pounds?|lv|lev[a-z]*|bgn|rsd|din(?:ar[a-z]*)?|rub[a-z]*|usd|dol+ar[a-z]*"
    r"|kc|czk|korun[a-z]*"
)
_NUMBER = r"\d{1,3}(?:[ .,\u00a0]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
# An amount with its currency after it (50 €, 1.000 din) or before it (€50, $20); percentages are not money.
_MONEY = re.compile(rf"(?:(?:{_UNITS})\s*({_NUMBER})|({_NUMBER})\s*(?:{_UNITS}))(?!\w)", re.IGNORECASE)


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    suggestion: str
    span: Span | None = None


@dataclass
class Coaching:
    language: str
    coached: bool
    score: int
    blocking: bool
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The folded, Latin text and, for each of its characters, the index of the original one it came from."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        piece = fold(transliterate(char))
        out.append(piece)
        where.extend([index] * len(piece))
    return "".join(out), where


def rules_language(language: str) -> str:
    """The rule file a language is coached with: sr-Latn → sr, hr → sr, cs → sk."""
    base = language.split("-")[0].lower()
    return NEIGHBOURS.get(base, base)


@cache
def rulebook(language: str) -> dict[str, re.Pattern[str]] | None:
    """One compiled pattern per rule: its phrases, folded and transliterated like the drafts, as alternatives.
    A phrase must start at a word boundary; a stem (no trailing space) may run on into its ending. The leftmost
    match wins, and at one position the phrase listed first."""
    path = RULES / f"{rules_language(language)}.json"
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        rule: re.compile(r"(?<!\w)(?:" + "|".join(_phrase(p) for p in phrases) + ")")
        for rule, phrases in raw.items()
        if phrases
    }


def _phrase(phrase: str) -> str:
    """ "…" in a phrase stands for up to four words within the sentence: "error … ours" meets "the booking error
    was ours", which inflected languages with free word order need far more than English does."""
    folded = fold(transliterate(phrase))
    pattern = GAP.join(re.escape(part.strip()) for part in folded.split("…"))
    return pattern + (r"(?!\w)" if folded.endswith(" ") else "")


def coached_languages() -> list[str]:
    return sorted(p.stem for p in RULES.glob("*.json"))


def _find(normalized: str, pattern: re.Pattern[str] | None) -> tuple[int, int] | None:
    match = pattern.search(normalized) if pattern else None
    return (match.start(), match.end()) if match else None


def _affirmed(normalized: str, rules: dict[str, re.Pattern[str]]) -> tuple[int, int] | None:
    """The first remedy the draft gives rather than denies: "we cannot exchange the item" offers nothing."""
    pattern, negation = rules.get("remedy"), rules.get("negation")
    if pattern is None:
        return None
    for match in pattern.finditer(normalized):
        sentence_start = max(normalized.rfind(mark, 0, match.start()) for mark in ".!?;,\n")
        window = max(sentence_start + 1, match.start() - 40)
        if negation is None or not negation.search(normalized, window, match.start()):
            return match.start(), match.end()
    return None


def _amount(raw: str) -> Decimal | None:
    """50, 49.99, 49,99, 1.000, 1 000,50: read as every other input path reads amounts (core.money)."""
    try:
        return read_number(raw)
    except AmountError:
        return None


def _shouting(text: str) -> Span | None:
    """Repeated !/?, or three words in capitals in a row: they shout even inside a calm reply; one acronym
    does not."""
    marks = re.search(r"[!?]{2,}", text)
    if marks:
        return Span(marks.start(), marks.end(), marks.group())
    run: list[re.Match[str]] = []
    for word in _WORD.finditer(text):
        if len(word.group()) == 1 and word.group().isupper():
            continue  # "I", or the Bulgarian "Е", neither starts nor breaks a run
        if len(word.group()) > 1 and word.group().isupper():
            run.append(word)
            if len(run) == 3:
                return Span(run[0].start(), run[2].end(), text[run[0].start() : run[2].end()])
        else:
            run = []
    return None


def _addressed(normalized: str, name: str) -> bool:
    """Whether the reply names the customer, in any case form: Slavic vocatives and other cases change the end
    of a name (Petar → Petre, Ivan → Ivane, Пётр → Пётре), so a word sharing all but its last two letters
    (at least three) with the name counts."""
    stem = name[: max(3, len(name) - 2)]
    return re.search(r"(?<!\w)" + re.escape(stem), normalized) is not None


def _choice_near(normalized: str, rules: dict[str, re.Pattern[str]], remedy: tuple[int, int]) -> bool:
    """A choice offered around the first remedy: "or" in a sentence about something else is no alternative."""
    pattern = rules.get("alternatives")
    if pattern is None:
        return False
    return pattern.search(normalized, max(0, remedy[0] - CHOICE_WINDOW), remedy[1] + CHOICE_WINDOW) is not None


def _span(text: str, where: list[int], found: tuple[int, int]) -> Span:
    start = where[found[0]]
    end = where[found[1] - 1] + 1
    # Widen to whole words so the agent sees the phrase, not a fragment.
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return Span(start, end, text[start:end])


def learned_sentences(own_words: str) -> dict[str, Span]:
    """For each label of the learned detector, the sentence of the draft most likely to carry it, if above its
    threshold. `own_words` is the draft with the company's own text blanked (its offsets are the draft's)."""
    spans = sentences(own_words)
    found: dict[str, tuple[float, Span]] = {}
    for (start, end), scores in zip(spans, probabilities([own_words[s:e] for s, e in spans]), strict=True):
        for label, probability in scores.items():
            # A sentence that reads more as owning the error than as blaming or arguing owns it ("по нашим
            # данным, мы списали дважды, и это наша ошибка").
            if label != "ownership" and probability <= scores.get("ownership", 0.0):
                continue
            if probability >= THRESHOLDS[label] and probability > found.get(label, (0.0, None))[0]:
                found[label] = (probability, Span(start, end, own_words[start:end]))
    return {label: span for label, (_p, span) in found.items()}


def sentence_rules(sentence: str, *, language: str) -> set[str]:
    """What the coach reads in one sentence: the blocking rules it breaks and "ownership" if it owns the error,
    by phrase or by the learned detector (the benchmark's per-sentence measure)."""
    rules = rulebook(language) or {}
    own_words = mask(sentence)
    normalized, _where = _normalize_with_map(own_words)
    found = {r for r in ("blame", "arguing", "proof", "anger", "ownership") if _find(normalized, rules.get(r))}
    return found | set(learned_sentences(own_words))


def _authority(
    normalized: str,
    promised: list[Promise],
    limit: Decimal,
    order_value: Decimal | None,
    add: Callable[..., None],
) -> None:
    """The first promise above the author's authority: an amount in the text, or what a promise is worth without
    one ("a full refund" is the order's value)."""
    candidates: list[tuple[Decimal, tuple[int, int], str]] = []
    for match in _MONEY.finditer(normalized):
        value = _amount(match.group(1) or match.group(2))
        if value is not None:
            candidates.append((value, (match.start(), match.end()), f"{value}"))
    for promise in promised:
        value = worth(promise, order_value)
        if value is not None and promise.amount is None:
            candidates.append((value, (promise.start, promise.end), f"{promise.words} (worth {value})"))
    for value, found, words in sorted(candidates, key=lambda c: c[1][0]):
        if value > limit:
            add(
                "authority",
                BLOCKING,
                f"The reply promises {words}, above your authority of {limit}.",
                "Offer within your limit, or ask a manager to approve first.",
                found,
            )
            return


def coach(
    text: str,
    *,
    language: str,
    customer_name: str = "",
    public_thread: bool = False,
    max_remedy_value: Decimal | None = None,
    offered: Sequence[OfferedRemedy] | None = None,
    order_value: Decimal | None = None,
    own: Sequence[str] = (),
    customer_handle: str = "",
    private: Sequence[str] = (),
    public_addresses: Sequence[str] = (),
) -> Coaching:
    """Coach a draft. `offered`: the remedy options on the case (None when unknown: promises are then not held
    against them); `order_value`: what a full refund is worth; `own`: the company's own texts in the draft (the
    brand's signature), which are not coached. In a public thread (`public_thread`): `customer_handle` is the one
    person the reply may @mention, `private` the case's details that must not appear (its order reference, the
    customer's e-mail), `public_addresses` the brand's own addresses, which may."""
    text = (text or "")[:MAX_TEXT]
    rules = rulebook(language)
    if rules is None:
        return Coaching(
            language=language,
            coached=False,
            score=0,
            blocking=False,
            findings=[
                Finding(
                    "language",
                    WARNING,
                    f"Replies in {language!r} are not coached yet.",
                    f"Coached languages: {', '.join(coached_languages())}.",
                )
            ],
        )
    if not text.strip():
        return Coaching(
            language=language,
            coached=True,
            score=0,
            blocking=True,
            findings=[Finding("empty", BLOCKING, "The reply is empty.", "Write to the customer before sending.")],
        )
    own_words = mask(text, own)
    if not own_words.strip():
        return Coaching(
            language=language,
            coached=True,
            score=0,
            blocking=True,
            findings=[
                Finding(
                    "empty",
                    BLOCKING,
                    "The reply holds only the signature or quoted text.",
                    "Write to the customer above the signature.",
                )
            ],
        )
    # Masking keeps every character's place, so spans found in the agent's own words point into the draft.
    normalized, where = _normalize_with_map(own_words)
    findings: list[Finding] = []

    def hit(rule: str) -> tuple[int, int] | None:
        return _find(normalized, rules.get(rule))

    def add(
        rule: str,
        severity: str,
        message: str,
        suggestion: str,
        found: tuple[int, int] | None = None,
        span: Span | None = None,
    ) -> None:
        findings.append(Finding(rule, severity, message, suggestion, _span(text, where, found) if found else span))

    apology = hit("apology")
    conditional = hit("conditional_apology")
    never = {rule: hit(rule) for rule in ("blame", "arguing", "proof", "anger")}
    learned = learned_sentences(own_words)
    # Blame and arguing already say why the apology rings hollow; an ownership finding beside them is noise.
    disowned = any(never[r] or learned.get(r) for r in ("blame", "arguing"))
    if conditional:
        add(
            "ownership",
            WARNING,
            'A conditional apology ("if you feel…") doubts the customer instead of owning the mistake.',
            "Say plainly that we are sorry and what we got wrong.",
            conditional,
        )
    elif not apology:
        add("apology", WARNING, "The reply does not apologise.", "Start by saying we are sorry for what happened.")
    elif not hit("ownership") and not learned.get("ownership") and not disowned:
        add(
            "ownership",
            WARNING,
            "The apology does not admit the error.",
            'Name the mistake as ours, e.g. "this was our mistake".',
        )
    remedy, step = _affirmed(normalized, rules), hit("next_step")
    if not remedy and not step:
        add(
            "next_step",
            WARNING,
            "The reply offers neither a remedy nor a concrete next step.",
            "Say what we will do for the customer and when.",
        )
    elif step and not hit("time"):
        add(
            "next_step",
            WARNING,
            "The next step has no time.",
            "Say by when it will happen (today, within 24 hours).",
            step,
        )
    if remedy and not hit("remedy_done") and not _choice_near(normalized, rules, remedy):
        add(
            "alternatives",
            WARNING,
            "One remedy is offered without a choice.",
            "Offer two or three options so the customer regains control.",
            remedy,
        )
    if not hit("thanks"):
        add(
            "thanks",
            WARNING,
            "The reply does not thank the customer.",
            "Thank them for telling us and for their trust.",
        )
    first_name = customer_name.split()[0] if customer_name.strip() else ""
    if first_name and not _addressed(normalized, fold(transliterate(first_name))):
        add("name", WARNING, "The customer is not addressed by name.", f"Address them as {first_name}.")
    for rule, message, suggestion in (
        ("blame", "The reply blames the customer.", "Leave out what the customer should have done."),
        ("arguing", "The reply argues or proves the company right.", "Do not defend the company; fix the problem."),
        (
            "proof",
            "The reply asks the customer for proof or justification.",
            "Do not make them prove it; take their word and act.",
        ),
        ("anger", "The tone is angry, sarcastic or dismissive.", "Keep calm and kind, whatever the customer wrote."),
    ):
        found = never[rule]
        if found:
            add(rule, BLOCKING, message, suggestion, found)
        elif learned.get(rule):
            # No phrase says it, but the sentence reads like one: the finding points at the whole sentence.
            add(rule, BLOCKING, message, suggestion, span=learned[rule])
    jargon = hit("jargon")
    if jargon:
        add("jargon", WARNING, "Policy or jargon stands in for help.", "Say in plain words what we will do.", jargon)
    letters = [c for c in text if c.isalpha()]
    capitals = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    shouting = _shouting(text)
    if (len(letters) >= 20 and capitals > 0.5) or shouting:
        findings.append(
            Finding(
                "shouting",
                WARNING,
                "Capitals or repeated !/? read as shouting.",
                "Write in sentence case, one mark.",
                shouting,
            )
        )
    promised = promises(normalized, rules, _MONEY, _amount)
    if max_remedy_value is not None:
        _authority(normalized, promised, max_remedy_value, order_value, add)
    if offered:
        for promise in promised:
            beyond = beyond_offer(promise, offered, order_value)
            if beyond:
                # A warning, not a block: the agent may mean to add the option; money beyond their authority is
                # what blocks (the authority rule), and a promise the case did not offer is flagged before it goes.
                add("offer", WARNING, beyond[0], beyond[1], (promise.start, promise.end))
                break
    if public_thread:
        onlookers = hit("onlookers")
        mention = onlooker_mention(own_words, customer_handle=customer_handle)
        if onlookers:
            add(
                "onlookers",
                BLOCKING,
                "The reply talks to or about onlookers in a public thread.",
                "Answer the customer only; never debate with others.",
                onlookers,
            )
        elif mention:
            add(
                "onlookers",
                BLOCKING,
                "The reply addresses someone other than the customer in a public thread.",
                "Answer the customer only; never debate with others.",
                span=_span(text, list(range(len(text))), mention),
            )
        exposed = private_data(own_words, private=private, public_addresses=public_addresses)
        if exposed:
            add(
                "private_data",
                BLOCKING,
                "The reply shows private details in public (an order number, an e-mail address or a phone number).",
                "Leave them out; ask the customer to continue privately, where they are safe.",
                span=_span(text, list(range(len(text))), exposed),
            )
        if not hit("private"):
            add(
                "public_private",
                WARNING,
                "In a public thread, offer to continue privately.",
                "Add a short invitation to a private message or e-mail.",
            )
        if len(_WORD.findall(own_words)) > PUBLIC_MAX_WORDS or sentence_count(own_words) > PUBLIC_MAX_SENTENCES:
            add(
                "public_short",
                WARNING,
                "A public answer should be short.",
                "Apologise briefly, move the details to a private conversation.",
            )
    score = max(0, 100 - sum(WEIGHTS[f.severity] for f in findings))
    return Coaching(
        language=language,
        coached=True,
        score=score,
        blocking=any(f.severity == BLOCKING for f in findings),
        findings=findings,
    )
