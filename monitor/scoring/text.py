"""Turning a post into words the lexicons can match, with positions for evidence when needed.

Case is folded, curly apostrophes straightened, hashtags split into words (#BoycottIOM3 ->
boycott, iom3), and a letter stretched three or more times ("sooooo") is tried both as a double
and as a single letter. @handles, URLs and e-mail addresses are never matched as words.
"""

from __future__ import annotations

import re

from monitor.scoring.features import split_hashtag

_STRETCH = re.compile(r"([^\W\d_])\1{2,}")  # letters only: "2000" is not stretched
# Spans the brand-name check must not look inside: links, addresses, handles, hashtags.
_UNSPEAKABLE = re.compile(r"https?://\S+|www\.\S+|(?<![\w.+-])[\w.+-]++@[\w-]+\.[\w.]+|[@#]\w+")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{1,400})[\"”]|(?<!\w)['‘]([^'’\n]{1,400})['’](?!\w)")


class Tokens:
    """A post's words, folded. Spans are worked out only when a cue is found and needs them."""

    __slots__ = ("_source", "_spans", "alts", "norms")

    def __init__(
        self,
        norms: list[str],
        alts: list[str | None] | None,
        spans: list[tuple[int, int]] | None,
        source: str = "",
    ) -> None:
        self.norms, self.alts, self._spans, self._source = norms, alts, spans, source

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self._source)]
        return self._spans

    def __len__(self) -> int:
        return len(self.norms)


# A word not part of an @handle (a #hashtag's word counts); links and addresses are blanked first.
_WORD = re.compile(r"(?<![@\w])\w+(?:'\w+)*")
# The address alternative is possessive (++) and starts only at a word's start: without that the
# engine retries every suffix of every word that is not an address, which was most of the cost.
_LINK = re.compile(r"https?://\S+|www\.\S+|(?<![\w.+-])[\w.+-]++@[\w-]+\.[\w.]+")


_EMAIL_HINT = re.compile(r"@[\w-]+\.\w")  # starts with a literal: the engine jumps to each "@"
_HASHTAG = re.compile(r"#\w+")
_TRIPLE = re.compile(r"([a-z])\1\1")


def _stretched(low: str) -> bool:
    """Any letter three times running? ([a-z] is four times faster here than a Unicode class,
    and stretching for emphasis is an ASCII habit: "sooo", "pleeease".)"""
    return _TRIPLE.search(low) is not None


def normalise(word: str) -> str:
    return word.lower().replace("’", "'")


def tokenize(text: str) -> Tokens:
    """The words of `text`, folded; links, addresses and @handles are left out."""
    low = text.lower().replace("’", "'")
    if len(low) != len(text):  # a few letters lengthen when lowered (İ): keep spans true
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text).replace("’", "'")
    if "://" in low or "www." in low or ("@" in low and _EMAIL_HINT.search(low)):
        low = _LINK.sub(lambda m: " " * len(m.group()), low)
    # Any hashtag may hold several words (#NoReply, #buildthatwall): split them on the slow path.
    camel = "#" in text and _HASHTAG.search(text) is not None
    stretched = _stretched(low)
    if not camel and not stretched:
        # The common case, at C speed: one findall, no per-word objects.
        return Tokens(_WORD.findall(low), None, None, low)
    matches = list(_WORD.finditer(low))
    norms = [m.group() for m in matches]
    spans = [m.span() for m in matches]
    if camel:
        _split_hashtags(text, norms, spans)
    alts: list[str | None] | None = None
    if stretched:
        alts = [None] * len(norms)
        for k, word in enumerate(norms):
            if _STRETCH.search(word):
                norms[k], alts[k] = _STRETCH.sub(r"\1\1", word), _STRETCH.sub(r"\1", word)
    return Tokens(norms, alts, spans)


def _split_hashtags(text: str, norms: list[str], spans: list[tuple[int, int]]) -> None:
    """#BoycottIOM3 -> boycott, iom3; #refugeesNOTwelcome -> refugees, not, welcome;
    #buildthatwall -> build, that, wall: in place, each part with its own span."""
    from monitor.scoring.model import shipped  # the known words come with the model

    known = shipped().known
    starts = {start: k for k, (start, _) in enumerate(spans)}
    for tag in reversed(list(_HASHTAG.finditer(text))):
        k = starts.get(tag.start() + 1)
        if k is None:
            continue
        parts = split_hashtag(tag.group()[1:], known)
        if len(parts) < 2:
            continue
        low, at, part_spans = text.lower(), tag.start() + 1, []
        for part in parts:
            found = low.find(part, at, tag.end())
            if found < 0:
                break
            part_spans.append((found, found + len(part)))
            at = found + len(part)
        else:
            norms[k : k + 1] = parts
            spans[k : k + 1] = part_spans


def term_tokens(term: str) -> tuple[str, ...]:
    """How a lexicon term is matched: the same tokenizer, so "can't log in" is 3 tokens."""
    return tuple(tokenize(term).norms)


def mask_unspeakable(text: str) -> str:
    """The text with links, addresses, @handles and #hashtags blanked (same length)."""
    return _UNSPEAKABLE.sub(lambda m: " " * len(m.group()), text)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    return (
        [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        if ('"' in text or "“" in text or "'" in text or "‘" in text)
        else []
    )
