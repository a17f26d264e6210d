"""Loading content cards: Markdown with YAML front matter, validated field by field.

A card that fails validation raises `ContentError` naming the file, the field and the
reason, before anything of the run is written.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from retrieval.errors import ContentError
from retrieval.models import Document, ReviewQuestion, Source

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)


class AcknowledgedDifference(BaseModel):
    """A known disagreement with another card (e.g. two societies differ), with the reason,
    so `curbside content check` does not report it as a contradiction."""

    model_config = ConfigDict(extra="forbid")

    card: str
    reason: str = Field(min_length=10)


class CardCodes(BaseModel):
    """Optional codes an EHR sends for the card's topic (Infobutton, CDS Hooks match on them).

    Codes are strings: an unquoted SNOMED code in YAML would otherwise arrive as a number.
    """

    model_config = ConfigDict(extra="forbid")

    icd10cm: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    rxnorm: list[str] = Field(default_factory=list)
    loinc: list[str] = Field(default_factory=list)

    @field_validator("icd10cm", "snomed", "rxnorm", "loinc", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v
                    for v in value]
        return value


class CardFrontMatter(BaseModel):
    """The front matter contract of DESIGN.md section 3."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=3)
    specialty: list[str] = Field(min_length=1)
    topics: list[int] = Field(default_factory=list)
    learning_objective: str = Field(min_length=5)
    sources: list[Source] = Field(min_length=1)
    status: Literal["draft", "demo", "approved", "retired"]
    reviewed_by: str | None = None
    last_reviewed: date
    review_due: date
    disclosures: str
    review_questions: list[ReviewQuestion] = Field(default_factory=list, max_length=3)
    acknowledged_differences: list[AcknowledgedDifference] = Field(default_factory=list)
    codes: CardCodes | None = None
    # How clinicians type the questions this card answers ("cha2ds2 1 man anticoag?",
    # "eliquis vs warfarin afib"): written by the card's author, searched but never quoted,
    # so a terse, shorthand or brand-name question finds the card its words would miss.
    asked_as: list[str] = Field(default_factory=list, max_length=25)

    @field_validator("asked_as")
    @classmethod
    def _short_questions(cls, value: list[str]) -> list[str]:
        for phrase in value:
            if not 3 <= len(phrase.strip()) <= 120 or "\n" in phrase:
                raise ValueError("each phrase is one line of 3 to 120 characters")
        return [phrase.strip() for phrase in value]

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not _KEBAB.match(value):
            raise ValueError("must be kebab-case (lower-case letters, digits and hyphens)")
        return value


def parse_card(path: Path) -> tuple[CardFrontMatter, str]:
    """Read one card file; raise `ContentError` with file, field and reason when invalid."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(str(path), "file", f"cannot be read ({exc})") from exc
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise ContentError(str(path), "front matter", "missing '---' YAML block at the top")
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ContentError(str(path), "front matter", f"invalid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ContentError(str(path), "front matter", "must be a mapping of fields")
    try:
        front = CardFrontMatter.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "front matter"
        raise ContentError(str(path), field, first["msg"]) from exc
    body = match.group(2).strip()
    if not body:
        raise ContentError(str(path), "body", "is empty")
    for item in front.review_questions:
        if item.answer >= len(item.choices):
            raise ContentError(str(path), "review_questions.answer", "index out of range")
    return front, body


def card_document(path: Path) -> Document:
    """Turn a card file into an ingestible `Document` (kind "card")."""
    front, body = parse_card(path)
    return Document(
        id=front.id,
        title=front.title,
        text=body,
        url=front.sources[0].url,
        source=front.sources[0].org,
        specialty=front.specialty,
        kind="card",
        status=front.status,
        review_due=front.review_due,
        # Cards without codes or asked-as phrases keep the metadata, so the content
        # version, they had before.
        meta=front.model_dump(mode="json", exclude={"id", "title"}
                              | (set() if front.codes else {"codes"})
                              | (set() if front.asked_as else {"asked_as"})),
    )


def find_cards(paths: list[Path]) -> list[Path]:
    """Card files under the given files or folders, in a stable order.

    Upper-case Markdown files (README.md, AUTHORING.md) and the review reports kept in a
    `sweep/` folder are documentation, not cards.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*.md"))
                if p.stem == p.stem.lower() and "sweep" not in p.relative_to(path).parts[:-1]
            )
        elif path.is_file():
            found.append(path)
        else:
            raise ContentError(str(path), "path", "does not exist")
    return found


def load_cards(paths: list[Path]) -> list[Document]:
    """Validate every card first so that one bad card stops the whole run cleanly."""
    files = find_cards(paths)
    documents = [card_document(path) for path in files]
    seen: dict[str, str] = {}
    for doc, path in zip(documents, files, strict=True):
        if doc.id in seen:
            raise ContentError(str(path), "id", f"duplicate of {seen[doc.id]}")
        seen[doc.id] = str(path)
    return documents
