"""Is a typed reflection answer a real answer, or a token typed to get past the form?

An accreditor reads reflections as the record of application to practice, so "asdf",
"n/a" or "ok" must be refused with a message, while terse clinical shorthand ("switched
to doxy 100 bid") must pass. Rules, in order: the answer has enough words; it is not
made of filler tokens; its words are not keyboard runs or one repeated letter.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:[/'.-][^\W_]+)*", re.UNICODE)
# Answers that say nothing about practice, whatever their length.
FILLER = frozenset({
    "a", "an", "the", "ok", "okay", "k", "fine", "good", "great", "yes", "no", "na", "n/a",
    "none", "nil", "nothing", "null", "nope", "yep", "yeah", "idk", "dunno", "test",
    "testing", "asdf", "qwerty", "xxx", "xx", "x", "lol", "hi", "hello", "blah", "etc",
    "same", "whatever", "stuff", "things", "thing", "something", "misc", "n", "y", "-", ".",
    "tbd", "todo", "nm", "nvm", "ty", "thanks",
})
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")


def _keyboard_run(word: str) -> bool:
    """Three or more letters in a row of the keyboard (either direction), e.g. 'sdfg'."""
    if len(word) < 3 or not word.isalpha():
        return False
    return any(word in row or word in row[::-1] for row in _ROWS)


def _mash(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if len(letters) >= 3 and len(set(letters)) == 1:  # "aaaa"
        return True
    return _keyboard_run(word) or (
        len(letters) >= 5 and word.isalpha() and not re.search(r"[aeiouy]", word)
    )


def problem(text: str | None, *, min_words: int) -> str | None:
    """Why ``text`` is not an answer (a short phrase for the message), or None if it is."""
    words = [w.lower() for w in _WORD.findall(text or "")]
    if not words:
        return "is empty"
    meaningful = [w for w in words if w not in FILLER and not _mash(w)]
    if not meaningful:
        return f"{text.strip()!r} is not an answer"
    if len(words) < min_words or len(set(meaningful)) < min(min_words, 2):
        return f"needs at least {min_words} words"
    if len(meaningful) * 2 < len(words):  # mostly filler or keyboard mash
        return f"{text.strip()[:40]!r} does not read as an answer"
    return None
