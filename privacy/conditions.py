"""Title Case condition names are not people: "Deep Vein Thrombosis", "Klippel Feil Syndrome".

Consumer questions and pasted headings capitalise every word of a condition, so the name
rules (two capitalised words after "for"/"about", spaCy's PERSON) see a person in "What are
the treatments for Deep Vein Thrombosis?".  A person's name is made of name words; a
condition's run of capitalised words holds a word of medicine ("Thrombosis", "Myeloid",
"Ductus"), ends on an ordinary head noun ("Cysts", "Drugs", "Vision"), or is followed by
a word that makes it an eponym ("Meesmann corneal dystrophy", "Freeman Sheldon syndrome").
A known given name anywhere in the run vetoes all of this ("Maria Gonzalez Hypokalemia" is
a patient and a finding), and a title or relation cue ("Mrs", "daughter") is never
second-guessed (the caller only asks about weaker readings).
"""

from __future__ import annotations

import re

from privacy.names import (
    _MEDICAL_SUFFIX,
    CLINICAL_WORDS,
    DISEASE_WORDS,
    ENGLISH,
    EPONYM_NEXT,
    GIVEN_ANY,
    WORD_SURNAMES,
    _fold,
    is_given,
)

_TITLE_TOKEN = r"[^\W\d_a-z][^\W\d_]+(?:['’-][^\W\d_]+)*"
# How far back the left-context patterns read: a few words, never the whole text (a search
# from the start retries at every position, quadratic in a pasted note's length).
_REACH = 160
_LEFT_RE = re.compile(rf"(?:{_TITLE_TOKEN}[ ])+$")
_RIGHT_RE = re.compile(rf"(?:[ ]{_TITLE_TOKEN})+")
_LOWER_RE = re.compile(r"[ ]([a-z][a-z'-]+)")
_TOPIC_RE = re.compile(
    # Nouns a question about a condition turns on; not "prognosis for", "information about"
    # or "bleeding risk for", which clinicians also write before a patient's name.
    r"\b(?i:treatments|symptoms|causes|at\s+risk|research|inherited|diagnose|prevent"
    r"|genetic\s+changes)\b[^.?!;:]{0,40}?\b(?:for|of|about|to)\s+$"
)
_QUESTION_END_RE = re.compile(r"\s*(?:\?|$|\()")
# Heads that make the words before them an eponymous condition even when those words are
# given names ("Freeman Sheldon syndrome", "Mac Dermot Winter syndrome").
_CONDITION_HEADS = frozenset(
    "syndrome syndromes disease diseases disorder dystrophy palsy anomaly sign phenomenon".split()
)
# Lower-case adjectives between an eponym and its head: "Meesmann corneal dystrophy".
_ADJECTIVE_RE = re.compile(r"[a-z]{3,}(?:al|ic|ar|ous|ive|oid|ary)")


def _low(token: str) -> str:
    return _fold(re.sub(r"['’]s$", "", token.lower()))


def _title_case(token: str) -> bool:
    return token[0].isupper() and not (len(token) > 1 and token.isupper())


def _medical(low: str) -> bool:
    """A word of medicine that is no name word ("thrombosis", "ductus", "myeloid")."""
    if low in GIVEN_ANY or low in WORD_SURNAMES:
        return False
    return bool(
        low in DISEASE_WORDS
        or low in EPONYM_NEXT
        or (low in CLINICAL_WORDS and low not in ENGLISH)
        or _MEDICAL_SUFFIX.search(low)
    )


def _head_noun(low: str) -> bool:
    """An ordinary or clinical word that is no surname: "cysts", "drugs", "vision"."""
    return (low in ENGLISH or low in CLINICAL_WORDS) and not (
        low in WORD_SURNAMES or low in GIVEN_ANY
    )


def _eponym_after(text: str, end: int, heads: frozenset[str] | None = None) -> bool:
    """A condition word after the run, past up to two clinical adjectives ("corneal")."""
    pos = end
    for _ in range(3):
        m = _LOWER_RE.match(text, pos)
        if not m:
            return False
        low = m.group(1)
        if low in (heads or EPONYM_NEXT | DISEASE_WORDS):
            return True
        if not (
            low in CLINICAL_WORDS or _MEDICAL_SUFFIX.search(low) or _ADJECTIVE_RE.fullmatch(low)
        ):
            return False
        pos = m.end()
    return False


def names_a_condition(text: str, start: int, end: int) -> bool:
    """Is the Title Case name candidate ``text[start:end]`` part of a condition's name?"""
    words = text[start:end].split()
    if not words or not all(_title_case(w) for w in words):
        return False
    left = _LEFT_RE.search(text, max(0, start - _REACH), start)
    right = _RIGHT_RE.match(text, end)
    run_start = left.start() if left else start
    run_end = right.end() if right else end
    tokens = [t for t in re.split(r"[ ]", text[run_start:run_end]) if t]
    if re.search(r"(?<!\w)[^\W\d_]\.", text[start:end]):
        return False  # an initial ("M. Rout") marks a person
    if any(is_given(t) for t in tokens):  # a given name marks a person, unless an eponym
        return _eponym_after(text, run_end, _CONDITION_HEADS)  # "Freeman Sheldon syndrome"
    lows = [_low(t) for t in tokens]
    topic_before = _TOPIC_RE.search(text, max(0, run_start - _REACH), run_start)
    if topic_before and _QUESTION_END_RE.match(text, run_end):
        return True  # "what research is being done for Spina Bifida ?": the topic asked about
    return (
        any(_medical(part) for low in lows for part in low.replace("’", "'").split("-"))
        or _head_noun(lows[-1].split("-")[-1])
        or _eponym_after(text, run_end)
    )
