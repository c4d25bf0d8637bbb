"""Turning a post into tokens the lexicons can match: one pass, positions kept for evidence.

Case is folded, curly apostrophes straightened, hashtags split into words (#BoycottIOM3 ->
boycott, iom3), and a letter stretched three or more times ("sooooo") is tried both as a double
and as a single letter. @handles, URLs and e-mail addresses are never matched as words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_TOKEN = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|[#@]?\w+(?:['’]\w+)*")
_HASHTAG_PART = re.compile(r"[A-Z]+\d*(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")
_STRETCH = re.compile(r"(\w)\1{2,}")
# Spans the brand-name check must not look inside: links, addresses, handles, hashtags.
_UNSPEAKABLE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|[@#]\w+")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{1,400})[\"”]|(?<!\w)['‘]([^'’\n]{1,400})['’](?!\w)")


class Token(NamedTuple):
    norm: str
    start: int
    end: int
    alt: str | None = None  # the single-letter form of a stretched word


def normalise(word: str) -> str:
    return word.lower().replace("’", "'")


def tokenize(text: str) -> list[Token]:
    """Word tokens with their character spans; links, addresses and @handles are left out."""
    low = text.lower().replace("’", "'")
    if len(low) != len(text):  # a few letters lengthen when lowered (İ): keep spans true
        return [Token(normalise(t.norm), t.start, t.end, t.alt) for t in _tokenize_cased(text)]
    return _tokenize(text, low)


def _tokenize_cased(text: str) -> list[Token]:
    return _tokenize(text, text.replace("’", "'"))


def _tokenize(text: str, low: str) -> list[Token]:
    stretched = _STRETCH.search(low) is not None
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN.finditer(low):
        raw = match.group()
        first = raw[0]
        if first == "#":
            base = match.start() + 1
            for part in _HASHTAG_PART.finditer(text, base, match.end()):
                append(_token(part.group().lower(), part.start(), part.end(), stretched))
            continue
        if first == "@" or "/" in raw or "@" in raw or raw.startswith("www."):
            continue
        if stretched:
            append(_token(raw, match.start(), match.end(), True))
        else:
            append(Token(raw, match.start(), match.end()))
    return tokens


def _token(norm: str, start: int, end: int, stretched: bool) -> Token:
    if stretched and _STRETCH.search(norm):
        return Token(_STRETCH.sub(r"\1\1", norm), start, end, _STRETCH.sub(r"\1", norm))
    return Token(norm, start, end)


def term_tokens(term: str) -> tuple[str, ...]:
    """How a lexicon term is matched: the same tokenizer, so "can't log in" is 3 tokens."""
    return tuple(t.norm for t in tokenize(term))


def mask_unspeakable(text: str) -> str:
    """The text with links, addresses, @handles and #hashtags blanked (same length)."""
    return _UNSPEAKABLE.sub(lambda m: " " * len(m.group()), text)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    return (
        [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        if ('"' in text or "“" in text or "'" in text or "‘" in text)
        else []
    )
