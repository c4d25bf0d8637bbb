"""The learned detectors' view of a post: normalised words, word pairs and the letters inside words.

One function, `post_features`, turns a post into the features the shipped model was trained on;
training (monitor/scoring/train.py) and scoring (monitor/scoring/model.py) both call it, so the
two can never disagree about what a feature is.

What is normalised, and why (the detectors are judged on posts from other places and years):
- @handles become "@user" and links "http": who was addressed and which site was linked say
  nothing about tone, and they differ from one data set to the next (TweetEval already anonymises
  handles as @user; the airline set names six airlines).
- Hashtags are split into their words (#BuildThatWall -> build that wall), and so is the
  "#refugeesNOTwelcome" kind, where a capitalised word sits inside.
- Digits become 0 ("3 hours", "45 minutes" read alike), letters stretched three times or more
  become two ("sooooo" -> "soo").
- Up to three words after a negator ("no", "not", "never", "...n't", up to the next
  punctuation) are marked as negated: "no complaints" reads as no, ¬complaints.
- Each word also yields its letter n-grams (2 to 4 letters, inside the word): "crashing" and
  "crashed" share "cra", "ras", "ash", and misspellings keep most of their n-grams.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LINK = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<![\w.])@\w+")
_HASHTAG = re.compile(r"#(\w+)")
# Runs inside a hashtag: capitals, lower-case letters, digits (other letters count as lower case).
_RUN = re.compile(r"[A-Z]+\d*|[^\W\dA-Z_]+\d*|\d+")
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[@\w][\w']*|[!?]")
# Words, ! and ?, and the punctuation that ends a negation's reach (not kept as a token).
_WORD_OR_STOP = re.compile(r"[@\w][\w']*|[!?.,;:]")
NEGATORS = frozenset(
    {"no", "not", "never", "nothing", "nobody", "none", "neither", "nor", "cannot", "without"}
)
_ANY_NEGATOR = re.compile(r"\b(?:" + "|".join(sorted(NEGATORS)) + r")\b|n't")
NEGATED = "¬"  # marks a word in a negation's reach: "not disappointed" -> not, ¬disappointed
NEGATION_REACH = 3  # words after the negator, or fewer when punctuation comes first
CHAR_SIZES = (2, 3, 4)


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


def normalise(text: str, known: frozenset[str] = frozenset()) -> str:
    """The post as the detectors read it: see the module docstring."""
    if "http" in text or "www." in text:
        text = _LINK.sub(" http ", text)
    if "@" in text:
        text = _HANDLE.sub(" @user ", text)
    if "#" in text:
        text = _HASHTAG.sub(lambda m: " " + " ".join(split_hashtag(m.group(1), known)) + " ", text)
    low = text.lower().replace("’", "'").replace("&amp;", "&")
    if _STRETCH.search(low):
        low = _STRETCH.sub(r"\1\1", low)
    return _DIGITS.sub("0", low)


def words(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    """The normalised words (and ! and ?) of a post, in order.

    Up to three words after a negator ("no", "not", "never", "...n't") and before the next
    punctuation are marked as negated ("no complaints at all" -> no, ¬complaints, ¬at, ¬all), so
    the detectors learn "¬disappointed" apart from "disappointed" (Pang et al. 2002's scheme); a
    negated word has no letter n-grams (`char_grams`).
    """
    low = normalise(text, known)
    if _ANY_NEGATOR.search(low) is None:
        return _WORD.findall(low)  # most posts: no negator, one findall at C speed
    found: list[str] = []
    reach = 0
    for token in _WORD_OR_STOP.findall(low):
        if token in ".,;:":
            reach = 0
            continue
        if token in "!?":
            reach = 0
        elif reach:
            reach -= 1
            token = NEGATED + token
        elif token in NEGATORS or token.endswith("n't"):
            reach = NEGATION_REACH
        found.append(token)
    return found


@lru_cache(maxsize=200_000)
def char_grams(word: str) -> tuple[str, ...]:
    """Letter n-grams inside one word, with its edges marked: "ash" -> "<a", "as", ..., "sh>"."""
    if word in ("!", "?", "@user", "http"):
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
    features = ["w:" + t for t in tokens]
    features += ["b:" + a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]
    for t in tokens:
        features += ["c:" + g for g in char_grams(t)]
    return features
