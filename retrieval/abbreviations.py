"""Query expansion with the long forms of clinician shorthand and brand names.

Queries are expanded, never rewritten: the original words stay and the long forms are
appended, so both the encoder and BM25 see the words vetted content is written in. The
vocabulary itself lives in `clinical_terms/` (one owner for every reader).
"""

from __future__ import annotations

import re

from clinical_terms import long_form

_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9./+-]*")


def expand_abbreviations(question: str) -> str:
    """The question followed by the long forms of any shorthand it contains."""
    extra: list[str] = []
    for token in _TOKEN.findall(question):
        found = expansion(token)
        if found and found not in extra:
            extra.append(found)
    return f"{question} ({'; '.join(extra)})" if extra else question


def expansion(token: str) -> str | None:
    """Long form of one shorthand or brand token, or None."""
    found = long_form(token)
    if found is None and token[-1:].isdigit():  # "pod2", "ckd3": shorthand glued to a number
        found = long_form(token.rstrip("0123456789"))
    return found
