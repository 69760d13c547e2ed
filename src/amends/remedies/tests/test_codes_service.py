"""Codes in the database: issuing a batch (all or nothing, collisions replaced), one code, redeeming once."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from amends.conftest import open_case
from amends.remedies import codes, codes_service
from amends.remedies.catalogue import Kind
from amends.remedies.codes_service import (
    CodeRefused,
    code_find,
    code_issue,
    code_redeem,
    code_state,
    codes_issue_batch,
    codes_void,
)
from amends.remedies.models import Remedy, RemedyCode

pytestmark = pytest.mark.django_db


def future(days: int = 30):  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(days=days)


def issue(**overrides: object):  # type: ignore[no-untyped-def]
    fields: dict = {"count": 20, "batch": "spring", "amount": "10", "currency": "EUR", "expires_at": future()}
    fields.update(overrides)
    return codes_issue_batch(**fields)


def one(**overrides: object) -> RemedyCode:
    fields: dict = {"amount": "10", "currency": "EUR", "expires_at": future()}
    fields.update(overrides)
    return code_issue(**fields)


def refusal(error: pytest.ExceptionInfo) -> tuple[str, str]:  # type: ignore[type-arg]
    [(field, [first, *_rest])] = list(error.value.error_dict.items())[:1]
    return field, first.code


# --- issuing a batch -----------------------------------------------------------------------------------------


def test_it_issues_the_whole_batch_unique_valid_and_worth_what_was_asked():
    expires = future(60)
    issued = codes_issue_batch(
        count=2_500, batch="incident-42", amount="12.5", currency="eur", expires_at=expires, chunk=1_000
    )
    assert (issued.batch, issued.count, issued.replaced) == ("incident-42", 2_500, 0)
    rows = list(RemedyCode.objects.filter(batch="incident-42"))
    assert len(rows) == 2_500 and len({row.code for row in rows}) == 2_500
    for row in rows:
        assert codes.validate(row.code) == row.code
    assert {(r.amount, r.percent, r.currency, r.minimum_order, r.state) for r in rows} == {
        (Decimal("12.5"), None, "EUR", None, "issued")
    }
    assert {r.expires_at for r in rows} == {expires} and {r.redeemed_order for r in rows} == {""}


def test_a_percentage_code_needs_no_currency_unless_it_has_a_minimum_order():
    codes_issue_batch(count=3, batch="pct", percent="15", expires_at=future())
    assert {(r.percent, r.amount, r.currency) for r in RemedyCode.objects.all()} == {(Decimal("15"), None, "")}
    with pytest.raises(ValidationError) as error:
        codes_issue_batch(count=3, batch="pct2", percent="15", minimum_order="50", expires_at=future())
    assert refusal(error) == ("currency", "no_currency")
    codes_issue_batch(count=3, batch="pct3", percent="15", minimum_order="50", currency="BGN", expires_at=future())
    assert set(RemedyCode.objects.filter(batch="pct3").values_list("minimum_order", "currency")) == {(50, "BGN")}


def test_a_batch_that_fails_half_way_leaves_no_code_of_it_and_can_be_issued_again(monkeypatch):
    real = codes.generate

    def broken(count: int, *, batch: int):  # type: ignore[no-untyped-def]
        chunks = real(count, batch=batch)
        yield next(chunks)
        raise RuntimeError("the process died")

    monkeypatch.setattr(codes_service.codes, "generate", broken)
    with pytest.raises(RuntimeError):
        issue(count=300, chunk=100)
    assert not RemedyCode.objects.filter(batch="spring").exists()
    monkeypatch.setattr(codes_service.codes, "generate", real)
    assert issue(count=300, chunk=100).count == 300
    assert RemedyCode.objects.filter(batch="spring").count() == 300


def test_a_chunk_the_database_refuses_undoes_the_chunks_written_before_it(monkeypatch):
    good = codes.new_code()
    twice = codes.new_code()
    monkeypatch.setattr(codes_service.codes, "generate", lambda count, *, batch: iter([[good], [twice, twice]]))
    with pytest.raises(IntegrityError):
        issue(count=3, chunk=2)
    assert not RemedyCode.objects.exists()


def test_it_refuses_a_batch_name_issued_before():
    issue(count=2)
    with pytest.raises(ValidationError) as error:
        issue(count=2)
    assert refusal(error) == ("batch", "exists")
    assert RemedyCode.objects.count() == 2


def test_a_code_that_exists_already_is_replaced_and_the_batch_is_still_complete(monkeypatch):
    issue(count=3, batch="old")
    existing = RemedyCode.objects.filter(batch="old").first()
    fresh = [codes.new_code() for _ in range(5)]
    # The generator (made to be unlucky) offers a code from another batch, and one of its own twice across chunks.
    chunks = [[fresh[0], existing.code, fresh[1]], [fresh[2], fresh[0], fresh[3]], [fresh[4]]]
    monkeypatch.setattr(codes_service.codes, "generate", lambda count, *, batch: iter(chunks))
    issued = issue(count=7, batch="new", chunk=3)
    assert issued.replaced == 2
    new = set(RemedyCode.objects.filter(batch="new").values_list("code", flat=True))
    assert len(new) == 7 and existing.code not in new and set(fresh) <= new
    existing.refresh_from_db()
    assert existing.batch == "old" and RemedyCode.objects.count() == 10


BAD = [
    ({"amount": "-5"}, "amount", "not_positive"),
    ({"amount": "0"}, "amount", "not_positive"),
    ({"amount": Decimal(0)}, "amount", "not_positive"),
    ({"amount": "ten"}, "amount", "not_a_number"),
    ({"amount": "NaN"}, "amount", "not_a_number"),
    ({"amount": 10.5}, "amount", "not_a_number"),
    ({"amount": "1e12"}, "amount", "too_large"),
    ({"amount": "99999999999999999999999"}, "amount", "too_large"),
    ({"amount": "10.001"}, "amount", "too_precise"),
    ({"amount": "10.5", "currency": "JPY"}, "amount", "too_precise"),
    ({"amount": None, "percent": "101"}, "percent", "out_of_range"),
    ({"amount": None, "percent": "0"}, "percent", "out_of_range"),
    ({"amount": None, "percent": "-5"}, "percent", "out_of_range"),
    ({"amount": None, "percent": "12.345"}, "percent", "too_precise"),
    ({"amount": None, "percent": "lots"}, "percent", "not_a_number"),
    ({"percent": "10"}, "value", "amount_and_percent"),
    ({"amount": None}, "value", "no_value"),
    ({"currency": "EUX"}, "currency", "unknown_currency"),
    ({"currency": "XAU"}, "currency", "unknown_currency"),
    ({"currency": ""}, "currency", "no_currency"),
    ({"minimum_order": "-1"}, "minimum_order", "not_positive"),
    ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expires_at", "past"),
    ({"expires_at": timezone.now().replace(tzinfo=None) + timedelta(days=1)}, "expires_at", "invalid"),
    ({"expires_at": timezone.now() + timedelta(days=3700)}, "expires_at", "too_far"),
    ({"count": 0}, "count", "out_of_range"),
    ({"count": -1}, "count", "out_of_range"),
    ({"count": 3_000_000}, "count", "out_of_range"),
    ({"count": "10"}, "count", "not_a_number"),
    ({"count": True}, "count", "not_a_number"),
    ({"batch": ""}, "batch", "invalid"),
    ({"batch": "two words"}, "batch", "invalid"),
    ({"batch": "=cmd"}, "batch", "invalid"),
    ({"batch": "x" * 65}, "batch", "invalid"),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD)
def test_it_refuses_bad_input_by_field_and_writes_nothing(overrides, field, code):
    with pytest.raises(ValidationError) as error:
        issue(**overrides)
    assert code in [e.code for e in error.value.error_dict[field]], error.value.error_dict
    assert not RemedyCode.objects.exists()


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        issue(count=0, amount="-1", currency="EUX", expires_at=timezone.now() - timedelta(days=1))
    assert set(error.value.error_dict) == {"count", "amount", "currency", "expires_at"}


# --- one code ------------------------------------------------------------------------------------------------


def test_it_issues_one_code_for_a_remedy():
    now = timezone.now()
    remedy = Remedy.objects.create(
        public_id=uuid.uuid4(), case=open_case().case, kind=Kind.DISCOUNT_CODE.value, created_at=now, updated_at=now
    )
    code = code_issue(remedy=remedy, percent="20", currency="EUR", minimum_order="30", expires_at=future())
    assert codes.is_valid(code.code) and code.remedy == remedy and code.batch == ""
    assert (code.percent, code.minimum_order, code.state) == (Decimal("20"), Decimal("30"), "issued")
    assert list(remedy.codes.all()) == [code]


def test_one_code_that_exists_already_is_drawn_again(monkeypatch):
    taken = one().code
    fresh = codes.new_code()
    draws = iter([taken, fresh])
    monkeypatch.setattr(codes_service.codes, "new_code", lambda: next(draws))
    assert one().code == fresh


def test_one_code_refuses_bad_input_too():
    with pytest.raises(ValidationError) as error:
        one(amount="0")
    assert refusal(error) == ("amount", "not_positive")


# --- redeeming -----------------------------------------------------------------------------------------------


def test_it_redeems_a_code_once_and_a_repeat_of_the_same_order_changes_nothing():
    code = one()
    first = code_redeem(code=code.code, order_reference="SO-1", order_value="40", currency="EUR")
    assert not first.replayed and first.code.state == "redeemed" and first.code.redeemed_order == "SO-1"
    again = code_redeem(code=code.code, order_reference=" SO-1 ")
    assert again.replayed and again.code.redeemed_at == first.code.redeemed_at


def test_a_customer_may_type_the_code_loosely():
    code = one()
    typed = codes.group(code.code).lower().replace("0", "o").replace("1", "l").replace("-", " ")
    assert code_redeem(code=typed, order_reference="SO-1").code.pk == code.pk


def test_another_order_for_a_redeemed_code_is_refused():
    code = one()
    code_redeem(code=code.code, order_reference="SO-1")
    with pytest.raises(CodeRefused) as error:
        code_redeem(code=code.code, order_reference="SO-2")
    assert error.value.reason == "redeemed" and "another order" in error.value.message
    code.refresh_from_db()
    assert code.redeemed_order == "SO-1"


def test_unknown_and_malformed_codes_are_told_apart():
    with pytest.raises(CodeRefused) as unknown:
        code_redeem(code=codes.new_code(), order_reference="SO-1")
    assert unknown.value.reason == "not_found"
    real = one().code
    swapped = real[1] + real[0] + real[2:] if real[0] != real[1] else real[:-1] + ("0" if real[-1] != "0" else "1")
    for text in [swapped, real[:-1], "", "DROP TABLE"]:
        with pytest.raises(CodeRefused) as malformed:
            code_redeem(code=text, order_reference="SO-1")
        assert malformed.value.reason == "malformed"


def test_an_expired_code_is_refused():
    code = one()
    RemedyCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(CodeRefused) as error:
        code_redeem(code=code.code, order_reference="SO-1")
    assert error.value.reason == "expired"
    code.refresh_from_db()
    assert code.state == "issued" and code_state(code) == "expired"


def test_a_void_code_is_refused_and_voiding_spares_redeemed_ones():
    issue(count=3, batch="leaked")
    first, second, third = RemedyCode.objects.filter(batch="leaked")
    code_redeem(code=first.code, order_reference="SO-1")
    assert codes_void(batch="leaked") == 2
    with pytest.raises(CodeRefused) as error:
        code_redeem(code=second.code, order_reference="SO-2")
    assert error.value.reason == "void"
    assert code_redeem(code=first.code, order_reference="SO-1").replayed
    assert codes_void(code=codes.group(third.code)) == 0


@pytest.mark.parametrize(
    ("value", "currency", "reason"),
    [(None, None, "minimum_order"), ("49.99", None, "minimum_order"), ("49.99", "EUR", "minimum_order"),
     ("80", "USD", "currency")],
)  # fmt: skip
def test_the_minimum_order_and_the_currency_must_hold(value, currency, reason):
    code = one(minimum_order="50")
    with pytest.raises(CodeRefused) as error:
        code_redeem(code=code.code, order_reference="SO-1", order_value=value, currency=currency)
    assert error.value.reason == reason
    code.refresh_from_db()
    assert code.state == "issued"
    redeemed = code_redeem(code=code.code, order_reference="SO-1", order_value="50", currency="eur")
    assert redeemed.code.state == "redeemed"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"order_reference": " "}, "order_reference"), ({"order_reference": "x" * 101}, "order_reference"),
     ({"order_value": "-1"}, "order_value"), ({"order_value": "abc"}, "order_value"),
     ({"order_value": "1e30"}, "order_value"), ({"currency": "EUX"}, "currency")],
)  # fmt: skip
def test_a_redemption_report_with_bad_input_is_refused(fields, field):
    code = one()
    with pytest.raises(ValidationError) as error:
        code_redeem(**{"code": code.code, "order_reference": "SO-1", **fields})
    assert field in error.value.error_dict
    code.refresh_from_db()
    assert code.state == "issued"


def test_code_find_reads_the_code_as_typed():
    code = one()
    assert code_find(code=codes.group(code.code).lower()) == code


def _race(monkeypatch, code: str, references: list[str]) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    """Report `references` at once from as many threads, each with its own connection. Every thread has read the
    code as still issued before any of them claims it: the widest window a check-then-act could fall into."""
    judged = threading.Barrier(len(references), timeout=30)
    first_look = threading.local()
    judge = codes_service._judge

    def judge_together(*args: object):  # type: ignore[no-untyped-def]
        answer = judge(*args)  # type: ignore[arg-type]
        if not getattr(first_look, "done", False):
            first_look.done = True
            judged.wait()
        return answer

    monkeypatch.setattr(codes_service, "_judge", judge_together)
    done: list = []
    refused: list = []

    def report(reference: str) -> None:
        try:
            done.append(code_redeem(code=code, order_reference=reference))
        except CodeRefused as error:
            refused.append(error.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(reference,)) for reference in references]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, refused


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_for_different_orders_redeem_the_code_exactly_once(monkeypatch):
    code = one()
    done, refused = _race(monkeypatch, code.code, [f"SO-{n}" for n in range(6)])
    assert len(done) == 1 and refused == ["redeemed"] * 5
    code.refresh_from_db()
    assert code.state == "redeemed" and code.redeemed_order == done[0].code.redeemed_order


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_of_the_same_order_all_succeed_and_redeem_once(monkeypatch):
    code = one()
    done, refused = _race(monkeypatch, code.code, ["SO-7"] * 6)
    assert not refused and len(done) == 6
    assert [d.replayed for d in done].count(False) == 1
    assert len({d.code.redeemed_at for d in done}) == 1
