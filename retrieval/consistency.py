"""Cross-card consistency: statements in different cards that disagree about one thing.

Each card is checked against its source on its own, so nothing notices when two cards copy
different numbers for the same fact (a 10-year tetanus interval in one card, 5 years in
another). This module pairs sentences from different cards that talk about the same entity
(a drug or a rare clinical term both cards use) and state the same kind of quantity, or a
polarity, and asks the grounding verifier whether one contradicts the other.

False positives are kept low by principle, not by a list of exceptions:

- a pair must share an entity *and* most of its words (the verifier only calls a
  contradiction when the two statements fill the same slot);
- a statement contradicts a card only if nothing else in that card supports it: the
  statement is checked again against every candidate sentence of the other card, so a card
  that also states the number elsewhere (e.g. "10 years for clean wounds, 5 for others")
  is not said to disagree;
- a pair the authors know about is acknowledged in front matter
  (`acknowledged_differences: [{card, reason}]`, either card may carry it).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from retrieval import verifier_rules as rules
from retrieval.cards import CardFrontMatter, find_cards, parse_card
from retrieval.errors import ContentError
from retrieval.text import split_sentences, strip_citation_marks

# A term used by more cards than this share of the library is a topic word ("dose",
# "adult", "week"), not an entity two statements must both be about.
ENTITY_MAX_SHARE = 0.06
# IDF-weighted share of words a pair must have in common: below it the two sentences
# describe different situations (a 10-year booster for clean wounds vs 5 years for dirty
# ones), and the verifier would only compare numbers by chance. Weighting by rarity keeps
# boilerplate ("recommends", "grade B", "pregnant persons") from making a pair look alike.
PAIR_MIN_SIMILARITY = 0.45
# Negation scope differs between paraphrases far more than numbers do ("rather than X"
# against "X is not used"), so a polarity conflict needs near-paraphrases.
POLARITY_MIN_SIMILARITY = 0.75
# One fact stated two ways differs in one figure (or a dose and its cap together); a pair
# that differs in more is two rows of a table ("INR 2-4: 25 units/kg, max 2500 units" vs
# "INR 4-6: 35 units/kg, max 3500 units"), i.e. two situations.
MAX_CONFLICTS = 2
POLARITY = "polarity"
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_HEADING = re.compile(r"^#{1,6}\s")


@dataclass(frozen=True)
class Statement:
    """One sentence of a card with what the pairing needs to know about it."""

    card_id: str
    text: str
    terms: frozenset[str]
    entities: frozenset[str]  # "drug:<generic>" and library-rare terms
    kinds: frozenset[str]  # canonical units of its quantities, plus "polarity" if negated
    about: frozenset[str]  # the rare words of its card's title: what the card is about
    specific: frozenset[str] = frozenset()  # words few cards use (or only its own)

    @property
    def drugs(self) -> frozenset[str]:
        return frozenset(e for e in self.entities if e.startswith("drug:"))


@dataclass(frozen=True)
class Finding:
    """Two statements from two cards that the verifier found contradictory."""

    card_a: str
    card_b: str
    sentence_a: str
    sentence_b: str
    reason: str
    acknowledged: str | None = None  # the reason given in front matter, if any

    def __str__(self) -> str:
        return f'{self.card_a} <-> {self.card_b}: "{self.sentence_a}" vs "{self.sentence_b}": ' \
            f"{self.reason}"


@dataclass
class ConsistencyReport:
    """Findings (open and acknowledged) and problems with the acknowledgements themselves."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cards: int = 0
    statements: int = 0
    checks: int = 0  # verifier calls made

    @property
    def open(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged is None]

    @property
    def acknowledged(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged is not None]

    @property
    def ok(self) -> bool:
        return not self.open and not self.problems


def card_sentences(body: str) -> list[str]:
    """Sentences of a card body: bullets and paragraphs split into sentences, markers gone.

    Headings are dropped; a bullet's indented continuation lines belong to the bullet.
    """
    units: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            units.extend(split_sentences(" ".join(paragraph)))
            paragraph.clear()

    for line in body.splitlines():
        if _HEADING.match(line) or not line.strip():
            flush()
        elif _BULLET.match(line):
            flush()
            paragraph.append(_BULLET.sub("", line).strip())
        else:
            paragraph.append(line.strip())
    flush()
    out = []
    for unit in units:
        text = " ".join(strip_citation_marks(unit).split())
        if len(text) >= 20:
            out.append(text)
    return out


def _kinds(text: str) -> frozenset[str]:
    """What a statement states: quantities by dimension ("h", "mg/kg"; a number written
    without its unit, as in "10 or more years", is "count"), and polarity if negated."""
    kinds = {q.canon_unit or "count" for q in rules.quantities(text)
             if q.canon_unit != "calendar year"}
    if rules.negated(text):
        kinds.add(POLARITY)
    return frozenset(kinds)


