import pytest

from amends.triage import sentiment
from amends.triage.engine import triage
from amends.triage.signals import analyse


def label(text: str) -> str:
    return sentiment.read(text).label


@pytest.mark.parametrize(
    "text",
    [
        "Спасибо за ответ, но интернет так и не починили, жду уже вторую неделю.",
        "Thank you for your email, however the refund still hasn't reached my account.",
        "Благодаря за отговора, но поръчката ми все още не е пристигнала.",
        "Hvala na odgovoru, ali telefon i dalje ne radi.",
        "Ďakujem za odpoveď, ale objednávka stále neprišla.",
    ],
)
def test_thanks_in_a_complaint_stays_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "The delivery guy was so kind, thank you!!!",
        "Спасибо огромное, всё пришло вовремя!!!",
        "Страхотно обслужване, благодаря!!!",
        "Hvala vam, sve je stiglo na vreme!!!",
        "Ďakujeme, všetko prišlo načas!!!",
    ],
)
def test_exclamation_marks_on_praise_stay_positive(text):
    assert label(text) == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Do you have this jacket in size L?",
        "Подскажите, пожалуйста, где находится ближайший пункт выдачи?",
        "Колко струва доставката до Русе?",
        "Da li primate platne kartice?",
        "Да ли радите суботом?",
        "Koľko stojí doprava do Žiliny?",
    ],
)
def test_a_plain_question_is_neutral(text):
    assert label(text) == "neutral"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The parcel arrived broken and nobody answers the phone.", "negative"),
        ("Great service, I'm very satisfied.", "positive"),
        ("Посылка пришла разбитой, и никто не отвечает на звонки.", "negative"),
        ("Отличный сервис, я очень доволен.", "positive"),
        ("Пратката пристигна счупена и никой не вдига телефона.", "negative"),
        ("Отлично обслужване, много съм доволна.", "positive"),
        ("Paket je stigao polomljen i niko se ne javlja na telefon.", "negative"),
        ("Пакет је стигао поломљен и нико се не јавља на телефон.", "negative"),
        ("Odlična usluga, veoma sam zadovoljan.", "positive"),
        ("Одлична услуга, веома сам задовољна.", "positive"),
        ("Balík prišiel rozbitý a nikto nedvíha telefón.", "negative"),
        ("Výborná služba, som veľmi spokojný.", "positive"),
    ],
)
def test_each_language_reads_complaints_and_praise(text, expected):
    assert label(text) == expected


def test_serbian_reads_the_same_in_either_script():
    latin = sentiment.read("Porudžbina kasni već deset dana, niko mi ne odgovara.")
    cyrillic = sentiment.read("Поруџбина касни већ десет дана, нико ми не одговара.")
    assert latin.label == cyrillic.label == "negative"
    assert latin.probabilities == cyrillic.probabilities


@pytest.mark.parametrize("text", ["", "   ", "12345", "\n\t"])
def test_text_with_nothing_to_read_is_neutral_with_no_confidence(text):
    found = sentiment.read(text)
    assert (found.label, found.score, found.confidence) == ("neutral", 0.0, 0.0)


def test_only_emoji_is_read():
    assert label("😡😡😡") == "negative"
    assert label("😍😍") == "positive"


def test_a_very_long_complaint_is_read_within_bounds():
    story = (
        "On Monday the courier said the sofa would come on Tuesday. On Tuesday nobody came and nobody answered "
        "the phone. On Wednesday it arrived broken, and the driver refused to take it back. "
    )
    text = story * 200 + "I want my money back."
    assert len(text) > 20_000
    assert sentiment.read(text).label == "negative"
    # Only the beginning and the end are read, so one call costs the same whatever the length.
    assert abs(len(sentiment.analyse(text)) - len(sentiment.analyse(story * 100 + text))) < 100


def test_probabilities_are_a_distribution_and_the_score_their_balance():
    found = sentiment.read("The food was cold but the waiter was lovely.")
    assert abs(sum(found.probabilities.values()) - 1) < 0.01
    assert found.score == pytest.approx(found.probabilities["positive"] - found.probabilities["negative"], abs=0.01)
    assert found.confidence == max(found.probabilities.values())


def test_cues_are_the_customers_own_words():
    found = sentiment.read("Спасибо, но роутер так и не работает, это ужасно.")
    assert found.label == "negative" and found.cues
    assert all(not cue.isascii() for cue in found.cues)  # Cyrillic as written, not the transliterated features


def test_the_shipped_weights_were_trained_on_the_current_examples():
    # Fails when the examples change and `python -m amends.triage.sentiment` was not run again.
    assert sentiment.model().digest == sentiment.data_digest()


def test_signals_carry_the_model_reading_and_churn_follows_a_strong_negative():
    found = analyse("Это ужасно, третий раз пишу, деньги так и не вернули!", language="ru")
    assert found.sentiment == "negative" and found.sentiment_score < 0
    assert 0.34 <= found.sentiment_confidence <= 1


def test_triage_reports_the_label_with_its_probability():
    result = triage("Thank you so much, the replacement arrived the next morning!", model=None, served=("en",))
    assert result.sentiment.value == "positive"
    assert (
        result.sentiment.confidence
        == sentiment.read("Thank you so much, the replacement arrived the next morning!").confidence
    )


def test_the_encoder_head_ships_and_reads_when_asked():
    # Used when the deployment runs the encoder on each complaint (AMENDS_TRIAGE_EMBEDDINGS).
    assert sentiment.model().head is not None
    found = sentiment.read("Спасибо, конечно, но деньги так и не вернули.", encoder=True)
    assert found.label == "negative"
    assert abs(sum(found.probabilities.values()) - 1) < 0.01
