"""Typo correction against the library's own vocabulary ("pnuemonia", "amoxicilin").

Why: a misspelt topic word is a word the library has never seen, which the abstention rule
rightly reads as "not covered". A clinician typing on a phone at 3 a.m. misspells; the
remedy is to read an unknown word as the library word one edit away, never to guess
further. Built with a deletion index (each word and its one-letter deletions), so a lookup
is a handful of dictionary probes, not a scan of the vocabulary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[a-z]{4,}")
_MIN_LENGTH = 5  # shorter words are too often other real words or shorthand


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SpellingIndex:
    """Library words by frequency, and the one-deletion variants that point to them."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.frequency: Counter[str] = Counter()
        for text in texts:
            self.frequency.update(_WORD.findall(text.lower()))
        self._by_deletion: dict[str, list[str]] = {}
        for word in self.frequency:
            if len(word) >= _MIN_LENGTH - 1:
                for variant in _deletions(word) | {word}:
                    self._by_deletion.setdefault(variant, []).append(word)

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def correct(self, word: str) -> str | None:
        """The most frequent library word within one edit (insertion, deletion,
        substitution or transposition) of an unknown word, or None."""
        word = word.lower()
        if len(word) < _MIN_LENGTH or word in self.frequency or not word.isalpha():
            return None
        candidates: set[str] = set(self._by_deletion.get(word, ()))  # a letter too many
        for variant in _deletions(word):
            candidates.update(self._by_deletion.get(variant, ()))  # missing or changed
        candidates = {c for c in candidates if _one_edit(word, c)}
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda c: self.frequency[c])


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance 1, or one transposition of neighbouring letters."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
