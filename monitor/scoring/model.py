"""The shipped learned detectors, loaded without executing code, scored in batches with numpy.

The model folder holds `detectors.npz` (feature names as UTF-8 text, one weight column per
detector head, loaded with `allow_pickle=False`) and `detectors.json` (the heads, how their
scores combine with VADER, the operating points chosen on validation data, the words known for
splitting hashtags). `python -m monitor.scoring.train` writes both, and the model card beside them.

A post's features fall in two blocks, each normalised on its own (as two tf-idf vectorisers
side by side would be): its words and neighbouring word pairs, and the letter n-grams inside its
words. A linear model over them is a sum over the features of each block divided by the square
root of that block's summed squared idf. A word's own features (the word, its letter n-grams)
always add the same amounts, so each distinct word is summed once into a row of a table and kept:
scoring a batch is one dictionary look-up per word and per pair, then numpy gathers the rows and
sums them per post.

A learned category's score is 0.5 at the detector's operating point (a flag, for review) and
its `alert_threshold` (config/lexicons.toml) at the stricter alert point, both chosen on
validation data by `monitor.scoring.train`.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from pathlib import Path

import numpy as np

from monitor.scoring.features import char_grams, feature_word
from monitor.scoring.text import words

MODEL_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS_FILE = "detectors.npz"
META_FILE = "detectors.json"
# When and with which library versions it was trained: not part of the model's identity.
UNVERSIONED = frozenset({"trained_at", "trained_with"})
_CACHE_LIMIT = 100_000
# Rows of the pair table: 0 adds nothing (it starts every post, so no post's segment is empty),
# 1 is a pair never seen in training (it adds its idf to the norm and no weight).
_NOTHING, _UNSEEN = 0, 1
# A word's pair number: -1 in no known pair; -2 a clause break (or a post's start): no pair
# runs across it.
_NO_PAIR, _BREAK = -1, -2


class ModelError(RuntimeError):
    """The shipped model is missing or does not match this code; the message says how to fix it."""


@dataclass(slots=True)
class Batch:
    """What the detectors worked out for a batch of posts: each head's logit per post, and what
    `Detectors.evidence` needs to say which words pushed a post's score up."""

    logits: np.ndarray  # posts x heads
    tokens: list[list[str]]
    starts: list[int]  # where each post's positions start (each post is led by an empty one)
    word_push: np.ndarray  # positions x heads: the word's weight in the post's logit
    pair_push: np.ndarray  # positions x heads: the pair (this word, the next)'s weight
    known_pair: np.ndarray  # positions: whether that pair was seen in training
    _lists: dict[int, tuple[list[float], list[float]]] = field(default_factory=dict)
    _pair_at: list[int] | None = None

    def pushes(self, head: int) -> tuple[list[float], list[float], list[int]]:
        """One head's pushes at every position, as lists, and the positions where a known pair
        starts (made once per head per batch: a post that needs evidence then costs no numpy call)."""
        found = self._lists.get(head)
        if found is None:
            found = self._lists[head] = (self.word_push[:, head].tolist(), self.pair_push[:, head].tolist())
        if self._pair_at is None:
            self._pair_at = np.flatnonzero(self.known_pair).tolist()
        return found[0], found[1], self._pair_at


