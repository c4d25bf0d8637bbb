"""The shipped learned detectors, loaded without executing code, scored with plain Python and numpy.

The model folder holds `detectors.npz` (feature names as UTF-8 text, one weight column per
detector head, loaded with `allow_pickle=False`) and `detectors.json` (the heads, how their
scores combine with VADER, the operating points chosen on validation data, the words known for
splitting hashtags). `python -m monitor.scoring.train` writes both, and the model card beside them.

A linear model over length-normalised counts is a sum over a post's features divided by the
square root of how many there are. Each word's own features (the word and its letter n-grams)
always add the same amounts, so they are summed once per distinct word and kept in a cache:
scoring a post costs about two dictionary look-ups per word, whatever the vocabulary's size.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from monitor.scoring.features import char_grams, words

MODEL_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS_FILE = "detectors.npz"
META_FILE = "detectors.json"
_CACHE_LIMIT = 100_000


class ModelError(RuntimeError):
    """The shipped model is missing or does not match this code; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class HeadScore:
    """One detector's verdict on one post."""

    score: float  # 0..1; 0.5 is the operating point chosen on validation data
    logit: float  # the linear model's raw score (before VADER is combined)
    terms: tuple[tuple[str, float], ...]  # the words that pushed it up most, strongest first


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Detectors:
    """The learned heads (complaint, offensive, hate) with their combination rules."""

    def __init__(self, folder: Path = MODEL_DIR) -> None:
        weights_path, meta_path = folder / WEIGHTS_FILE, folder / META_FILE
        if not weights_path.exists() or not meta_path.exists():
            raise ModelError(
                f"the learned detectors are not in {folder} ({WEIGHTS_FILE}, {META_FILE}); "
                "reinstall the package, or retrain them with `python -m monitor.scoring.train`"
            )
        raw_meta = meta_path.read_bytes()
        raw_weights = weights_path.read_bytes()
        # The scorer's version names this exact model: retraining changes it, nothing to bump.
        self.digest = hashlib.sha256(raw_meta + raw_weights).hexdigest()[:10]
        self.meta = json.loads(raw_meta)
        with np.load(weights_path, allow_pickle=False) as archive:
            names = bytes(archive["features"]).decode("utf-8").split("\n")
            matrix = archive["weights"].astype(np.float64)
            idf2 = archive["idf2"].astype(np.float64)
            self.bias = tuple(float(b) for b in archive["bias"])
            self.known = frozenset(bytes(archive["known"]).decode("utf-8").split("\n"))
        self.heads: tuple[str, ...] = tuple(self.meta["heads"])
        if matrix.shape != (len(names), len(self.heads)):
            raise ModelError(f"{weights_path}: weights {matrix.shape} do not fit {len(names)} features")
        # Each feature: (its squared idf, then each head's weight times its idf).
        rows = [tuple(r) for r in np.column_stack([idf2, matrix]).tolist()]
        self._weights: dict[str, tuple[float, ...]] = dict(zip(names, rows, strict=True))
        self.oov_idf2 = float(self.meta["oov_idf2"])  # a feature never seen in training
        self._oov = (self.oov_idf2,) + (0.0,) * len(self.heads)
        self._word_cache: dict[str, tuple[float, ...]] = {}
        self.combine: dict[str, dict[str, float]] = self.meta["combine"]

    def _word(self, token: str) -> tuple[float, ...]:
        """(squared idf summed, then each head's summed weight) of one word and its letter n-grams."""
        found = self._word_cache.get(token)
        if found is not None:
            return found
        weights, k, oov = self._weights, len(self.heads), self.oov_idf2
        total = list(weights.get("w:" + token, self._oov))
        for gram in char_grams(token):
            w = weights.get("c:" + gram)
            if w is None:
                total[0] += oov
                continue
            for h in range(k + 1):
                total[h] += w[h]
        entry = tuple(total)
        if len(self._word_cache) >= _CACHE_LIMIT:
            self._word_cache.clear()  # pure values: clearing changes speed, never a score
        self._word_cache[token] = entry
        return entry

    def logits(self, tokens: list[str]) -> tuple[float, ...]:
        """Each head's linear score for a post's normalised words.

        Features are counts times idf, divided by the root of the summed squared idf of every
        feature occurrence (the L2 norm when no feature repeats); idf is folded into the weights.
        """
        k = len(self.heads)
        sums = [0.0] * k
        norm2 = 0.0
        weights, word, oov = self._weights, self._word, self.oov_idf2
        previous = None
        for token in tokens:
            entry = word(token)
            norm2 += entry[0]
            for h in range(k):
                sums[h] += entry[h + 1]
            if previous is not None:
                pair = weights.get("b:" + previous + " " + token)
                if pair is None:
                    norm2 += oov
                else:
                    norm2 += pair[0]
                    for h in range(k):
                        sums[h] += pair[h + 1]
            previous = token
        scale = 1.0 / math.sqrt(norm2) if norm2 else 0.0
        return tuple(self.bias[h] + sums[h] * scale for h in range(k))

    def head_score(self, head: str, logit: float, sentiment: float) -> float:
        """The head's logit and VADER's compound combined as fitted on validation data, shifted so
        that 0.5 is the operating point chosen there."""
        c = self.combine[head]
        return _sigmoid(c["logit"] * logit + c["sentiment"] * sentiment + c["bias"] - c["operating_point"])

    def evidence(self, head: str, tokens: list[str], limit: int = 3) -> list[tuple[str, float]]:
        """The words (or pairs) whose features pushed `head` up most, strongest first."""
        h = self.heads.index(head) + 1
        pushes: dict[str, float] = {}
        for token in tokens:
            if token.isalpha() and token != "http":
                pushes[token] = self._word(token)[h]
        for a, b in zip(tokens, tokens[1:], strict=False):
            pair = self._weights.get("b:" + a + " " + b)
            if pair is not None and a.isalpha() and b.isalpha():
                both = pushes.get(a, 0.0) + pushes.get(b, 0.0) + pair[h]
                if both > max(pushes.get(a, 0.0), pushes.get(b, 0.0)):
                    pushes[a + " " + b] = both
        ranked = sorted(((w, v) for w, v in pushes.items() if v > 0), key=lambda kv: -kv[1])
        chosen: list[tuple[str, float]] = []
        for term, value in ranked:
            if any(term in c or c in term for c, _ in chosen):
                continue
            chosen.append((term, value))
            if len(chosen) == limit:
                break
        return chosen

    def tokens(self, text: str) -> list[str]:
        return words(text, self.known)


def find_span(text: str, term: str) -> tuple[int, int] | None:
    """Where a normalised word or pair is in the original post (any case, any gap), if it is."""
    parts = [re.escape(p) for p in term.split()]
    pattern = r"(?<![^\W\d_])" + r"[\W_]+".join(parts) + r"(?![^\W\d_])"
    m = re.search(pattern, text, re.IGNORECASE) or re.search("".join(parts), text, re.IGNORECASE)
    return m.span() if m else None


@cache
def shipped() -> Detectors:
    """The model in the package, loaded once per process."""
    return Detectors()
