"""The learned detectors' features: words, word pairs and the letters inside words.

A post's tokens come from `monitor.scoring.text` (the one reading the lexicons use too); here is
what a token means to the detectors, `feature_word`, and the features of a post,
`post_features`. Training (monitor/scoring/train.py) and scoring (monitor/scoring/model.py) both
call `feature_word`, so the two can never disagree about what a feature is.

What is normalised, and why (the detectors are judged on posts from other places and years):
- @handles become "@user" and links "http": who was addressed and which site was linked say
  nothing about tone, and they differ from one data set to the next (TweetEval already anonymises
  handles as @user; the airline set names six airlines).
- Digits become 0 ("3 hours", "45 minutes" read alike).
- The punctuation that ends a clause (. , ; :) is no feature, and no word pair runs across it;
  "!" and "?" are features ("any update on my refund?").
- Hashtags are read as their words and stretched letters as two (`monitor.scoring.text`); up to
  three words after a negator are marked as negated: "no complaints" reads as no, ¬complaints.
- Each word also yields its letter n-grams (2 to 4 letters, inside the word): "crashing" and
  "crashed" share "cra", "ras", "ash", and misspellings keep most of their n-grams.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RUN = re.compile(r"[A-Z]+\d*|[^\W\dA-Z_]+\d*|\d+")
_DIGITS = re.compile(r"\d+")
NEGATORS = frozenset(
    {"no", "not", "never", "nothing", "nobody", "none", "neither", "nor", "cannot", "without"}
)
NEGATED = "¬"  # marks a word in a negation's reach: "not disappointed" -> not, ¬disappointed
CHAR_SIZES = (2, 3, 4)
BREAKS = frozenset(".,;:")  # no feature, and no pair across
_SPECIAL = frozenset(("!", "?", "@user", "http"))


@lru_cache(maxsize=100_000)
def feature_word(token: str) -> str | None:
    """What a token is to the detectors (see the module docstring); None for a clause break."""
    if token in BREAKS:
        return None
    if token[0] == "@":
        return "@user"
    if token[0] == NEGATED:
        inner = feature_word(token[1:])
        return None if inner is None else NEGATED + inner
    return _DIGITS.sub("0", token) if any(c.isdigit() for c in token) else token


def split_hashtag(tag: str, known: frozenset[str] = frozenset()) -> list[str]:
    """The words of a hashtag (without its #), lower-cased: see `_split_hashtag`."""
    return list(_split_hashtag(tag, known))


@lru_cache(maxsize=50_000)
def _split_hashtag(tag: str, known: frozenset[str]) -> tuple[str, ...]:
    """The words of a hashtag (without its #), lower-cased.

    Capitals mark word starts (#BuildThatWall). A run of capitals followed by lower case is read
    whole when the lower-case rest is a word of its own ("NOTwelcome" -> not, welcome), else its
    last capital starts the next word ("BBCNews" -> bbc, news). An all-lower-case tag that is no
    word itself is split into known words if it can be ("buildthatwall" -> build, that, wall).
    """
    runs = _RUN.findall(tag)
    found: list[str] = []
    i = 0
    while i < len(runs):
        run = runs[i]
        after = runs[i + 1] if i + 1 < len(runs) else ""
        if run.isupper() and after.islower():
            if len(run) == 1:
                found.append(run + after)
            elif after in known or (run[-1] + after).lower() not in known:
                found += [run, after]
            else:
                found += [run[:-1], run[-1] + after]
            i += 2
            continue
        found.append(run)
        i += 1
    found = [w.lower() for w in found]
    if len(found) == 1 and known and found[0] not in known:
        return tuple(segment(found[0], known) or found)
    return tuple(found)


def segment(run: str, known: frozenset[str]) -> list[str] | None:
    """`run` as the fewest known words (each of 2+ letters, or "a"/"i"), or None if it cannot be."""
    if len(run) > 40:
        return None
    best: list[list[str] | None] = [None] * (len(run) + 1)
    best[0] = []
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            piece = run[start:end]
            if head is None or not (piece in known and (len(piece) > 1 or piece in ("a", "i"))):
                continue
            if best[end] is None or len(head) + 1 < len(best[end]):  # type: ignore[arg-type]
                best[end] = [*head, piece]
    found = best[len(run)]
    return found if found and len(found) > 1 else None


@lru_cache(maxsize=200_000)
def char_grams(word: str) -> tuple[str, ...]:
    """Letter n-grams inside one word, with its edges marked: "ash" -> "<a", "as", ..., "sh>"."""
    if word in _SPECIAL:
        return ()
    if word[0] == NEGATED:
        # A negated word is its word feature alone: its letters would read "not disappointed"
        # as "disappointed".
        return ()
    padded = f"<{word}>"
    return tuple(
        padded[i : i + n] for n in CHAR_SIZES for i in range(len(padded) - n + 1) if padded[i : i + n] != "<>"
    )


def post_features(tokens: list[str]) -> list[str]:
    """Every feature of a post, repeated as often as it occurs: "w:" words, "b:" pairs, "c:" n-grams."""
    read = [feature_word(t) for t in tokens]
    features = ["w:" + w for w in read if w is not None]
    features += ["b:" + a + " " + b for a, b in zip(read, read[1:], strict=False) if a and b]
    for w in read:
        if w is not None:
            features += ["c:" + g for g in char_grams(w)]
    return features