def build_statements(
    cards: list[tuple[str, str, str]], *, ignore: frozenset[str] = frozenset()
) -> list[Statement]:
    """Statements of (card id, title, body) triples.

    Entities are drug names and terms that few cards use; `ignore` holds terms that are
    rare but name no clinical thing (the organisations that issue guidelines: "ACIP"
    links a hepatitis B and a zoster statement only by who wrote them).

    A statement's subject is its card's title: the condition or test the card is about.
    Two statements share a subject when their cards' titles share a rare word, or when one
    statement names a rare word of the other card's title ("tetanus" in a bite card against
    the tetanus card), so a prednisolone course for Bell's palsy is never compared with a
    prednisone course for COPD.
    """
    raw = [(card_id, text, frozenset(rules.content_terms(text)) - ignore)
           for card_id, _, body in cards for text in card_sentences(body)]
    titles = {card_id: frozenset(rules.content_terms(title)) - ignore
              for card_id, title, _ in cards}
    cards_with: dict[str, set[str]] = defaultdict(set)
    for card_id, _, terms in raw:
        for term in terms | titles[card_id]:
            cards_with[term].add(card_id)
    limit = max(2, int(ENTITY_MAX_SHARE * len(cards)))

    def rare(terms: frozenset[str]) -> frozenset[str]:
        return frozenset(t for t in terms
                         if 2 <= len(cards_with[t]) <= limit and not t.isdigit() and len(t) > 1)

    out = []
    for card_id, text, terms in raw:
        drugs = rules.drugs(text)
        drug_terms = {t for d in drugs for t in rules.content_terms(d)}
        entities = (rare(terms) - drug_terms) | {f"drug:{d}" for d in drugs}
        specific = frozenset(t for t in terms if len(cards_with[t]) <= limit)
        out.append(Statement(card_id, text, terms, frozenset(entities), _kinds(text),
                             rare(titles[card_id]), specific))
    return out


def _idf(statements: list[Statement]) -> dict[str, float]:
    df: dict[str, int] = defaultdict(int)
    for st in statements:
        for term in st.terms:
            df[term] += 1
    return {term: math.log(1 + len(statements) / n) for term, n in df.items()}


def similarity(a: Statement, b: Statement, idf: dict[str, float]) -> float:
    """IDF-weighted Dice of the two statements' words."""
    def mass(terms: frozenset[str]) -> float:
        return sum(idf.get(t, 0.0) for t in terms)

    total = mass(a.terms) + mass(b.terms)
    return 2 * mass(a.terms & b.terms) / total if total else 0.0


def candidate_pairs(statements: list[Statement]) -> dict[tuple[int, str], list[int]]:
    """For each statement (by index) and other card: that card's comparable statements."""
    idf = _idf(statements)
    by_entity: dict[str, list[int]] = defaultdict(list)
    for i, st in enumerate(statements):
        for entity in st.entities:
            by_entity[entity].append(i)
    pairs: dict[tuple[int, str], set[int]] = defaultdict(set)
    for i, a in enumerate(statements):
        if not a.kinds:
            continue
        for j in {j for entity in a.entities for j in by_entity[entity]}:
            b = statements[j]
            if b.card_id != a.card_id and _comparable(a, b, idf):
                pairs[(i, b.card_id)].add(j)
    return {key: sorted(value) for key, value in pairs.items()}


def _comparable(a: Statement, b: Statement, idf: dict[str, float]) -> bool:
    """Same drug (or no drug named), same subject, same kind of claim, most words shared."""
    if a.drugs and b.drugs and not a.drugs & b.drugs:
        return False  # nasal glucagon and nasal naloxone are different orders
    if not (a.about & b.about or a.terms & b.about or b.terms & a.about):
        return False  # amoxicillin for pneumonia vs amoxicillin for chlamydia
    if _qualifiers(a, b) and _qualifiers(b, a):
        return False  # "a clean minor wound" and "a tetanus-prone wound": two situations
    close = similarity(a, b, idf)
    if (a.kinds & b.kinds) - {POLARITY}:
        return close >= PAIR_MIN_SIMILARITY
    return POLARITY in a.kinds | b.kinds and close >= POLARITY_MIN_SIMILARITY


def _qualifiers(a: Statement, b: Statement) -> frozenset[str]:
    """Rare words (not drug names) that `a` states and `b` does not: what narrows `a` to a
    situation of its own. When both statements carry such words they describe two
    situations, whose figures may rightly differ; a copy with one number changed has none.
    """
    drug_words = {t for d in a.drugs for t in rules.content_terms(d[5:])}
    return a.specific - b.terms - drug_words


def _shared_drug_clauses(claim: str, other: str) -> str:
    """The clauses of `claim` that name no drug or a drug `other` names too.

    "... or cefpodoxime 200 mg twice daily" says nothing about a card that never mentions
    cefpodoxime, so its number must not be compared with that card's numbers.
    """
    named = rules.drugs(other)
    kept = [c for c in rules.clauses(claim) if not rules.drugs(c) or rules.drugs(c) & named]
    return "; ".join(kept)


