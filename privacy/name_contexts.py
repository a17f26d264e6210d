"""Names found by the place chat and pasted charts give them, not by the words themselves.

Clinicians name people in a handful of structures that hold whatever the name is (a
nickname, a lower-case surname, a word such as "Honey" or "Hale"): an @-mention, a greeting
("Hi Carlo,"), a chat speaker's label ("Julia: is 5 mg too much"), the sender of a pasted
message ("from Uchenna @1815:"), a list of patients ("pts today: Holden, Fisher, Hale"),
a possessive before a result ("hess's Hgb"), the person a drug is given to ("ok to give
Valtrex to kristiansen?"), a chart's "LAST, First", and an initial without its full stop
("S Franklin", "Jen A"), the words of a numbered sign-out row before its age and sex
("2. Mo W 81M").  Each structure is evidence of a person; the words inside must
still read as a name (no clinical, everyday or drug word), so "Hi all," or "pts today:
fever, cough" stay as typed.
"""

from __future__ import annotations

import re

from privacy.hits import SHAPE, STRONG, Hit
from privacy.names import (
    _CUE_WORDS,
    _DATE_WORD_RE,
    _LAB_ALIASES,
    _SCORES,
    _UP,
    _WORD_GIVEN_STOP,
    _WORD_RE,
    CLINICAL_WORDS,
    COMMON,
    ENGLISH,
    EPONYM_NEXT,
    EPONYMS,
    GIVEN,
    NOT_NAME,
    WORD_SURNAMES,
    _is_drug,
    _nameish,
    _next_word,
    _unknown_word,
    is_given,
    is_medical_token,
)

_TOKEN = r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
_CUE_WORD_RE = re.compile(rf"(?:{_CUE_WORDS})['’]?s?|pts?|patients?|name|attn|subject|re|cc")
_TWO = rf"{_TOKEN}(?:\s+{_TOKEN})?"


def _reads_as_name(token: str, *, strong: bool = False) -> bool:
    """A word that can be a name in a structure that expects one.

    Never a word that introduces a person ("attn", "son"), a drug, a clinical or everyday
    word.  Where the structure alone marks a person (``strong``: an @-mention, a list of
    patients, a chart's "LAST, First") any other word may be a name, eponymous surnames
    included ("Turner", "Homan"); elsewhere it must be a given name, a surname that is a
    word ("hale"), or a word no lexicon explains.
    """
    low = token.lower()
    if low in _WORD_GIVEN_STOP or _CUE_WORD_RE.fullmatch(low) or _is_drug(low):
        return False
    if strong:
        return _nameish(token, strong=True) and low not in CLINICAL_WORDS
    if not _nameish(token, strong=False) or is_medical_token(token):
        return False
    return is_given(token, words_too=True) or low in WORD_SURNAMES or _unknown_word(token)


def _run_hit(text: str, m: re.Match[str], *, strong: bool = False) -> Hit | None:
    """The match's ``v`` as a name when every word in it reads as one and no eponym word
    ("sign", "score") follows."""
    group, score = "v", STRONG if strong else SHAPE
    words = list(_WORD_RE.finditer(m.group(group)))
    if not words or not all(_reads_as_name(w.group(), strong=strong) for w in words):
        return None
    if _next_word(text, m.end(group)) in EPONYM_NEXT:
        return None  # "re Wells score", "Hi Murphy sign" are findings
    return Hit("NAME", m.start(group), m.end(group), score)


