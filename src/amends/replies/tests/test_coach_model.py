"""The shipped detector (data/coach_model.npz) against the one its training files give today.

`coach_model.model()` trains with scikit-learn (several seconds, once for this module); everything else here
loads the shipped file or builds small vectorizers."""

import random
from dataclasses import replace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from amends.replies import coach_model
from amends.replies.coach_vectors import Vectorizer

# Texts the training never saw as such: words of two training sentences shuffled together (new n-gram
# neighbours, unknown pairs), and the shapes a draft can take that no training sentence has.
ODD = [
    "",
    "   ",
    "12345 678,90",
    "東京 の 注文 について",
    "😡😡😡 !!! ???",
    "tab\tand  double  spaces\u00a0and nbsp",
    "İSTANBUL ŞEHİR ǅ ß straße",
    "a",
    "ok ok ok ok ok ok ok ok",
    "Вы САМИ виноваты!!! you did it wrong",
    "Ви сте сами криви, ви сте сами погрешили.",
]


@pytest.fixture(scope="module")
def texts():
    sentences = [sentence for _language, _labels, sentence in coach_model.training_rows()]
    rng = random.Random(20261201)
    shuffled = []
    for _ in range(200):
        words = " ".join(rng.sample(sentences, 2)).split()
        rng.shuffle(words)
        shuffled.append(" ".join(words[: rng.randint(1, 25)]))
    return sentences[::4] + shuffled + ODD


def test_the_shipped_detector_was_trained_on_the_current_sentences():
    # Fails when a training file changes and `PYTHONPATH=src python -m amends.replies.coach_model` was not run.
    assert coach_model.compiled().digest == coach_model.data_digest()


def test_the_shipped_detector_gives_the_probabilities_of_one_trained_afresh(texts):
    # The shipped file through numpy alone against scikit-learn's own pipeline, trained now: same features,
    # same weights (stored as float32, which moves a probability by ~1e-8), same calibration.
    assert len(texts) > 600
    shipped = coach_model.probabilities(texts)
    fresh = coach_model.probabilities(texts, coach_model.model())
    for text, got, expected in zip(texts, shipped, fresh, strict=True):
        assert got.keys() == expected.keys() == set(coach_model.LABELS)
        for label in expected:
            assert got[label] == pytest.approx(expected[label], abs=1e-6), (text, label)
    # Not all alike: the sample reaches both sides of every label's threshold.
    for label, threshold in coach_model.THRESHOLDS.items():
        assert min(p[label] for p in fresh) < threshold < max(p[label] for p in fresh), label


def test_the_features_are_scikit_learns(texts):
    prepared = [coach_model.features(text) for text in texts]
    for _name, fitted in coach_model.model().vectors.transformer_list:
        ours = Vectorizer.from_sklearn(fitted)
        theirs = fitted.transform(prepared).tocsr()
        theirs.sort_indices()
        for i, text in enumerate(prepared):
            columns, values = ours.transform(text)
            row = theirs[i]
            assert list(columns) == list(row.indices), (fitted.analyzer, text)
            np.testing.assert_allclose(values, row.data, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"analyzer": "char_wb", "ngram_range": (2, 5)}, "ab abcdefg  x\ty Zz"),
        ({"analyzer": "char_wb", "ngram_range": (3, 3), "lowercase": False}, "AbC ab abc"),
        ({"analyzer": "word", "ngram_range": (1, 3)}, "one two one two three, four"),
        ({"analyzer": "word", "ngram_range": (2, 3), "sublinear_tf": True}, "one two one two three four one two"),
        ({"analyzer": "word", "ngram_range": (1, 1), "token_pattern": r"\S+"}, "a a b-c d!"),
    ],
)
def test_other_supported_settings_give_scikit_learns_features_too(params, text):
    corpus = ["one two three", "ab abc abcd", "x y z one two", "AbC b-c d!", text]
    fitted = TfidfVectorizer(**params).fit(corpus)
    ours = Vectorizer.from_sklearn(fitted)
    for sample in [*corpus, "nothing known here", ""]:
        columns, values = ours.transform(sample)
        row = fitted.transform([sample]).tocsr()
        row.sort_indices()
        assert list(columns) == list(row.indices), sample
        np.testing.assert_allclose(values, row.data, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "params",
    [{"stop_words": ["the"]}, {"strip_accents": "unicode"}, {"binary": True}, {"norm": "l1"}, {"analyzer": "char"}],
)
def test_it_refuses_a_vectorizer_whose_features_it_would_not_reproduce(params):
    fitted = TfidfVectorizer(**params).fit(["the cat sat", "a dog"])
    with pytest.raises(ValueError, match="unsupported"):
        Vectorizer.from_sklearn(fitted)


def test_saving_twice_gives_the_same_bytes_and_loads_back_the_same_detector(tmp_path):
    shipped = coach_model.compiled()
    first, second = tmp_path / "first.npz", tmp_path / "second.npz"
    coach_model.save(shipped, first)
    coach_model.save(shipped, second)
    assert first.read_bytes() == second.read_bytes()
    again = coach_model.load(first)
    assert again.columns == shipped.columns and again.digest == shipped.digest
    np.testing.assert_array_equal(again.weights, shipped.weights)
    for mine, theirs in zip(again.vectorizers, shipped.vectorizers, strict=True):
        assert mine.params == theirs.params and mine.terms == theirs.terms
        np.testing.assert_array_equal(mine.idf, theirs.idf)


def test_it_refuses_weights_that_do_not_fit_the_vocabulary(tmp_path):
    shipped = coach_model.compiled()
    broken = tmp_path / "broken.npz"
    coach_model.save(replace(shipped, weights=shipped.weights[:-1]), broken)
    with pytest.raises(ValueError, match="do not fit"):
        coach_model.load(broken)


@pytest.mark.parametrize(
    ("sentence", "shape"),
    [
        ("WE HAVE ALREADY ANSWERED THIS QUESTION.", "qqshout"),
        ("Thank you SO much for your fourth e-mail.", "qqcaps"),
        ("Хвала ВАМ лепо на четвртом мејлу.", "qqcaps"),
        ("Did you even read the conditions?", "qqask"),
        ("Really?! Again?!", "qqexcl qqmulti"),  # a question ends on "?"; "?!" is read as repeated marks
        ("Sigh... the invoice is attached, again.", "qqmulti"),
        ("You wrote that it was «a disgrace», and you are right.", "qqquote"),
        ("We have refunded the full amount today.", ""),
        ("I am sorry, it was our mistake.", ""),  # a one-letter capital is no shouting
    ],
)
def test_the_features_keep_the_shape_that_folding_loses(sentence, shape):
    assert coach_model.shape(sentence) == shape
    assert coach_model.features(sentence).endswith(shape)
    assert coach_model.features(sentence).startswith(coach_model.features(sentence.lower()).split(" qq")[0])


def test_parallel_training_files_give_every_language_the_same_situations():
    # Cross-validation keeps line k of every language in one fold; a language with a row more or less would shift
    # every later group onto another situation.
    for path in coach_model.TRAINING:
        if path.name not in coach_model.PARALLEL:
            continue
        counts: dict[str, int] = {}
        for language, _labels, _sentence in coach_model.training_rows((path,)):
            counts[language] = counts.get(language, 0) + 1
        assert set(counts) == {"en", "ru", "bg", "sk", "sr"}, path.name
        assert len(set(counts.values())) == 1, (path.name, counts)
