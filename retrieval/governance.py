"""Content governance: reviews that approve or retire cards, and coverage reports.

A review rewrites the card's front matter (status, reviewer, dates) and appends one line to
`content/reviews.jsonl`, an append-only log: who, when, what, and the card version before
and after. Nothing is overwritten or deleted; git keeps the file history too.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

from retrieval.cards import card_document, find_cards, parse_card
from retrieval.catalog import document_hash
from retrieval.errors import ContentError

REVIEW_LOG = "reviews.jsonl"
REVIEW_INTERVAL = timedelta(days=365)  # cards that give doses: errors there harm soonest
LOW_RISK_REVIEW_INTERVAL = timedelta(days=730)  # cards without a Dosing section
SOURCE_MAX_AGE = timedelta(days=365)  # a source checked longer ago must be re-checked
_DOSING = re.compile(r"^##\s+Dosing\b", re.MULTILINE | re.IGNORECASE)


def review_interval(body: str) -> timedelta:
    """How long an approval lasts: 12 months for dosing cards, 24 for the others."""
    return REVIEW_INTERVAL if _DOSING.search(body) else LOW_RISK_REVIEW_INTERVAL
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


@dataclass(frozen=True)
class ReviewRecord:
    card_id: str
    action: str  # "approve" | "retire"
    reviewer: str
    note: str
    at: str
    version_before: str
    version_after: str
    review_due: str | None


def _card_version(path: Path) -> str:
    """The card's content version as the index catalog names it, so the review log, the CLI
    and the card page (`/content/{id}?version=...`) all show the same id."""
    return document_hash(card_document(path))


def find_card(content_dir: Path, card_id: str) -> Path:
    for path in find_cards([content_dir]):
        if path.stem == card_id:
            return path
    raise ContentError(str(content_dir), "id", f"no card with id {card_id!r}")


def review_card(
    content_dir: Path,
    card_id: str,
    *,
    action: str,
    reviewer: str,
    note: str = "",
    today: date | None = None,
) -> ReviewRecord:
    """Approve (served for another year) or retire (kept, never served) one card."""
    if action not in {"approve", "retire"}:
        raise ContentError(card_id, "action", "must be approve or retire")
    if not reviewer.strip():
        raise ContentError(card_id, "reviewer", "a reviewer name is required")
    today = today or date.today()
    path = find_card(content_dir, card_id)
    front, body = parse_card(path)  # refuse to review an invalid card
    raw = path.read_text(encoding="utf-8")
    match = _FRONT.match(raw)
    data = yaml.safe_load(match.group(1))
    data["reviewed_by"] = reviewer.strip()
    data["last_reviewed"] = today
    if action == "approve":
        data["status"] = "approved"
        data["review_due"] = today + review_interval(body)
    else:
        data["status"] = "retired"
    front_text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    updated = f"---\n{front_text}---\n{raw[match.end():]}"
    record = ReviewRecord(
        card_id=front.id,
        action=action,
        reviewer=reviewer.strip(),
        note=note,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        version_before=_card_version(path),
        version_after="",
        review_due=str(data["review_due"]) if action == "approve" else None,
    )
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(updated, encoding="utf-8")
    try:
        record = replace(record, version_after=_card_version(tmp))  # never a bad card
    except ContentError:
        tmp.unlink()
        raise
    os.replace(tmp, path)
    with (content_dir / REVIEW_LOG).open("a", encoding="utf-8") as log:
        log.write(json.dumps(asdict(record)) + "\n")
    return record


def review_history(content_dir: Path, card_id: str | None = None) -> list[ReviewRecord]:
    path = content_dir / REVIEW_LOG
    if not path.exists():
        return []
    records = [ReviewRecord(**json.loads(line)) for line in path.read_text().splitlines() if line]
    return [r for r in records if card_id is None or r.card_id == card_id]


def coverage(content_dir: Path, *, today: date | None = None) -> dict:
    """Cards per specialty and topic, topics with no card, past-due and question-less cards,
    and cards whose sources were checked too long ago (or never): what needs a re-check."""
    today = today or date.today()
    stale: dict[str, list[str]] = {}
    unchecked: list[str] = []
    topics_file = content_dir / "topics.yaml"
    topics = yaml.safe_load(topics_file.read_text()) if topics_file.exists() else {}
    per_specialty: Counter[str] = Counter()
    per_topic: Counter[int] = Counter()
    past_due, no_questions, by_status = [], [], Counter()
    for path in find_cards([content_dir]):
        front, _ = parse_card(path)
        by_status[front.status] += 1
        per_specialty.update(front.specialty)
        per_topic.update(front.topics)
        if front.review_due < today and front.status != "retired":
            past_due.append(front.id)
        if not front.review_questions:
            no_questions.append(front.id)
        if front.status == "retired":
            continue
        old = [f"sources.{n} {source.org} checked {source.checked}"
               for n, source in enumerate(front.sources, start=1)
               if source.checked and today - source.checked > SOURCE_MAX_AGE]
        if old:
            stale[front.id] = old
        if any(source.checked is None for source in front.sources):
            unchecked.append(front.id)
    return {
        "cards": sum(by_status.values()),
        "by_status": dict(by_status),
        "per_specialty": dict(sorted(per_specialty.items())),
        "topics_total": len(topics),
        "topics_covered": sum(1 for n in topics if per_topic[int(n)]),
        "topics_missing": {int(n): name for n, name in topics.items() if not per_topic[int(n)]},
        "past_due": sorted(past_due),
        "without_review_questions": sorted(no_questions),
        "stale_sources": dict(sorted(stale.items())),
        "unchecked_sources": sorted(unchecked),
        "needs_recheck": sorted(set(past_due) | set(stale)),
    }