# "@Honey can you check": a handle, not a clock time ("@0400").
_MENTION_RE = re.compile(rf"(?<![\w@])@(?P<v>{_TOKEN})")
# "Hi Carlo,", "thanks Mo!", "dear jess,": a greeting's addressee before a comma or "!".
_GREETING_RE = re.compile(
    rf"\b(?=(?i:hi|hello|hey|dear|thanks|thank\s+you|thx|ty)\s+(?P<v>{_TWO})\s*[,!])"
)
# "Julia: is 5 mg too much", "q: cherry: ...": a chat speaker's label opening a segment.
_SPEAKER_RE = re.compile(
    rf"(?:^|(?<=[|;/\n])|(?<=[-–—?!.:;|/]\s)|(?<=\bhey\s))\s*(?P<v>{_TOKEN}):\s+(?=[^\W\d_])"
)
# "can u ask billy if ...", "tell Mo to ...": the person asked or told.
_ASKEE_RE = re.compile(
    rf"\b(?i:ask|asked|tell|told|remind|page|paged|text|texted)\s+(?P<v>{_TWO})\s+"
    r"(?i:if|whether|to|about|re)\b"
)
# "ask billy if clausen got spironolactone": whoever the question asks about got or had it.
_ASKED_ABOUT_RE = re.compile(
    rf"\b(?i:ask|asked|check|see)\s+(?:{_TWO}\s+)?(?i:if|whether)\s+(?P<v>{_TOKEN})\s+"
    r"(?i:got|had|received|took|was\s+given)\b"
)
# "from Uchenna @1815:", "from John 1150:": a pasted message's sender and time.
_SENDER_RE = re.compile(
    rf"\b(?i:from)\s+(?P<v>{_TWO})\s+@?\d{{1,2}}(?::?\d{{2}})?\s*(?i:h|am|pm)?\s*:"
)
# "pts today: Holden, Fisher, Hale - all on ...": the names on a list of patients.
_LIST_CUE_RE = re.compile(r"\b(?i:pts|patients|census|my\s+list|sign-?out)\b[^:\n|]{0,15}:\s*")
_LIST_ITEM_RE = re.compile(rf"(?P<v>{_TWO})(?P<sep>\s*,\s*|\s*;\s*|\s+(?:and|&)\s+)?")
# "ok to give Valtrex to kristiansen?": the person a drug is given to, ending the question.
# One character of a clause: a decimal point ("TSH 7.87") does not end it.
_CLAUSE = r"(?:[^.?!;\n]|\.(?=\d))"
# "check K=5.9 on Austin": the person a result belongs to, ending the segment.
_RECIPIENT_RE = re.compile(
    rf"\b(?:(?i:give|giving|start|restart|resume|prescribe|order)\b{_CLAUSE}{{1,40}}?"
    rf"\b(?i:to|for)|(?i:check|recheck|repeat|draw)\b{_CLAUSE}{{1,30}}?\b(?i:on))"
    rf"\s+(?P<v>{_TWO})(?=\s*(?:\?|$|[,;]|\s-\s))"
)
# "2. Mo W 81M - ...", "| dusty miller | 57m |": the words of a numbered or ruled sign-out
# row before its age and sex are the patient's name, whatever the words are.
_ROW_NAME_RE = re.compile(
    rf"(?:(?<![\w.])\d{{1,2}}[.)]|\|)\s+(?P<v>{_TOKEN}(?:,?\s+{_TOKEN}){{0,3}})\s*[,|]?\s*"
    r"\d{1,3}\s*(?:y/o|yo|yrs?|y)?\s*/?\s*[mfMF]\b"
)
# "hess's Hgb", "davidson's lactate": a possessive before a result, in any case.
_POSSESSIVE_RE = re.compile(
    rf"(?:^|[-–—|;:,(]\s*|\s-\s)(?P<v>{_TOKEN})['’]s\s+(?P<next>[^\W\d_][\w+-]*)"
)
_RESULT_WORDS = _LAB_ALIASES | frozenset(
    "labs lab results result echo mri ct cxr xray x-ray ekg ecg chart meds bp hr a1c inr"
    " potassium sodium creatinine cr hgb hb wbc plt trop troponin lactate bili alt ast bun"
    " glucose ph hco3 lipase ferritin tsh bnp ck crp procal esr ldl egfr crcl mg phos".split()
)
# "HOMAN, Bertie", "O'JAUNZEMS, Sandy": a chart's surname in capitals, then the given name.
_CAPS_LAST_FIRST_RE = re.compile(
    rf"(?<![\w.'’-])(?P<last>[{_UP}][{_UP}'’]{{2,}}(?:-[{_UP}]{{2,}})*),\s?"
    rf"(?P<first>[{_UP}][^\W\d_A-Z]+(?:-[{_UP}][^\W\d_A-Z]+)?)(?![\w'’-])"
)
# "S Franklin", "C Dunlap-Riddle": a capital initial without its full stop, then a surname.
_BARE_INITIAL_RE = re.compile(
    rf"(?<![\w.'’/-])(?P<v>(?P<i>[B-HJ-Z])\s(?P<last>[{_UP}][^\W\d_A-Z]+(?:[-'’][{_UP}]?[^\W\d_A-Z]+)*))"
    rf"(?![\w'’-]|\.\w)"
)
# "Jen A,", "leona b |": a given name and the initial of the surname, ending a segment.
_TRAILING_INITIAL_RE = re.compile(
    rf"(?<![\w.'’-])(?P<v>(?P<first>{_TOKEN})\s(?P<i>[^\W\d_]))"
    r"(?=\s*(?:[,;|)(]|\s-\s|$|\s+w/|\s+(?i:wants|says|is|was|has|had)\b"
    # an age and sex may follow ("Mo W 81M"), a lab value may not ("Jones K 6.8")
    r"|\s+\d{1,3}\s*(?:y/o|yo|yrs?|y)?\s*/?\s*[mfMF]\b))"
)


