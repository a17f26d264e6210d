"""Home towns named after "in" or "from": "her PCP is Dr. Vik in Shawnfort", "transfer from
Clarkland", "born in Humppila".

A town's name is usually a word no lexicon explains (``names._unknown_word``), optionally
after a compass or water word ("Lake Uche", "port louis", "South Michaelborough"; after
one, a given name too: "East Steven"), and the phrase ends its segment.  Ordinary,
clinical and drug words ("in vivo", "from baseline", "in Tdap") and known places that
identify no one (states, countries) are left alone.
"""

from __future__ import annotations

import re

from privacy.hits import SHAPE, Hit
from privacy.names import _SEGMENT_END, _unknown_word, is_given

_PLACE_HEAD = r"(?:(?i:lake|port|north|south|east|west|new|san|santa|st\.?|mount|fort)\s+)?"
_TOKEN = r"[^\W\d_][^\W\d_'’-]*"
IN_PLACE_RE = re.compile(
    rf"\b(?i:in|from)\s+(?P<v>{_PLACE_HEAD}(?P<w>{_TOKEN}(?:[\s-]{_TOKEN}){{0,2}}?))"
)


def places(text: str) -> list[Hit]:
    """A place after "in"/"from" that ends its segment and is made of unknown words."""
    hits = []
    for m in IN_PLACE_RE.finditer(text):
        if not _SEGMENT_END.match(text, m.end("v")):
            continue
        words = re.split(r"[\s-]+", m.group("w"))
        headed = m.group("w") != m.group("v")  # "South Matthew", "Lake Jason", "port andrew"
        named_after_head = headed and len(words) == 1 and (
            _unknown_word(words[0]) or is_given(words[0]))
        if named_after_head or all(_unknown_word(w) and not is_given(w) for w in words):
            hits.append(Hit("ADDRESS", m.start("v"), m.end("v"), SHAPE))
    return hits
