import pytest

from amends.cases.subjects import clean_subject, heading, mail_subject, subject_from_story


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        ("Re: Re: [AM-2026-000123] Re: Wrong size", "Wrong size"),
        ("AW: WG: Fwd: Paket", "Paket"),
        ("Отв: Re[2]: [am-2026-000001] Кроссовки", "Кроссовки"),
        ("Odg: Re(3): Patike", "Patike"),
        ("RE:Re : Wrong size [AM-2026-000123]", "Wrong size"),
        ("Regarding my order", "Regarding my order"),  # "Re" starting a word is not a marker
        ("Re: ", ""),
    ],
)
def test_reply_markers_and_case_tags_are_stripped_wherever_they_pile_up(subject, clean):
    assert clean_subject(subject) == clean


def test_our_subject_carries_the_case_tag_once():
    subject = mail_subject(reference="AM-2026-000123", subject="Re: Re: [AM-2026-000123] Re: Wrong size", fallback="x")
    assert subject == "[AM-2026-000123] Wrong size"
    assert mail_subject(reference="AM-2026-000123", subject="Re:", fallback="Your message").endswith("Your message")


def test_a_complaint_without_a_subject_is_headed_by_its_first_sentence_cut_at_a_word():
    story = "The sole of my hiking boots came off after two weeks. Photos attached."
    assert subject_from_story(story) == "The sole of my hiking boots came off after two weeks."
    long = "Tracking has said out for delivery for six days and nobody answers the phone when I call the number"
    cut = subject_from_story(long)
    assert cut.endswith("…") and len(cut) <= 80 and long.startswith(cut[:-1]) and long[len(cut) - 1] == " "
    assert heading(subject="", story="\n\n  Wrong size.\nMore") == "Wrong size."
    assert heading(subject="Re: Parcel late", story="whatever") == "Parcel late"
