"""The coach holds a reply's promises against the options offered on the case and the author's authority."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from amends.remedies.models import Remedy
from amends.replies.coach import coach
from amends.replies.coach_offers import OfferedRemedy
from amends.replies.services import reply_coach

TWENTY_OFF = [OfferedRemedy("discount_code", percent=Decimal(20), text="20 % off"), OfferedRemedy("replacement")]
ORDER = Decimal("89.90")

# The same reply in each language: a full refund where a 20 % discount and a replacement were offered.
FULL_REFUND = {
    "en": "Olga, thank you for writing. We are sorry, it was our mistake. We will give you a full refund today.",
    "ru": "Ольга, спасибо, что написали. Простите, это наша ошибка. Сегодня оформим полный возврат.",
    "bg": "Олга, благодарим ви, че писахте. Съжаляваме, грешката е наша. Днес ще ви върнем цялата сума.",
    "sr": "Olga, hvala što ste pisali. Izvinite, naša greška. Danas ćemo vam vratiti ceo iznos.",
    "sk": "Olga, ďakujeme, že ste napísali. Ospravedlňujeme sa, je to naša chyba. Dnes vám vrátime celú sumu.",
}
# Exactly the offered options.
AS_OFFERED = {
    "en": "Olga, thank you for writing. We are sorry, it was our mistake. We can send a new pair today or give "
    "you 20 % off your next order, whichever you prefer.",
    "ru": "Ольга, спасибо, что написали. Простите, это наша ошибка. Сегодня отправим новую пару или дадим "
    "скидку 20 % на следующий заказ, как вам удобнее.",
    "bg": "Олга, благодарим ви, че писахте. Съжаляваме, грешката е наша. Днес ще изпратим нов чифт или ще ви "
    "дадем отстъпка 20 % за следваща поръчка, по избор.",
    "sr": "Olga, hvala što ste pisali. Izvinite, naša greška. Danas ćemo poslati novi par ili vam dati popust "
    "od 20 % na sledeću porudžbinu, po izboru.",
    "sk": "Olga, ďakujeme, že ste napísali. Ospravedlňujeme sa, je to naša chyba. Dnes pošleme nový pár alebo "
    "vám dáme zľavu 20 % na ďalšiu objednávku, ako vám vyhovuje.",
}


def _rules(result, severity=None):
    return {f.rule for f in result.findings if severity is None or f.severity == severity}


@pytest.mark.parametrize("language", FULL_REFUND)
def test_a_full_refund_where_a_discount_was_offered_is_flagged(language):
    result = coach(FULL_REFUND[language], language=language, customer_name="Olga", offered=TWENTY_OFF)
    offer = [f for f in result.findings if f.rule == "offer"]
    assert offer and "full refund" in offer[0].message and "not offered" in offer[0].message
    assert offer[0].span is not None and offer[0].severity == "warning"


@pytest.mark.parametrize("language", AS_OFFERED)
def test_promising_exactly_an_offered_option_is_fine(language):
    result = coach(AS_OFFERED[language], language=language, customer_name="Olga", offered=TWENTY_OFF)
    assert not {"offer", "authority"} & _rules(result) and not result.blocking, result.findings


@pytest.mark.parametrize("language", AS_OFFERED)
def test_a_larger_percentage_than_offered_is_flagged(language):
    text = AS_OFFERED[language].replace("20 %", "35 %")
    result = coach(text, language=language, customer_name="Olga", offered=TWENTY_OFF)
    offer = [f for f in result.findings if f.rule == "offer"]
    assert offer and "35 %" in offer[0].message and "20 %" in offer[0].message


def test_a_larger_amount_than_offered_is_flagged():
    offered = [OfferedRemedy("refund", amount=Decimal("15.00"), text="15,00 € back")]
    text = "Olga, thank you. We are sorry, our mistake. We will refund 40 EUR today or 15 EUR now, as you like."
    result = coach(text, language="en", customer_name="Olga", offered=offered)
    assert any(f.rule == "offer" and "40" in f.message for f in result.findings)
    within = text.replace("40 EUR today or ", "")
    assert "offer" not in _rules(coach(within, language="en", customer_name="Olga", offered=offered))


def test_an_option_denied_is_no_promise():
    text = "Olga, thank you. We are sorry, our mistake. We cannot exchange the shoes, but 20 % off is yours today."
    result = coach(text, language="en", customer_name="Olga", offered=[OfferedRemedy("discount_code", percent=20)])
    assert "offer" not in _rules(result)
    # Nor is a denied remedy counted as one: the reply offering nothing else is told it offers no remedy.
    bare = "Olga, thank you. We are sorry, our mistake. Unfortunately we cannot exchange the shoes."
    assert "next_step" in _rules(coach(bare, language="en", customer_name="Olga"), "warning")


@pytest.mark.parametrize("language", FULL_REFUND)
def test_a_full_refund_is_worth_the_order_for_the_authority_rule(language):
    result = coach(
        FULL_REFUND[language], language=language, customer_name="Olga", max_remedy_value=Decimal(50), order_value=ORDER
    )
    authority = [f for f in result.findings if f.rule == "authority"]
    assert authority and "89.90" in authority[0].message
    within = coach(
        FULL_REFUND[language], language=language, customer_name="Olga", max_remedy_value=Decimal(100), order_value=ORDER
    )
    assert "authority" not in _rules(within)


def test_without_known_options_promises_are_not_held_against_them():
    assert "offer" not in _rules(coach(FULL_REFUND["en"], language="en", customer_name="Olga"))


@pytest.mark.django_db
def test_the_reply_service_knows_the_options_offered_on_the_case():
    from amends.conftest import open_case

    case = open_case().case
    case.order_value = ORDER
    case.save(update_fields=["order_value"])
    now = timezone.now()
    for kind, state, percent in (("discount_code", "offered", Decimal(20)), ("refund", "withdrawn", None)):
        Remedy.objects.create(
            public_id=uuid.uuid4(), case=case, kind=kind, state=state, percent=percent, created_at=now, updated_at=now
        )
    result = reply_coach(text=FULL_REFUND["en"], language="en", case=case, max_remedy_value=Decimal(50))
    rules = _rules(result)
    # The withdrawn refund no longer stands; the full refund is worth the order, above the limit.
    assert {"offer", "authority"} <= rules
    fine = "Olga, thank you for writing. We are sorry, it was our mistake. You get 20 % off, today, as you prefer."
    assert not {"offer", "authority"} & _rules(reply_coach(text=fine, language="en", case=case))
