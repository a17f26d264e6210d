"""`curbside content lint`: every problem in the content library, as `file: field: reason`.

Unlike ingest, which stops at the first invalid card, lint reports everything at once so an
author can fix a whole batch in one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from retrieval.cards import find_cards, parse_card
from retrieval.errors import ContentError
from retrieval.models import Source

_MARKER = re.compile(r"\[(\d+)\]")


def allowed_specialties(content_dir: Path) -> set[str]:
    path = content_dir / "specialties.yaml"
    return set(yaml.safe_load(path.read_text())) if path.exists() else set()


@dataclass
class LintReport:
    """Problems fail the lint; warnings are shown but pass (unless `strict`)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def lint(
    paths: list[Path], *, specialties: set[str], today: date | None = None, strict: bool = False
) -> list[str]:
    """All problems found, one message each; an empty list means the library is clean."""
    return lint_report(paths, specialties=specialties, today=today, strict=strict).problems


# A card is read in under five minutes: a guideline and the second authorities that
# cross-check its safety-critical numbers (content/AUTHORING.md).
MAX_SOURCES = 6


def source_currency(where: str, sources: list[Source]) -> list[str]:
    """Sources whose checked version is not recorded.

    A reviewer can only re-check a source against "what we read last time" if the card
    says when that was (`checked`) and, for a drug label, which label (`setid`, `version`);
    a DailyMed search page is not a label version at all.
    """
    found = []
    for n, source in enumerate(sources, start=1):
        if source.checked is None:
            found.append(f"{where}: sources.{n}.checked: missing (the date this version "
                         "was confirmed current)")
        if "dailymed" in source.url.lower():
            if "search" in source.url.lower():
                found.append(f"{where}: sources.{n}.url: a DailyMed search page, not a label")
            elif not (source.setid and source.version):
                found.append(f"{where}: sources.{n}.setid: a drug label needs its DailyMed "
                             "set id and version")
    return found


def lint_report(
    paths: list[Path], *, specialties: set[str], today: date | None = None, strict: bool = False
) -> LintReport:
    """Problems and warnings; `strict` makes unrecorded source versions problems too."""
    today = today or date.today()
    report = LintReport()
    problems = report.problems
    seen: dict[str, Path] = {}
    for path in find_cards(paths):
        try:
            front, body = parse_card(path)
        except ContentError as exc:
            problems.append(str(exc))
            continue
        where = str(path)
        if front.id in seen:
            problems.append(f"{where}: id: duplicate of {seen[front.id]}")
        seen.setdefault(front.id, path)
        if path.stem != front.id:
            problems.append(f"{where}: id: file name should be {front.id}.md")
        for value in front.specialty:
            if specialties and value not in specialties:
                problems.append(f"{where}: specialty: unknown value {value!r}")
        if front.review_due < today and front.status in {"demo", "approved"}:
            problems.append(f"{where}: review_due: {front.review_due} is past due")
        if front.status == "approved" and not front.reviewed_by:
            problems.append(f"{where}: reviewed_by: approved cards need a reviewer")
        if not front.review_questions:
            problems.append(f"{where}: review_questions: at least one is required")
        markers = {int(m) for m in _MARKER.findall(body)}
        if not markers:
            problems.append(f"{where}: body: no [n] citation markers")
        for marker in sorted(markers - set(range(1, len(front.sources) + 1))):
            problems.append(f"{where}: body: marker [{marker}] has no matching source")
        if "<script" in body.lower() or re.search(r"<[a-z][^>]*>", body, re.I):
            problems.append(f"{where}: body: raw HTML is not allowed")
        advisory = problems if strict else report.warnings
        advisory.extend(source_currency(where, front.sources))
        if len(front.sources) > MAX_SOURCES:
            advisory.append(
                f"{where}: sources: {len(front.sources)} listed; a card cites at most "
                f"{MAX_SOURCES} (split the card, or drop a source no sentence needs)")
    return report
