"""Every string a person reads is in every catalogue, translated; a Russian browser gets a Russian console.

The catalogue check runs `makemessages` over a copy of the code, exactly as a developer would, and fails when a
string in the code or templates has no translation (or only a fuzzy guess) in any language."""

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.test import Client, override_settings

from amends.accounts.models import User
from amends.cases.models import Case

APP = Path(__file__).resolve().parents[2]
LOCALES = ["ru", "bg", "sr", "sr_Latn", "sk"]


def _untranslated(po: Path) -> list[str]:
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(forms) or len(forms) != (catalogue.num_plurals if isinstance(message.id, tuple | list) else 1):
            problems.append(f"untranslated: {msgid!r}")
    return problems


@pytest.mark.parametrize("locale", LOCALES)
def test_each_committed_catalogue_is_complete_and_well_formed(locale):
    po = APP / "locale" / locale / "LC_MESSAGES" / "django.po"
    assert _untranslated(po) == []
    # msgfmt --check: placeholders (%(name)s) of every translation match the msgid's, plural forms match the header.
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_no_string_in_the_code_is_missing_from_a_catalogue(tmp_path):
    """makemessages over a copy of the code: a new string lands in the copies of the catalogues untranslated."""
    copy = tmp_path / "amends"

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n in ("tests", "__pycache__", "static", "migrations") or n.endswith(".mo")]

    shutil.copytree(APP, copy, ignore=ignore)
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=LOCALES, no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    problems = {locale: _untranslated(copy / "locale" / locale / "LC_MESSAGES" / "django.po") for locale in LOCALES}
    assert problems == {locale: [] for locale in LOCALES}


# Labels of the console's own chrome: none may be shown in English to a Russian browser.
ENGLISH_LABELS = {
    "Inbox",
    "Open",
    "All",
    "Team",
    "Assignee",
    "Status",
    "Priority",
    "Search",
    "Filter",
    "Sign out",
    "Category",
    "Language",
    "Channel",
    "Customer",
    "Triage",
    "Severity",
    "Sentiment",
    "Churn risk",
    "Public risk",
    "Why?",
    "Reply to the customer",
    "Send reply",
    "Internal note",
    "Add note",
    # The case page's one form for status, priority, team and assignee, and the inbox's saved views.
    "Save changes",
    "Save view",
    "Apply",
    "Earlier cases",
    "Clusters",
    "Templates",
    "Brands",
    "Authority",
    "Categories",
    "Playbooks",
    "Outbox",
    "Save",
    "overdue",
    "Urgent",
    "High",
    "Normal",
    "Low",
    "New",
    "In progress",
    "Acknowledgement",
    "- Select an option -",
    "Correct the category",
    "Set category",
}
ENGLISH_PHRASES = ("Sign out", "Select an option", "How sure", "next most likely", "words in the complaint", "(seed")


class _Nodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style", "textarea")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style", "textarea")

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.nodes.append(" ".join(data.split()))


def english_on(html: str) -> list[str]:
    parser = _Nodes()
    parser.feed(html)
    return [
        node
        for node in parser.nodes
        if node.rstrip(":·→ ").strip() in ENGLISH_LABELS or any(p in node for p in ENGLISH_PHRASES)
    ]


@pytest.mark.django_db
def test_a_russian_browser_gets_the_console_in_russian():
    call_command("seed_demo", "--cases", "20", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client(headers={"accept-language": "ru"})
    client.force_login(User.objects.get(username="manager"))
    pages = [
        "/console/",
        "/console/?status=all",
        "/console/clusters/",
        "/console/taxonomy/",
        "/console/playbooks/",
        "/console/templates/",
        "/console/outbox/",
        "/console/authority/",
        "/console/brands/",
        *(f"/console/cases/{case.public_id}/" for case in Case.objects.order_by("-id")[:10]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert response["Content-Language"] == "ru", page
        assert english_on(response.content.decode()) == [], page


@pytest.mark.django_db
def test_the_complaint_form_speaks_each_language_down_to_the_attachment_help():
    english = Client(headers={"accept-language": "en"}).get("/").content.decode()
    assert "Up to" in english
    for language in ("ru", "bg", "sr", "sr-latn", "sk"):
        page = Client(headers={"accept-language": language}).get("/").content.decode()
        assert "Up to" not in page and "JPEG" in page, language


def test_the_english_label_list_is_still_what_the_console_says():
    """The Russian check is only as good as its list: each label must still be an English msgid we translate."""
    with (APP / "locale" / "ru" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        msgids = {m.id for m in read_po(handle) if isinstance(m.id, str)}
    assert {label for label in ENGLISH_LABELS if label not in msgids} == set()


def test_open_is_told_apart_by_context_in_every_language():
    """ "Open" is the cases still open (a filter), an open incident and an open corrective action: each its own
    msgctxt, so a language that inflects them (Russian: открытые, открыт, открыто) can."""
    from django.utils.translation import override, pgettext

    from amends.aftercare.models import CorrectiveAction
    from amends.cases.forms import InboxFilterForm
    from amends.incidents.models import Incident

    for language in ("bg", "ru", "sk", "sr", "sr-latn"):
        with override(language):
            words = {pgettext(c, "Open") for c in ("cases filter", "incident status", "corrective action status")}
            assert "Open" not in words, language
    with override("ru"):
        assert dict(InboxFilterForm.base_fields["status"].choices)["open"] == "Открытые"
        assert str(Incident.State.OPEN.label) == "Открыт"
        assert str(CorrectiveAction.Status.OPEN.label) == "Открыто"
