"""The shipped learned detectors, loaded without executing code, scored with plain Python and numpy.

The model folder holds `detectors.npz` (feature names as UTF-8 text, one weight column per
detector head, loaded with `allow_pickle=False`) and `detectors.json` (the heads, how their
scores combine with VADER, the operating points chosen on validation data, the words known for
splitting hashtags). `python -m monitor.scoring.train` writes both, and the model card beside them.

A linear model over length-normalised counts is a sum over a post's features divided by the
square root of how many there are. Each word's own features (the word and its letter n-grams)
always add the same amounts, so they are summed once per distinct word and kept in a cache:
scoring a post costs about two dictionary look-ups per word, whatever the vocabulary's size. A
batch (`logits_many`, the pipeline's chunks) turns those look-ups into row numbers and lets numpy
gather and sum them.

A learned category's score is 0.5 at the detector's operating point (a flag, for review) and
its `alert_threshold` (config/lexicons.toml) at the stricter alert point, both chosen on
validation data by `monitor.scoring.train`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
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
    """The learned heads (complaint, airline, harassment) with their combination rules."""

    def __init__(self, folder: Path = MODEL_DIR) -> None:
        weights_path, meta_path = folder / WEIGHTS_FILE, folder / META_FILE
        if not weights_path.exists() or not meta_path.exists():
            raise ModelError(
                f"the learned detectors are not in {folder} ({WEIGHTS_FILE}, {META_FILE}); "
                "reinstall the package, or retrain them with `python -m monitor.scoring.train`"
            )
        self.meta = json.loads(meta_path.read_bytes())
        # The scorer's version names this exact model (its numbers and settings, not the day it
        # was trained or the archive's timestamps): a changed model changes it, nothing to bump.
        digest = hashlib.sha256(
            json.dumps({k: v for k, v in self.meta.items() if k != "trained_at"}, sort_keys=True).encode()
        )
        with np.load(weights_path, allow_pickle=False) as archive:
            for key in sorted(archive.files):
                digest.update(key.encode() + archive[key].tobytes())
        self.digest = digest.hexdigest()[:10]
        with np.load(weights_path, allow_pickle=False) as archive:
            names = bytes(archive["features"]).decode("utf-8").split("\n")
            matrix = archive["weights"].astype(np.float64)
            idf2 = archive["idf2"].astype(np.float64)
            self.bias = tuple(float(b) for b in archive["bias"])
            self.known = frozenset(bytes(archive["known"]).decode("utf-8").split("\n"))
        self.heads: tuple[str, ...] = tuple(self.meta["heads"])
        self._head_index = {head: k for k, head in enumerate(self.heads)}
        if matrix.shape != (len(names), len(self.heads)):
            raise ModelError(f"{weights_path}: weights {matrix.shape} do not fit {len(names)} features")
        # Each feature: (its squared idf, then each head's weight times its idf).
        rows = [tuple(r) for r in np.column_stack([idf2, matrix]).tolist()]
        self._weights: dict[str, tuple[float, ...]] = dict(zip(names, rows, strict=True))
        self.oov_idf2 = float(self.meta["oov_idf2"])  # a feature never seen in training
        self._oov = (self.oov_idf2,) + (0.0,) * len(self.heads)
        self._word_cache: dict[str, tuple[float, ...]] = {}
        self.combine: dict[str, dict] = self.meta["combine"]
        # For batches (`logits_many`): word pairs as rows of one table, keyed "a b"; row 0 is a
        # pair never seen in training (it adds only to the norm).
        pairs = [(n[2:], r) for n, r in zip(names, rows, strict=True) if n.startswith("b:")]
        self._pair_row = {pair: k + 1 for k, (pair, _) in enumerate(pairs)}
        self._pair_table = np.array([self._oov, *(r for _, r in pairs)], dtype=np.float64)
        # Words get a row when first seen (their summed features, as `_word` gives); row 0 is zero.
        self._word_row: dict[str, int] = {}
        self._word_rows: list[tuple[float, ...]] = [(0.0,) * (len(self.heads) + 1)]
        self._word_table = np.zeros((1, len(self.heads) + 1))

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

    def logits_many(self, posts: list[list[str]]) -> np.ndarray:
        """`logits` for many posts at once (posts x heads): the same sums, gathered by numpy.

        Each post's words and pairs become row numbers in two tables; one gather and one
        segment sum per table replace the per-word additions in Python.
        """
        if len(self._word_rows) >= _CACHE_LIMIT:  # pure values: starting over changes only speed
            self._word_row.clear()
            del self._word_rows[1:]
            self._word_table = self._word_table[:1]
        word_get, pair_get, new_row = self._word_row.get, self._pair_row.get, self._new_word_row
        word_ids: list[int] = []
        pair_ids: list[int] = []
        word_starts: list[int] = []
        pair_starts: list[int] = []
        for tokens in posts:
            word_starts.append(len(word_ids))
            pair_starts.append(len(pair_ids))
            # Row 0 first: every post has a row, so no segment is empty.
            rows = [0, *map(word_get, tokens)]
            if None in rows:
                rows = [
                    0,
                    *(r if r is not None else new_row(t) for r, t in zip(rows[1:], tokens, strict=True)),
                ]
            word_ids += rows
            pair_ids.append(0)
            pair_ids += [pair_get(a + " " + b, 0) for a, b in zip(tokens, tokens[1:], strict=False)]
        if len(self._word_rows) > len(self._word_table):
            added = np.array(self._word_rows[len(self._word_table) :], dtype=np.float64)
            self._word_table = np.concatenate([self._word_table, added])
        words = np.add.reduceat(self._word_table[word_ids], word_starts, axis=0)
        pairs = np.add.reduceat(self._pair_table[pair_ids], pair_starts, axis=0)
        # Row 0 of the pair table counts once per post as an unseen pair: take it back out.
        sums = words + pairs - self._pair_table[0]
        norm2 = sums[:, 0]
        scale = np.divide(1.0, np.sqrt(norm2), out=np.zeros_like(norm2), where=norm2 > 0)
        return np.asarray(self.bias) + sums[:, 1:] * scale[:, None]

    def _new_word_row(self, token: str) -> int:
        self._word_rows.append(self._word(token))
        self._word_row[token] = row = len(self._word_rows) - 1
        return row

    def category_score(self, category: str, logits: tuple[float, ...], sentiment: float) -> float:
        """A learned category's score from its heads' logits (and VADER's compound where that was
        fitted in), as combined on validation data: 0.5 at the detector's operating point (the
        "review" level), 0.75 at the stricter alert point chosen there for few false alerts."""
        c = self.combine[category]
        z = c["bias"] + c["sentiment"] * sentiment
        for head, weight in c["inputs"].items():
            z += weight * logits[self._head_index[head]]
        return _sigmoid(c["scale"] * (z - c["operating_point"]))

    def category_scores(self, category: str, logits: np.ndarray, sentiment: np.ndarray) -> np.ndarray:
        """`category_score` for a batch: one row of `logits` (posts x heads) per post."""
        c = self.combine[category]
        z = c["bias"] + c["sentiment"] * sentiment
        for head, weight in c["inputs"].items():
            z = z + weight * logits[:, self.heads.index(head)]
        return 1.0 / (1.0 + np.exp(-c["scale"] * (z - c["operating_point"])))

    def strongest_head(self, category: str, logits: tuple[float, ...]) -> str:
        """The head that pushed a learned category up most (whose words explain it)."""
        inputs = self.combine[category]["inputs"]
        return max(inputs, key=lambda h: inputs[h] * logits[self.heads.index(h)])

    def evidence(self, head: str, tokens: list[str], limit: int = 3) -> list[tuple[str, float]]:
        """The words (or pairs) whose features pushed `head` up most, strongest first."""
        h = self._head_index[head] + 1
        word, get = self._word, self._weights.get
        pushes = {t: word(t)[h] for t in dict.fromkeys(tokens) if t.isalpha() and t != "http"}
        pairs: dict[str, float] = {}
        for a, b in zip(tokens, tokens[1:], strict=False):
            if a in pushes and b in pushes:
                pair = get("b:" + a + " " + b)
                if pair is not None:
                    pa, pb = pushes[a], pushes[b]
                    both = pa + pb + pair[h]
                    if both > pa and both > pb:
                        pairs[a + " " + b] = both
        pushes.update(pairs)
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


@lru_cache(maxsize=20_000)
def _span_patterns(term: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    # Compiled once per term: compiling for every flag cost more than the rest of scoring.
    parts = [re.escape(p) for p in term.split()]
    whole = r"(?<![^\W\d_])" + r"[\W_]+".join(parts) + r"(?![^\W\d_])"
    return re.compile(whole, re.IGNORECASE), re.compile("".join(parts), re.IGNORECASE)


def find_span(text: str, term: str) -> tuple[int, int] | None:
    """Where a normalised word or pair is in the original post (any case, any gap), if it is."""
    whole, joined = _span_patterns(term)
    m = whole.search(text) or joined.search(text)
    return m.span() if m else None


@cache
def shipped() -> Detectors:
    """The model in the package, loaded once per process."""
    return Detectors()
