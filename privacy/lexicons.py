"""Word lists the scrubber consults, read from ``privacy/lexicons/*.txt``.

The lists are data, not code: a site reviewing what counts as an eponym or a brand name
edits a text file (one entry a line, ``#`` starts a comment) rather than a regex module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).with_name("lexicons")


def _lines(name: str) -> list[str]:
    path = LEXICON_DIR / f"{name}.txt"
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


@cache
def words(name: str) -> frozenset[str]:
    """The lower-cased entries of ``lexicons/<name>.txt`` (one or more a line)."""
    return frozenset(word.lower() for line in _lines(name) for word in line.split())


@cache
def pairs(name: str) -> dict[str, str]:
    """Tab-separated ``key<TAB>value`` lines of ``lexicons/<name>.txt`` as a dict."""
    return dict(line.split("\t", 1) for line in _lines(name))