class Detectors:
    """The learned heads (complaint, airline, offensive, hate) with their combination rules."""

    def __init__(self, folder: Path = MODEL_DIR) -> None:
        weights_path, meta_path = folder / WEIGHTS_FILE, folder / META_FILE
        if not weights_path.exists() or not meta_path.exists():
            raise ModelError(
                f"the learned detectors are not in {folder} ({WEIGHTS_FILE}, {META_FILE}); "
                "reinstall the package, or retrain them with `python -m monitor.scoring.train`"
            )
        self.meta = json.loads(meta_path.read_bytes())
        with np.load(weights_path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        # The scorer's version names this exact model (its numbers and settings, not the day it
        # was trained or the archive's timestamps): a changed model changes it, nothing to bump.
        digest = hashlib.sha256(
            json.dumps({k: v for k, v in self.meta.items() if k not in UNVERSIONED}, sort_keys=True).encode()
        )
        for key in sorted(arrays):
            digest.update(key.encode() + arrays[key].tobytes())
        self.digest = digest.hexdigest()[:10]
        names = bytes(arrays["features"]).decode("utf-8").split("\n")
        matrix = arrays["weights"].astype(np.float64)
        idf2 = arrays["idf2"].astype(np.float64)
        self.bias = arrays["bias"].astype(np.float64)
        self.known = frozenset(bytes(arrays["known"]).decode("utf-8").split("\n"))
        self.heads: tuple[str, ...] = tuple(self.meta["heads"])
        self._head_index = {head: k for k, head in enumerate(self.heads)}
        k = len(self.heads)
        if matrix.shape != (len(names), k):
            raise ModelError(f"{weights_path}: weights {matrix.shape} do not fit {len(names)} features")
        self.oov_idf2 = float(self.meta["oov_idf2"])  # a feature never seen in training
        rows = np.column_stack([idf2, matrix])  # each feature: its squared idf, then each head's weight
        by_kind: dict[str, dict[str, np.ndarray]] = {"w": {}, "b": {}, "c": {}}
        for name, row in zip(names, rows, strict=True):
            by_kind[name[0]][name[2:]] = row
        self._words, self._grams = by_kind["w"], by_kind["c"]
        # Word pairs are found for a whole batch at once: each word that starts or ends a known
        # pair has a number, a pair is the integer first * n + second, and the known pairs are a
        # sorted array searched with numpy (a dictionary look-up per pair cost more than the
        # rest of the model together).
        pairs = [(tuple(name.split(" ")), row) for name, row in by_kind["b"].items()]
        self._pair_word = {w: n for n, w in enumerate(sorted({w for (a, b), _ in pairs for w in (a, b)}))}
        self._pair_base = max(len(self._pair_word), 1)
        keys = np.array(
            [self._pair_word[a] * self._pair_base + self._pair_word[b] for (a, b), _ in pairs], dtype=np.int64
        )
        order = np.argsort(keys)
        self._pair_keys = keys[order]
        unseen = np.zeros(k + 1)
        unseen[0] = self.oov_idf2
        pair_rows = np.array([row for _, row in pairs]).reshape(len(pairs), k + 1)[order]
        self._pair_table = np.vstack([np.zeros(k + 1), unseen, pair_rows])
        # Words get a row when first seen: [word block idf2, letter block idf2, the word's weight
        # per head, its letter n-grams' summed weight per head]; row 0 adds nothing. Beside each
        # row, the word's pair number (_NO_PAIR: in no known pair; _BREAK: a clause break).
        self._word_row: dict[str, int] = {}
        self._new_rows: list[np.ndarray] = []
        self._new_pair_words: list[int] = []
        self._word_table = np.zeros((1, 2 + 2 * k))
        self._row_pair_word = np.full(1, _BREAK, dtype=np.int64)
        self.combine: dict[str, dict] = self.meta["combine"]

    def _row(self, word: str | None) -> np.ndarray:
        """One feature word's row (see `__init__`); zeros for a clause break."""
        k = len(self.heads)
        row = np.zeros(2 + 2 * k)
        if word is None:
            return row
        own = self._words.get(word)
        if own is None:
            row[0] = self.oov_idf2
        else:
            row[0] = own[0]
            row[2 : 2 + k] = own[1:]
        grams = self._grams
        for gram in char_grams(word):
            found = grams.get(gram)
            if found is None:
                row[1] += self.oov_idf2
            else:
                row[1] += found[0]
                row[2 + k :] += found[1:]
        return row

    def _rows(self, posts: list[list[str]]) -> tuple[np.ndarray, list[int]]:
        """Every post's word rows in one array, each post led by row 0; and where each post starts."""
        word_get = self._word_row.get
        ids: list[int] = []
        starts: list[int] = []
        for tokens in posts:
            starts.append(len(ids))
            ids.append(0)
            ids += map(word_get, tokens, repeat(-1))
        if -1 in ids:
            for n, found in enumerate(ids):
                if found == -1:
                    ids[n] = self._add_row(posts, starts, n)
        if self._new_rows:
            self._word_table = np.vstack([self._word_table, *self._new_rows])
            self._row_pair_word = np.concatenate([self._row_pair_word, self._new_pair_words])
            self._new_rows.clear()
            self._new_pair_words.clear()
        return np.array(ids, dtype=np.intp), starts

    def _add_row(self, posts: list[list[str]], starts: list[int], position: int) -> int:
        """The row of the token at `position` of the batch (made the first time its feature word
        is seen; every @handle shares the row of "@user", every number that of its digits' 0s)."""
        post = bisect_right(starts, position) - 1
        token = posts[post][position - starts[post] - 1]
        word = feature_word(token)
        key = token if word is None else word
        found = self._word_row.get(key)
        if found is None:
            self._new_rows.append(self._row(word))
            self._new_pair_words.append(_BREAK if word is None else self._pair_word.get(word, _NO_PAIR))
            found = self._word_row[key] = len(self._word_table) + len(self._new_rows) - 1
        self._word_row[token] = found
        return found

    def _pair_rows(self, word_ids: np.ndarray) -> np.ndarray:
        """For each position of the batch, the pair table row of (that word, the next word):
        a known pair's row, UNSEEN for a pair never seen in training, or NOTHING where either is a
        clause break or a post's start (or there is no next)."""
        numbers = self._row_pair_word[word_ids]
        first, second = numbers[:-1], numbers[1:]
        rows = np.where((first != _BREAK) & (second != _BREAK), _UNSEEN, _NOTHING)
        candidate = (first >= 0) & (second >= 0)
        if candidate.any() and len(self._pair_keys):
            keys = first[candidate] * self._pair_base + second[candidate]
            at = np.minimum(np.searchsorted(self._pair_keys, keys), len(self._pair_keys) - 1)
            known = self._pair_keys[at] == keys
            rows[np.flatnonzero(candidate)[known]] = at[known] + 2
        return np.append(rows, _NOTHING)

    def score(self, posts: list[list[str]]) -> Batch:
        """Each head's logit for each post's normalised words (`tokens`), in one pass."""
        k = len(self.heads)
        if not posts:
            empty = np.zeros((0, k))
            return Batch(empty, [], [], empty, empty, np.zeros(0, dtype=bool))
        if len(self._word_row) >= _CACHE_LIMIT:  # pure values: starting over changes only speed
            self._word_row.clear()
            self._word_table = self._word_table[:1]
            self._row_pair_word = self._row_pair_word[:1]
        word_ids, starts = self._rows(posts)
        words = self._word_table[word_ids]
        pair_rows = self._pair_rows(word_ids)
        pairs = self._pair_table[pair_rows]
        summed = np.add.reduceat(words, starts, axis=0)
        pair_sums = np.add.reduceat(pairs, starts, axis=0)
        word_norm2 = summed[:, 0] + pair_sums[:, 0]
        char_norm2 = summed[:, 1]
        word_scale = np.divide(1.0, np.sqrt(word_norm2), out=np.zeros_like(word_norm2), where=word_norm2 > 0)
        char_scale = np.divide(1.0, np.sqrt(char_norm2), out=np.zeros_like(char_norm2), where=char_norm2 > 0)
        logits = (
            self.bias
            + (summed[:, 2 : 2 + k] + pair_sums[:, 1:]) * word_scale[:, None]
            + summed[:, 2 + k :] * char_scale[:, None]
        )
        # Each position's share of its post's logit, for the evidence of the posts that flag.
        lengths = np.diff([*starts, len(word_ids)])
        at_word, at_char = np.repeat(word_scale, lengths)[:, None], np.repeat(char_scale, lengths)[:, None]
        word_push = words[:, 2 : 2 + k] * at_word + words[:, 2 + k :] * at_char
        return Batch(logits, posts, starts, word_push, pairs[:, 1:] * at_word, pair_rows > _UNSEEN)

    def category_scores(self, category: str, logits: np.ndarray, sentiment: np.ndarray) -> np.ndarray:
        """A learned category's score per post (one row of `logits` each), from its heads' logits
        and VADER's compound as combined on validation data: 0.5 at the detector's operating
        point (the "review" level), the alert threshold at the stricter alert point."""
        c = self.combine[category]
        z = c["bias"] + c["sentiment"] * sentiment
        for head, weight in c["inputs"].items():
            z = z + weight * logits[:, self._head_index[head]]
        # The logistic function as tanh: no overflow however far a post is from the point.
        return 0.5 + 0.5 * np.tanh(0.5 * c["scale"] * (z - c["operating_point"]))

    def strongest_head(self, category: str, logits: np.ndarray) -> str:
        """The head that pushed a learned category up most (whose words explain it)."""
        inputs = self.combine[category]["inputs"]
        if len(inputs) == 1:
            return next(iter(inputs))
        row = logits.tolist()
        index = self._head_index
        return max(inputs, key=lambda h: inputs[h] * row[index[h]])

    def evidence(self, batch: Batch, post: int, head: str, limit: int = 3) -> list[tuple[int, int, float]]:
        """Where in one post of `batch` the words (or pairs of words) are that pushed `head` up
        most: (first token, tokens, push), strongest first, no two overlapping or repeating."""
        word_push, pair_push, pair_at = batch.pushes(self._head_index[head])
        tokens = batch.tokens[post]
        start = batch.starts[post] + 1
        end = start + len(tokens)
        pushes = word_push[start:end]
        candidates = [(v, j, 1) for j, v in enumerate(pushes) if v > 0]
        for n in pair_at[bisect_left(pair_at, start) : bisect_left(pair_at, end - 1)]:
            j = n - start
            both = pushes[j] + pushes[j + 1] + pair_push[n]
            if both > pushes[j] and both > pushes[j + 1] and both > 0:
                candidates.append((both, j, 2))
        candidates.sort(reverse=True)
        chosen: list[tuple[int, int, float]] = []
        taken: set[int] = set()
        said: set[str] = set()
        for value, j, n in candidates:
            words = tokens[j : j + n]
            if not all(w.isalpha() for w in words) or j in taken or j + n - 1 in taken:
                continue  # a number, a handle, a negated word; or it overlaps a chosen one
            if said.intersection(words):
                continue  # repeats a chosen word elsewhere in the post
            chosen.append((j, n, value))
            taken.update(range(j, j + n))
            said.update(words)
            if len(chosen) == limit:
                break
        return chosen

    def tokens(self, text: str) -> list[str]:
        return words(text, self.known)


@cache
def shipped() -> Detectors:
    """The model in the package, loaded once per process."""
    return Detectors()
