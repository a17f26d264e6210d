"""Small text helpers shared by chunking, lexical search, abstention and the composer.

Kept dependency-free and deterministic so that ingest, search and evals agree on what a
"sentence" and a "term" are.
"""

from __future__ import annotations

import re

CITATION_MARK = re.compile(r"\s*\[(\d+(?:\s*[,-]\s*\d+)*)\]")
_ABBREVIATIONS = (
    "e.g.", "i.e.", "vs.", "etc.", "dr.", "mr.", "mrs.", "ms.", "no.", "approx.", "fig.",
    "st.", "u.s.", "min.", "max.", "incl.", "al.", "wk.", "yr.", "mo.",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:[.\-/][a-z0-9]+)*")
NUMBER = re.compile(r"(?<![A-Za-z])\d+(?:[.,]\d+)*(?:\s?%)?")

# Function words and question scaffolding: they carry no topic, so they neither count as
# evidence of coverage nor drive lexical matches.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours also may might must shall use used using
    whats tell know known give given get need needs best good patient patients pt pts
    please thanks question questions q""".split()
)
# Generic clinical words: present in most passages, so they say little about coverage.
GENERIC_TERMS = frozenset(
    """treatment treatments treat treated therapy therapies management manage managing
    diagnosis diagnose diagnosed symptoms symptom signs sign cause causes caused causing
    risk risks disease diseases disorder disorders condition conditions syndrome people
    information info many often first line first-line dose doses dosing drug drugs
    medication medications adult adults test tests testing people person type types
    affected affect affects how much long recommended recommendation recommendations
    prevent prevention prevented inherited inheritance genetic changes change outlook
    research studies study clinical trials frequency common rare care doctor doctors
    option options approach when which should""".split()
)


def strip_citation_marks(text: str) -> str:
    """Remove inline `[1]`-style source markers, which are for readers, not for matching."""
    return CITATION_MARK.sub("", text)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking on abbreviations or decimals."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    parts = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for part in parts:
        if sentences and sentences[-1].lower().endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return [s.strip() for s in sentences if s.strip()]


def words(text: str) -> list[str]:
    """Lower-cased word tokens; `cha2ds2-vasc` yields the whole form and its parts."""
    tokens: list[str] = []
    for token in _WORD.findall(text.lower()):
        tokens.append(token)
        if "-" in token or "/" in token:
            tokens.extend(part for part in re.split(r"[-/]", token) if part)
    return tokens


def content_terms(text: str) -> list[str]:
    """Topic-bearing terms of a question: words minus stopwords and generic clinical words."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word in STOPWORDS or word in GENERIC_TERMS or len(word) < 2:
            continue
        seen.setdefault(word, None)
    return list(seen)


def stem(word: str) -> str:
    """A light suffix stripper so `fractures` meets `fracture` and `dosing` meets `dose`."""
    for suffix in ("ational", "ations", "ation", "ities", "ness", "ments", "ment", "ings",
                   "ing", "ies", "ied", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
