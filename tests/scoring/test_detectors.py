"""The shipped learned detectors: plain data, sums that equal the model's definition, VADER asked
only where it could say anything but 0, and a model card that states what the shipped model does."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from monitor.scoring import data, default_scorer
from monitor.scoring.evaluation import held_back, load_eval_set
from monitor.scoring.features import post_features
from monitor.scoring.model import META_FILE, MODEL_DIR, WEIGHTS_FILE, Detectors, shipped
from monitor.scoring.sentiment import sentiment
from monitor.scoring.text import tokenize, words

TRICKY = [
    "",
    "!!!",
    "@happy to see you",  # VADER strips the @ and finds "happy"; the tokens hold "@happy"
    "_good_ work",  # VADER strips underscores; \w would keep them
    "well-being matters",
    "see you :) tomorrow",
    "see you :-( tomorrow",
    "the talk 😀",
    "GOOOOD morning",
    "#LoveIOM3 conference",
    "it's not bad at all",
    "the 3rd lecture at 5pm, room 12",
    "link https://example.org/good-news and mail me@example.org",
    "kind of a day",
]


def _texts() -> list[str]:
    return [row["text"] for row in load_eval_set()] + TRICKY


def test_the_weights_are_plain_numbers_and_text_loaded_without_pickle():
    with np.load(MODEL_DIR / WEIGHTS_FILE, allow_pickle=False) as archive:
        assert set(archive.files) == {"features", "weights", "idf2", "bias", "known"}
        assert all(archive[key].dtype != object for key in archive.files)
    meta = json.loads((MODEL_DIR / META_FILE).read_text(encoding="utf-8"))
    assert meta["heads"] == ["complaint", "airline", "offensive", "hate"]
    assert set(meta["combine"]) == {"complaint", "harassment", "discrimination"}


def test_a_batch_sums_exactly_what_each_feature_weighs():
    """The scorer's shortcuts (a row per word, pairs found by numpy) give the model's own sum:
    each block's features times their weights, over the root of the block's summed squared idf."""
    detectors = shipped()
    with np.load(MODEL_DIR / WEIGHTS_FILE, allow_pickle=False) as archive:
        names = bytes(archive["features"]).decode("utf-8").split("\n")
        # As the scorer does, in float64 (float32 sums would differ in the 7th digit).
        weights, idf2, bias = (archive[k].astype(np.float64) for k in ("weights", "idf2", "bias"))
    index = {name: i for i, name in enumerate(names)}

    def by_definition(tokens: list[str]) -> np.ndarray:
        norm = {"w": 0.0, "c": 0.0}
        total = {"w": np.zeros(weights.shape[1]), "c": np.zeros(weights.shape[1])}
        for feature in post_features(tokens):
            block = "c" if feature[0] == "c" else "w"
            i = index.get(feature)
            norm[block] += idf2[i] if i is not None else detectors.oov_idf2
            if i is not None:
                total[block] += weights[i]
        return bias + sum(total[b] / math.sqrt(norm[b]) for b in "wc" if norm[b])

    posts = [words(text, detectors.known) for text in _texts()]
    batch = detectors.score(posts)
    expected = np.array([by_definition(tokens) for tokens in posts])
    assert np.abs(batch.logits - expected).max() < 1e-9
    # A batch in another order, or one post alone, gives each post the same numbers.
    assert np.abs(detectors.score(posts[::-1]).logits[::-1] - expected).max() < 1e-9
    assert np.abs(detectors.score([posts[3]]).logits[0] - expected[3]).max() < 1e-9


def test_every_handle_and_every_number_reads_as_one_feature_word():
    detectors = Detectors()
    one, other = detectors.score(
        [words("@alice you muppet, 3 hours"), words("@bob you muppet, 45 hours")]
    ).logits
    assert np.allclose(one, other)


def _dev_texts() -> list[str]:
    if data.available():
        return []
    return [p.text for p in data.airline()] + [
        p.text for name in ("offensive", "hate") for p in data.tweeteval(name)
    ]


def test_vader_is_left_out_only_where_it_would_say_zero():
    scorer = sentiment()
    texts = _texts() + _dev_texts()
    skipped = 0
    for text in texts:
        norms = tokenize(text).norms
        said = scorer.compound(text, norms)
        assert said == scorer.vader.polarity_scores(text)["compound"], text
        skipped += scorer._words.isdisjoint(norms) and not scorer._may_score(text)
    assert skipped > len(texts) / 20  # it does leave VADER out: about one post in seven
    assert not scorer._words.isdisjoint(tokenize("a happy day").norms)
    assert scorer._may_score("@happy to see you") and scorer._may_score("see you :)")


def test_the_model_card_states_what_the_shipped_model_does():
    """The card's held-back figures are recomputed from the shipped files: retraining without
    rewriting the card, or editing the card by hand, fails here."""
    if reason := data.available():
        pytest.skip(reason)
    card = (MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    report = held_back(default_scorer(), baselines=False)
    for name in ("complaint", "offensive", "hate"):
        m = report.results[name]["monitor scorer"]
        row = re.search(
            rf"\| [^|]*\| {report.sizes[name][0]} \| {report.sizes[name][1]} \| monitor scorer \| "
            rf"([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|",
            card,
        )
        assert row, name
        stated = [float(v) for v in row.groups()]
        assert stated == [
            round(v, 3) for v in (m.counts.precision, m.counts.recall, m.counts.f1, m.macro_f1, m.roc_auc)
        ], name
    assert f"model {shipped().digest}" in card