def _without_years(text: str) -> str:
    """Blank calendar years: "USPSTF 2020" vs "CDC 2023" says who wrote when, not a fact."""
    for q in rules.quantities(text):
        if q.canon_unit == "calendar year":
            text = re.sub(rf"(?<![\d.,]){re.escape(q.text)}(?![\d.,])", "", text)
    return " ".join(text.split())


# Verifier reasons that make a disagreement between two cards. A drug or route one card
# names and the other does not is a longer or shorter list of options, not a conflict.
_CONFLICT = ("number ", "unit of ", "negation mismatch")


def _conflicts(verdict) -> list[str]:
    """Reasons that count: numbers, units and polarity."""
    if verdict.label != "contradicted":
        return []
    return [r for r in verdict.reasons if r.startswith(_CONFLICT)]


def _verify(verifier, claim: str, evidence: list[str]) -> list[str]:
    claim = _shared_drug_clauses(_without_years(claim), " ".join(evidence))
    if not claim:
        return []
    return _conflicts(verifier.verify(claim, [_without_years(e) for e in evidence]))


def find_contradictions(statements: list[Statement], verifier) -> tuple[list[Finding], int]:
    """Contradictions between cards, one finding per pair of sentences, and checks made.

    `verifier` is a `retrieval.verifier.GroundingVerifier` (anything with
    `verify(claim, evidence) -> Verdict`). A disagreement must be mutual: "500 mg on day
    1, then 250 mg daily" extends "500 mg daily" (only one direction fails), "within 10
    years" and "within 5 years" contradict each other both ways, and a sentence giving both
    figures ("10 years for clean wounds, 5 for all others") contradicts neither. Pairs that
    differ in more than `MAX_CONFLICTS` figures are rows of a table, not one fact.
    """
    idf = _idf(statements)
    pairs = candidate_pairs(statements)
    findings: dict[tuple[str, str], Finding] = {}
    settled: set[tuple[str, str]] = set()
    checks = 0

    def conflicts(x: int, y: int) -> list[str]:
        nonlocal checks
        checks += 1
        found = _verify(verifier, statements[x].text, [statements[y].text])
        if similarity(statements[x], statements[y], idf) < POLARITY_MIN_SIMILARITY:
            found = [r for r in found if not r.startswith("negation")]
        return found

    for (i, _), others in sorted(pairs.items()):
        a = statements[i]
        for j in others:
            b = statements[j]
            key = (min(a.text, b.text), max(a.text, b.text))
            if key in settled:
                continue
            settled.add(key)
            reasons, back = conflicts(i, j), conflicts(j, i)
            if not reasons or not back or max(len(reasons), len(back)) > MAX_CONFLICTS:
                continue
            first, second = sorted([(a.card_id, a.text), (b.card_id, b.text)])
            findings[key] = Finding(first[0], second[0], first[1], second[1],
                                    "; ".join(reasons))
    ordered = sorted(findings.values(), key=lambda f: (f.card_a, f.card_b, f.sentence_a))
    return ordered, checks


def acknowledge(
    findings: list[Finding], fronts: dict[str, CardFrontMatter]
) -> tuple[list[Finding], list[str]]:
    """Mark findings whose card pair is acknowledged (by either card); list bad references."""
    reasons: dict[frozenset[str], str] = {}
    problems: list[str] = []
    for card_id, front in fronts.items():
        for n, item in enumerate(front.acknowledged_differences, start=1):
            if item.card not in fronts:
                problems.append(f"{card_id}: acknowledged_differences.{n}.card: "
                                f"no card with id {item.card!r}")
                continue
            reasons[frozenset((card_id, item.card))] = item.reason
    marked = [
        Finding(f.card_a, f.card_b, f.sentence_a, f.sentence_b, f.reason,
                reasons.get(frozenset((f.card_a, f.card_b))))
        for f in findings
    ]
    return marked, problems


def check_library(paths: list[Path], verifier) -> ConsistencyReport:
    """Check every card under `paths` against every other; invalid cards are problems."""
    fronts: dict[str, CardFrontMatter] = {}
    cards: list[tuple[str, str, str]] = []
    report = ConsistencyReport()
    for path in find_cards(paths):
        try:
            front, body = parse_card(path)
        except ContentError as exc:  # reported with the rest, as lint does
            report.problems.append(str(exc))
            continue
        if front.status == "retired":
            continue  # retired cards are never served, so they cannot mislead
        fronts[front.id] = front
        cards.append((front.id, front.title, body))
    orgs = {t for front in fronts.values() for source in front.sources
            for t in rules.content_terms(source.org)}
    statements = build_statements(cards, ignore=frozenset(orgs))
    findings, checks = find_contradictions(statements, verifier)
    report.findings, problems = acknowledge(findings, fronts)
    report.problems += problems
    report.cards, report.statements, report.checks = len(fronts), len(statements), checks
    return report
