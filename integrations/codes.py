"""Card codes: which cards an EHR code points at.

Codes live in a card's front matter (`codes:`) or in a site data file (card id -> codes),
so codes can be added without touching card files. A request code matches a card code
exactly; ICD-10-CM also matches by category, because EHRs send the most specific code
("J18.9") while a card may be coded at the category ("J18").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from integrations.errors import IntegrationError
from retrieval.cards import CardCodes
from retrieval.models import Document

# Code system OIDs (Infobutton) and URIs (FHIR) -> the key used in card codes.
SYSTEMS_BY_OID = {
    "2.16.840.1.113883.6.90": "icd10cm",
    "2.16.840.1.113883.6.96": "snomed",
    "2.16.840.1.113883.6.88": "rxnorm",
    "2.16.840.1.113883.6.1": "loinc",
}
SYSTEMS_BY_URI = {
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://snomed.info/sct": "snomed",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "http://loinc.org": "loinc",
}
SYSTEM_NAMES = {"icd10cm": "ICD-10-CM", "snomed": "SNOMED CT", "rxnorm": "RxNorm",
                "loinc": "LOINC"}
_OID = re.compile(r"^[0-2](?:\.(?:0|[1-9]\d*))+$")


def is_oid(value: str) -> bool:
    return bool(_OID.match(value))


def normalise(system: str, code: str) -> str:
    """ICD-10-CM is written with or without its dot and in any case; others are exact."""
    code = code.strip()
    return code.replace(".", "").upper() if system == "icd10cm" else code


@dataclass(frozen=True)
class CodedCard:
    """A servable card and the codes it carries."""

    doc: Document
    codes: dict[str, frozenset[str]] = field(default_factory=dict)


class CodeIndex:
    """(system, code) -> cards, in the order the cards were given."""

    def __init__(self, cards: Iterable[CodedCard]) -> None:
        self._by_code: dict[tuple[str, str], list[Document]] = {}
        self.cards = list(cards)
        for card in self.cards:
            for system, codes in card.codes.items():
                for code in codes:
                    self._by_code.setdefault((system, code), []).append(card.doc)

    def match(self, system: str, code: str) -> list[Document]:
        """Cards carrying this code (ICD-10-CM: or any of its parent categories)."""
        code = normalise(system, code)
        keys = [code]
        if system == "icd10cm":
            keys = [code[:n] for n in range(len(code), 2, -1)]
        found: list[Document] = []
        for key in keys:
            for doc in self._by_code.get((system, key), []):
                if doc not in found:
                    found.append(doc)
        return found

    def codes_of(self, doc_id: str) -> dict[str, frozenset[str]]:
        return next((c.codes for c in self.cards if c.doc.id == doc_id), {})


def build_code_index(
    documents: Iterable[Document], *, codes_file: Path | None, today: date
) -> CodeIndex:
    """Servable cards with their codes from front matter and from the site's codes file."""
    extra = load_codes_file(codes_file) if codes_file else {}
    cards = []
    for doc in documents:
        if doc.kind != "card" or not doc.is_servable(today):
            continue
        merged: dict[str, set[str]] = {}
        for source in (doc.meta.get("codes") or {}, extra.get(doc.id, {})):
            for system, codes in source.items():
                merged.setdefault(system, set()).update(normalise(system, c) for c in codes)
        if any(merged.values()):
            cards.append(CodedCard(doc, {k: frozenset(v) for k, v in merged.items() if v}))
    cards.sort(key=lambda card: card.doc.id)
    return CodeIndex(cards)


def load_codes_file(path: Path) -> dict[str, dict[str, list[str]]]:
    """Read and validate the codes file; cached until the file changes."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise IntegrationError(f"{path}: cannot be read ({exc.strerror})") from exc
    return _load_codes(path, stamp)


@lru_cache(maxsize=4)
def _load_codes(path: Path, _stamp: int) -> dict[str, dict[str, list[str]]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IntegrationError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise IntegrationError(f"{path}: must map card ids to codes")
    parsed = {}
    for card_id, codes in data.items():
        try:
            parsed[str(card_id)] = CardCodes.model_validate(codes).model_dump()
        except ValueError as exc:
            raise IntegrationError(f"{path}: {card_id}: {exc}") from exc
    return parsed
