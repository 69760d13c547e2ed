"""One way for an app to hear of a case's life (cases.hooks): plain functions registered in AppConfig.ready."""

import ast
from pathlib import Path

import pytest

from amends.cases import hooks
from amends.conftest import open_case
from amends.incidents.hooks import link_on_arrival

SRC = Path(__file__).resolve().parents[2]


def test_amends_defines_no_django_signal_of_its_own():
    """The second mechanism (a Signal in triage/hooks.py) is gone: every hook is a cases.hooks list."""
    found = []
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Signal":
                found.append(str(path.relative_to(SRC)))
    assert found == []


def test_incidents_listen_to_triaged_cases_through_the_hooks():
    assert link_on_arrival in hooks._triaged


@pytest.mark.django_db
def test_a_triaged_hook_that_fails_loses_no_complaint_and_the_others_still_run(monkeypatch, caplog):
    heard = []

    def broken(case, record):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    def listening(case, record):  # type: ignore[no-untyped-def]
        heard.append((case.pk, record.case_id))

    monkeypatch.setattr(hooks, "_triaged", [broken, *hooks._triaged, listening])
    opened = open_case()
    assert opened.case.pk and heard == [(opened.case.pk, opened.case.pk)]
    assert "after triage" in caplog.text and "broken" in caplog.text
