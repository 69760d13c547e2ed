"""manage.py issuecodes: a batch from the command line, with its CSV."""

import csv
import io
import stat
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amends.remedies import codes
from amends.remedies.models import RemedyCode

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issuecodes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_issues_a_batch_and_writes_it_to_a_new_private_csv_file(tmp_path):
    target = tmp_path / "spring.csv"
    _out, err = run(
        "--count", "250", "--batch", "spring", "--amount", "12,50", "--currency", "eur", "--expires-days", "30",
        "--csv", str(target),
    )  # fmt: skip
    assert "Issued 250 codes in batch 'spring'" in err and "/console/codes/spring.csv" in err
    rows = list(csv.reader(target.open(newline="")))
    assert rows[0][0] == "code" and len(rows) == 251 and all(codes.is_valid(row[0]) for row in rows[1:])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert set(RemedyCode.objects.values_list("amount", "currency")) == {(Decimal("12.5"), "EUR")}


def test_a_percentage_batch_to_standard_output():
    out, _err = run("--count", "3", "--batch", "pct", "--percent", "15", "--expires-days", "7", "--csv", "-")
    assert out.startswith("code,value,currency,expires,state,minimum_order\r\n") and out.count("15%") == 3


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--amount", "-5", "--currency", "EUR"], "negative"), (["--amount", "0", "--currency", "EUR"], "zero"),
     (["--amount", "ten", "--currency", "EUR"], "not an amount"), (["--amount", "5", "--currency", "EUX"], "currency"),
     (["--percent", "150"], "percent"), (["--amount", "5"], "currency"),
     (["--percent", "5", "--expires-days", "0"], "--expires-days"), (["--percent", "5", "--count", "0"], "count")],
)  # fmt: skip
def test_it_refuses_bad_input_and_issues_nothing(args, says):
    base = {"--count": "5", "--batch": "b", "--expires-days": "30"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    with pytest.raises(CommandError) as error:
        run(*[part for pair in base.items() for part in pair])
    assert says in str(error.value)
    assert not RemedyCode.objects.exists()


def test_it_will_not_overwrite_a_file_and_issues_nothing_then(tmp_path):
    target = tmp_path / "taken.csv"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        run("--count", "5", "--batch", "b", "--percent", "5", "--expires-days", "3", "--csv", str(target))
    assert target.read_text() == "keep me" and not RemedyCode.objects.exists()


def test_amount_and_percent_together_are_refused():
    with pytest.raises(CommandError):
        run(
            "--count",
            "5",
            "--batch",
            "b",
            "--amount",
            "5",
            "--percent",
            "5",
            "--currency",
            "EUR",
            "--expires-days",
            "3",
        )
