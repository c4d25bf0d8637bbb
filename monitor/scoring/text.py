"""A post as one stream of tokens, read once: the lexicons match it, the learned detectors weigh it.

Case is folded, curly apostrophes straightened, hashtags split into words (#BoycottIOM3 ->
boycott, iom3), and a letter stretched three or more times ("sooooo") is read as a double
("soo"; the lexicons also try it single). A link becomes the token "http" and an e-mail address
nothing; an @handle stays one token ("@iom3", which no cue matches and the detectors read as
"@user"); "!", "?" and the punctuation that ends a clause (. , ; :) are tokens too, so a phrase
never runs across them and a negation stops at them.

The lowered text keeps the post's length, so a token's span is its place in the post itself
(evidence quotes the post). Spans are worked out only when a cue needs them.
"""

from __future__ import annotations

import re
from itertools import islice

from monitor.scoring.features import NEGATED, NEGATORS, split_hashtag

_STRETCH = re.compile(r"([^\W\d_])\1{2,}")  # letters only: "2000" is not stretched
# Spans the brand-name check must not look inside: links, addresses, handles, hashtags.
_UNSPEAKABLE = re.compile(r"https?://\S+|www\.\S+|(?<![\w.+-])[\w.+-]++@[\w-]+\.[\w.]+|[@#]\w+")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{1,400})[\"”]|(?<!\w)['‘]([^'’\n]{1,400})['’](?!\w)")
CLAUSE_ENDS = frozenset(".,;:!?")


class Tokens:
    """A post's tokens, folded. Spans are worked out only when a cue is found and needs them."""

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
            self._spans = [m.span() for m in _TOKEN.finditer(self._source)]
        return self._spans

    def first_spans(self, count: int) -> list[tuple[int, int]]:
        """The spans of the first `count` tokens (all of them if known already): evidence needs
        only the spans of the words it quotes."""
        if self._spans is not None:
            return self._spans
        return [m.span() for m in islice(_TOKEN.finditer(self._source), count)]

    def __len__(self) -> int:
        return len(self.norms)


# A handle (not inside an address), a word (not part of a handle; "can't" is one), or the
# punctuation that ends a clause. Links and addresses are dealt with before (see `tokenize`).
_TOKEN = re.compile(r"(?<![\w.])@\w+|(?<![@\w])\w+(?:'\w+)*|[!?.,;:]")
_LINK = re.compile(r"https?://\S+|www\.\S+")
# An address is possessive (++) and starts only at a word's start: without that the engine
# retries every suffix of every word that is not an address, which was most of the cost.
_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+\.[\w.]+")
_EMAIL_HINT = re.compile(r"@[\w-]+\.\w")  # starts with a literal: the engine jumps to each "@"
_HASHTAG = re.compile(r"#\w+")
_TRIPLE = re.compile(r"([a-z])\1\1")
NEGATION_REACH = 3  # words after the negator, or fewer when the clause ends first


def _stretched(low: str) -> bool:
    """Any letter three times running? ([a-z] is four times faster here than a Unicode class,
    and stretching for emphasis is an ASCII habit: "sooo", "pleeease".)"""
    return _TRIPLE.search(low) is not None


def _link_token(m: re.Match[str]) -> str:
    return "http" + " " * (len(m.group()) - 4)  # a link is at least 4 long ("www." or "http")


def tokenize(text: str, known: frozenset[str] | None = None) -> Tokens:
    """The tokens of `text`, folded (see the module docstring). `known`: the words a hashtag may
    be split into (the shipped model's, unless given)."""
    low = text.lower().replace("’", "'")
    if len(low) != len(text):  # a few letters lengthen when lowered (İ): keep spans true
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text).replace("’", "'")
    if "://" in low or "www." in low:
        low = _LINK.sub(_link_token, low)
    if "@" in low and _EMAIL_HINT.search(low):
        low = _ADDRESS.sub(lambda m: " " * len(m.group()), low)
    # Any hashtag may hold several words (#NoReply, #buildthatwall): split them on the slow path.
    camel = "#" in text and _HASHTAG.search(text) is not None
    stretched = _stretched(low)
    if not camel and not stretched:
        # The common case, at C speed: one findall, no per-token objects.
        return Tokens(_TOKEN.findall(low), None, None, low)
    matches = list(_TOKEN.finditer(low))
    norms = [m.group() for m in matches]
    spans = [m.span() for m in matches]
    if camel:
        _split_hashtags(text, norms, spans, known)
    alts: list[str | None] | None = None
    if stretched:
        alts = [None] * len(norms)
        for k, word in enumerate(norms):
            if _STRETCH.search(word):
                norms[k], alts[k] = _STRETCH.sub(r"\1\1", word), _STRETCH.sub(r"\1", word)
    return Tokens(norms, alts, spans, low)


def negation_marked(tokens: Tokens) -> list[str]:
    """The tokens with up to three words after a negator ("no", "not", "never", "...n't"), and
    before the clause ends, marked as negated: "no complaints at all" -> no, ¬complaints, ¬at,
    ¬all (Pang et al. 2002's scheme), so the detectors learn "¬disappointed" apart from
    "disappointed". Most posts have no negator and cost one set test."""
    norms = tokens.norms
    if NEGATORS.isdisjoint(norms) and "n't" not in tokens._source:
        return norms
    found: list[str] = []
    reach = 0
    for token in norms:
        if token in CLAUSE_ENDS:
            reach = 0
        elif reach:
            reach -= 1
            if token[0] != "@":
                token = NEGATED + token
        elif token in NEGATORS or token.endswith("n't"):
            reach = NEGATION_REACH
        found.append(token)
    return found


def words(text: str, known: frozenset[str] | None = None) -> list[str]:
    """What the learned detectors read of a post: its tokens, negation marked."""
    return negation_marked(tokenize(text, known))


def _split_hashtags(
    text: str, norms: list[str], spans: list[tuple[int, int]], known: frozenset[str] | None
) -> None:
    """#BoycottIOM3 -> boycott, iom3; #refugeesNOTwelcome -> refugees, not, welcome;
    #buildthatwall -> build, that, wall: in place, each part with its own span."""
    if known is None:
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
