"""Finding phrases in what a person said: pure text matching shared by the distress
matcher and the answer matcher, so both hear speech the same way.

A phrase is matched word by word on whole words; a word written with a trailing `*`
matches any word it begins (Polish inflects: `upadł*` is upadłem, upadłam, upadła)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

Span = tuple[int, int]  # [start, end) in words
PUNCTUATION = frozenset(",.;:!?")
BREAK = "|"  # where speech had a comma or a full stop: a negation does not reach past it

# Words that turn what follows into its opposite ("not fine", "nie jest dobrze").
NEGATORS = frozenset({"not", "no", "never", "nothing", "nor", "cannot", "nie", "nigdy", "ani"})
NEGATION_REACH = 3  # a negator counts for this many words after it


def words(text: str) -> tuple[str, ...]:
    """Lower-cased words, with BREAK where the recogniser put a comma or a stop;
    typographic apostrophes read as plain ones (U+2019 in "can't")."""
    found = re.findall(r"[\w']+|[,.;:!?]", text.replace("\u2019", "'").casefold())
    return tuple(BREAK if part in PUNCTUATION else part for part in found)


def said_nothing(heard: tuple[str, ...]) -> bool:
    return all(word == BREAK for word in heard)


def _matches(word: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


def find(heard: tuple[str, ...], phrase: str) -> Iterator[Span]:
    """Every place `phrase` occurs in `heard`, as word spans."""
    pattern = re.findall(r"[\w']+\*?", phrase.replace("\u2019", "'").casefold())
    size = len(pattern)
    if size == 0:
        return
    for start in range(len(heard) - size + 1):
        if all(_matches(heard[start + n], pattern[n]) for n in range(size)):
            yield start, start + size


def first(heard: tuple[str, ...], phrases: Iterable[str]) -> str | None:
    """The first of `phrases` heard anywhere, or None."""
    return next((phrase for phrase in phrases if next(find(heard, phrase), None)), None)


def is_negator(word: str) -> bool:
    return word in NEGATORS or word.endswith("n't")


def negated(heard: tuple[str, ...], span: Span, reach: int = NEGATION_REACH) -> bool:
    """Whether a negator stands in the `reach` words before `span`, within its clause (a
    negator inside the span is part of the phrase: "not fine" is a phrase, not a negated
    "fine")."""
    before = heard[max(0, span[0] - reach) : span[0]]
    if BREAK in before:
        before = before[len(before) - before[::-1].index(BREAK) :]
    return any(is_negator(word) for word in before)
