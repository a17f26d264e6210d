"""Cutting documents into retrievable passages.

Cards are cut along their `##` sections (and long bullet lists into small groups) so a
terse question lands on the section that answers it; other records are cut into runs of
whole sentences. Every chunk is embedded with its document title, because a passage such
as "Give 0.15 mg IM" means nothing without knowing which card it belongs to.
"""

from __future__ import annotations

import re

from retrieval.models import Chunk, Document
from retrieval.text import split_sentences, strip_citation_marks

# Raised whenever chunks or their embedded text change, so the next ingest re-embeds all.
CHUNKING_VERSION = "2"
# The section name of a card's `asked_as` phrases: searched, never quoted or shown.
ASKED_AS = "Asked as"
MAX_CHUNK_CHARS = 600  # about 128 word pieces, the length the encoder was trained on
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def chunk_document(doc: Document) -> list[Chunk]:
    """Chunks of one document, ids `<doc id>::<n>` (the suffix never leaves retrieval)."""
    pieces = _card_pieces(doc.text) if doc.kind == "card" else _prose_pieces("", doc.text)
    if doc.kind == "card":
        # One chunk per phrase: a terse question is closest to a terse phrase, not to a
        # paragraph that averages fifteen of them.
        pieces += [(ASKED_AS, phrase) for phrase in doc.meta.get("asked_as") or []]
    return [
        Chunk(
            chunk_id=f"{doc.id}::{n}",
            doc_id=doc.id,
            section=section,
            text=text,
            embed_text=_embed_text(doc, section, text),
            dense=doc.kind == "card" or n == 0,
        )
        for n, (section, text) in enumerate(pieces)
    ]


def _embed_text(doc: Document, section: str, text: str) -> str:
    if section == ASKED_AS:
        return text  # already a whole question, as a clinician would type it
    return f"{doc.title}. {section + ': ' if section else ''}{text}"


def _card_pieces(body: str) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    section, lines = "", []
    for line in body.splitlines() + ["## "]:
        heading = _HEADING.match(line)
        if heading:
            pieces.extend(_section_pieces(section, lines))
            section, lines = heading.group(1).strip(), []
        else:
            lines.append(line)
    return [piece for piece in pieces if piece[1]]


def _section_pieces(section: str, lines: list[str]) -> list[tuple[str, str]]:
    """Bullets become sentence units grouped up to the chunk size; prose is split likewise."""
    units: list[str] = []
    paragraph: list[str] = []
    for line in lines:
        if _BULLET.match(line):
            if paragraph:
                units.extend(split_sentences(" ".join(paragraph)))
                paragraph = []
            units.append(_BULLET.sub("", line).strip())
        elif line.strip():
            if units and not paragraph and line.startswith((" ", "\t")):
                units[-1] = f"{units[-1]} {line.strip()}"  # continuation of a bullet
            else:
                paragraph.append(line.strip())
        elif paragraph:
            units.extend(split_sentences(" ".join(paragraph)))
            paragraph = []
    if paragraph:
        units.extend(split_sentences(" ".join(paragraph)))
    units = [strip_citation_marks(unit).strip() for unit in units]
    return [(section, text) for text in _group(units)]


def _prose_pieces(section: str, text: str) -> list[tuple[str, str]]:
    return [(section, chunk) for chunk in _group(split_sentences(text))]


def _group(units: list[str]) -> list[str]:
    """Pack whole sentences into chunks of at most MAX_CHUNK_CHARS (a long one stands alone)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for unit in (u for u in units if u):
        if current and size + len(unit) + 1 > MAX_CHUNK_CHARS:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(unit)
        size += len(unit) + 1
    if current:
        chunks.append(" ".join(current))
    return chunks