def _list_names(text: str) -> list[Hit]:
    hits = []
    for cue in _LIST_CUE_RE.finditer(text):
        pos = cue.end()
        while m := _LIST_ITEM_RE.match(text, pos):
            hit = _run_hit(text, m, strong=True)
            if hit is None:
                break
            hits.append(hit)
            if not m.group("sep"):
                break
            pos = m.end()
    return hits


def _possessives(text: str) -> list[Hit]:
    hits = []
    for m in _POSSESSIVE_RE.finditer(text):
        word, nxt = m.group("v"), m.group("next").lower()
        if nxt not in _RESULT_WORDS or word.lower() in EPONYMS or word.lower() in _SCORES:
            continue  # "bell's palsy", "Wells' criteria"
        if _reads_as_name(word) and word.lower() not in COMMON | NOT_NAME:
            hits.append(Hit("NAME", m.start("v"), m.end("v"), SHAPE))
    return hits


def _caps_last_first(text: str) -> list[Hit]:
    hits = []
    for m in _CAPS_LAST_FIRST_RE.finditer(text):
        last, first = m.group("last"), m.group("first")
        low = last.lower()
        if low in NOT_NAME - COMMON or _is_drug(low) or low in _SCORES or low in EPONYM_NEXT:
            continue
        if not re.search(r"[AEIOUYÀ-Ý]", last) or not _nameish(first, strong=True):
            continue  # "CXR, Lasix": an abbreviation and a drug
        if first.lower() in CLINICAL_WORDS or _next_word(text, m.end()) in EPONYM_NEXT:
            continue
        hits.append(Hit("NAME", m.start(), m.end(), STRONG))
    return hits


def _bare_initials(text: str) -> list[Hit]:
    hits = []
    for m in _BARE_INITIAL_RE.finditer(text):
        last = m.group("last")
        low = re.sub(r"['’]s$", "", last.lower())
        if _is_drug(low) or is_medical_token(last) or low in CLINICAL_WORDS:
            continue
        if low in ENGLISH and low not in WORD_SURNAMES and low not in GIVEN:
            continue  # "B Symptoms", "G Tube", "X Ray"
        if not _nameish(last, strong=False) or _next_word(text, m.end("v")) in EPONYM_NEXT:
            continue  # "T Score", "H Pylori"
        hits.append(Hit("NAME", m.start("v"), m.end("v"), SHAPE))
    for m in _TRAILING_INITIAL_RE.finditer(text):
        first, initial = m.group("first"), m.group("i")
        if first[:1].isupper() != initial.isupper() and not first.islower():
            continue
        if first.lower() in _WORD_GIVEN_STOP or not is_given(first, words_too=first[0].isupper()):
            continue  # "vitamin D,", "Hep B", "Plan B", "May A"
        hits.append(Hit("NAME", m.start("v"), m.end("v"), SHAPE))
    return hits


def context_names(text: str) -> list[Hit]:
    """Names that the structure around them vouches for (see the module docstring)."""
    hits: list[Hit] = []
    for rx, strong in ((_MENTION_RE, True), (_GREETING_RE, False), (_SENDER_RE, False),
                       (_ASKEE_RE, False), (_ASKED_ABOUT_RE, True), (_ROW_NAME_RE, True)):
        for m in rx.finditer(text):
            hit = _run_hit(text, m, strong=strong)
            if hit:
                hits.append(hit)
    for m in _RECIPIENT_RE.finditer(text):
        # A capital in mid-sentence marks the word as a name ("check K on Hardy"); in lower
        # case it must read as one ("on arrival", "to dialysis" stay).
        capital = m.group("v")[:1].isupper() and not _DATE_WORD_RE.fullmatch(m.group("v").lower())
        hit = _run_hit(text, m, strong=capital)
        if hit:
            hits.append(hit)
    for m in _SPEAKER_RE.finditer(text):  # a label is a name only when it is a known one
        word = m.group("v")
        if _reads_as_name(word) and (is_given(word, words_too=True) or word.lower() in
                                     WORD_SURNAMES):
            hits.append(Hit("NAME", m.start("v"), m.end("v"), SHAPE))
    hits += _list_names(text) + _possessives(text) + _caps_last_first(text)
    return hits + _bare_initials(text)
