"""A site's own guidelines: PDF, HTML and Word documents answered and cited beside the cards.

A hospital's protocols arrive as files, not as cards, and must be cited the way a clinician
would check them: "Hypoglycaemia protocol, page 2". So each document is split into passages
(a PDF by page, HTML and Word by heading), and each passage is indexed as its own document
`<doc_id>.p<N>` (page) or `<doc_id>.s<N>` (section) whose title names the page or section
and whose URL deep-links to it (`/site-docs/<doc_id>.pdf#page=N`, `/content/<doc_id>#sN`).

A site document arrives as `draft`, which is never served, until a reviewer approves it.
Its review state lives in a sidecar under the home (`<home>/site-docs/<doc_id>.json`, with
a copy of the file the PDF link serves), never in the user's file. Everything is parsed and
validated before anything is written, so a bad file leaves the index and the sidecars as
they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from retrieval.errors import ContentError
from retrieval.models import Document

SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".docx": "docx"}
REVIEW_INTERVAL = timedelta(days=365)  # a local protocol is re-read yearly, like a dosing card
REVIEW_LOG = "reviews.jsonl"
_NOT_ID = re.compile(r"[^a-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?:;]$")


@dataclass(frozen=True)
class SitePassage:
    """One page (PDF) or section (HTML, Word) of a site document."""

    number: int  # page number, or section number in reading order (1-based)
    label: str  # "page 2", or the section heading
    text: str
    heading: str = ""  # a PDF page's first heading, named in its citation


@dataclass(frozen=True)
class SiteDocument:
    """A parsed site document: everything needed to index it, nothing written yet."""

    doc_id: str
    file_name: str
    kind: str  # "pdf" | "html" | "docx"
    title: str
    sha256: str
    passages: list[SitePassage]

    @property
    def version(self) -> str:
        return self.sha256[:16]

    def passage_id(self, passage: SitePassage) -> str:
        return f"{self.doc_id}.{'p' if self.kind == 'pdf' else 's'}{passage.number}"

    def passage_url(self, passage: SitePassage) -> str:
        if self.kind == "pdf":
            return f"/site-docs/{self.doc_id}.pdf#page={passage.number}"
        return f"/content/{self.doc_id}#s{passage.number}"

    def passage_title(self, passage: SitePassage) -> str:
        where = passage.label
        if self.kind == "pdf":
            where = f"p. {passage.number}" + (f": {passage.heading}" if passage.heading else "")
        return f"{self.title} ({where})"


@dataclass
class SiteRecord:
    """The sidecar of one site document: provenance and review state."""

    doc_id: str
    file_name: str
    kind: str
    title: str
    sha256: str
    ingested_at: str
    status: str = "draft"  # draft | approved | retired
    reviewed_by: str | None = None
    last_reviewed: str | None = None
    review_due: str | None = None
    passages: list[dict] = field(default_factory=list)  # {"id", "label", "url"}

    @property
    def version(self) -> str:
        return self.sha256[:16]


def is_site_document(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def doc_id_for(path: Path) -> str:
    """The file stem, lower-cased, with runs of other characters as "-"."""
    return _NOT_ID.sub("-", path.stem.lower()).strip("-")


# ------------------------------------------------------------------------------ parsing


def parse_site_document(path: Path) -> SiteDocument:
    """Read and split one file; `ContentError(file, field, reason)` if it cannot be used."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ContentError(str(path), "file", f"unsupported type {path.suffix!r} "
                           "(PDF, HTML or DOCX)")
    if not path.is_file():
        raise ContentError(str(path), "file", "does not exist")
    doc_id = doc_id_for(path)
    if not doc_id:
        raise ContentError(str(path), "file name", "has no letters or digits to make an id")
    data = path.read_bytes()
    reader = {"pdf": _pdf, "html": _html, "docx": _docx}[kind]
    try:
        title, passages = reader(path, data)
    except ContentError:
        raise
    except Exception as exc:  # parsers raise many types for a damaged file; name it plainly
        raise ContentError(str(path), "file", f"cannot be read as {kind.upper()} "
                           f"({type(exc).__name__}: {exc})") from exc
    passages = [p for p in passages if p.text.strip()]
    if not passages:
        raise ContentError(str(path), "text", "no text found (a scanned PDF needs OCR first)")
    return SiteDocument(doc_id, path.name, kind, title.strip() or path.stem,
                        hashlib.sha256(data).hexdigest(), passages)


def _pdf(path: Path, data: bytes) -> tuple[str, list[SitePassage]]:
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ContentError(str(path), "file", "is password-protected")
    passages = []
    for n, page in enumerate(reader.pages, start=1):
        headings, text = _headings_and_text(page.extract_text() or "")
        passages.append(SitePassage(n, f"page {n}", _clean(text),
                                    headings[-1] if headings else ""))
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    first = next((p.heading for p in passages if p.heading), "")
    return meta_title or first[:120], passages


def _headings_and_text(text: str) -> tuple[list[str], str]:
    """Split a PDF page into its heading lines and its prose.

    A heading is a line well short of the page's text width with no closing punctuation (a
    wrapped line of a paragraph runs to the full width). Headings are kept out of the prose,
    so "Escalation on the ward" is not quoted as a sentence, and named in the citation.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    width = max((len(line) for line in lines), default=0)
    headings, prose = [], []
    for line in lines:
        short = len(line) < 0.6 * width and not _SENTENCE_END.search(line)
        after_sentence = not prose or bool(_SENTENCE_END.search(prose[-1]))
        (headings if short and after_sentence else prose).append(line)
    return headings, "\n".join(prose)


def _html(path: Path, data: bytes) -> tuple[str, list[SitePassage]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    blocks: list[tuple[bool, str]] = []
    body = soup.body or soup
    for element in body.find_all(["h1", "h2", "h3", "p", "li", "td", "th", "pre", "dd", "dt"]):
        if element.find_parent(["p", "li", "td", "th"]):
            continue  # nested blocks are read with their parent
        text = element.get_text(" ", strip=True)
        if text:
            blocks.append((element.name in {"h1", "h2", "h3"}, text))
    if not title:
        title = next((text for heading, text in blocks if heading), "")
    return title, _sections(blocks, title)


def _docx(path: Path, data: bytes) -> tuple[str, list[SitePassage]]:
    from io import BytesIO

    import docx
    from docx.table import Table

    document = docx.Document(BytesIO(data))
    blocks: list[tuple[bool, str]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    blocks.append((False, "; ".join(cells)))
            continue
        text = item.text.strip()
        style = (item.style.name if item.style is not None else "") or ""
        if text:
            blocks.append((style.startswith("Heading") or style == "Title", text))
    title = document.core_properties.title or next((t for h, t in blocks if h), "")
    return title, _sections(blocks, title)


def _sections(blocks: list[tuple[bool, str]], title: str) -> list[SitePassage]:
    """Group blocks under their heading; text before the first heading is the overview.

    A heading directly followed by another heading (a document title over its first
    section) does not make an empty section of its own.
    """
    sections: list[tuple[str, list[str]]] = []
    for is_heading, text in blocks:
        if is_heading:
            if sections and not sections[-1][1]:
                sections[-1] = (text, [])
            else:
                sections.append((text, []))
        else:
            if not sections:
                sections.append((title or "Overview", []))
            sections[-1][1].append(text if _SENTENCE_END.search(text) else f"{text}.")
    filled = [(label, lines) for label, lines in sections if lines]
    return [SitePassage(n, label, _clean(" ".join(lines)))
            for n, (label, lines) in enumerate(filled, start=1)]


def _clean(text: str) -> str:
    text = text.replace("\u00ad", "").replace("-\n", "")
    return " ".join(text.split())


# ------------------------------------------------------------------------------ the sidecars


class SiteLibrary:
    """Site documents under one home: `<folder>/<doc_id>.json` and a copy of each file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def record(self, doc_id: str) -> SiteRecord | None:
        path = self.folder / f"{doc_id}.json"
        if not path.is_file():
            return None
        return SiteRecord(**json.loads(path.read_text(encoding="utf-8")))

    def records(self) -> list[SiteRecord]:
        if not self.folder.is_dir():
            return []
        found = (self.record(p.stem) for p in sorted(self.folder.glob("*.json")))
        return [r for r in found if r is not None]

    def file_path(self, record: SiteRecord) -> Path:
        return self.folder / f"{record.doc_id}.{record.kind}"

    def stage(self, doc: SiteDocument, *, now: datetime | None = None) -> SiteRecord:
        """The record this document will have: a changed file starts again as a draft; an
        unchanged one keeps its review."""
        now = now or datetime.now(UTC)
        old = self.record(doc.doc_id)
        passages = [{"id": doc.passage_id(p), "label": p.label, "url": doc.passage_url(p)}
                    for p in doc.passages]
        record = SiteRecord(doc.doc_id, doc.file_name, doc.kind, doc.title, doc.sha256,
                            now.isoformat(timespec="seconds"), passages=passages)
        if old and old.sha256 == doc.sha256:
            record = replace(record, status=old.status, reviewed_by=old.reviewed_by,
                             last_reviewed=old.last_reviewed, review_due=old.review_due,
                             ingested_at=old.ingested_at)
        return record

    def save(self, record: SiteRecord, source: Path | None = None) -> None:
        """Write the copy of the file (if given) and then the sidecar, each atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if source is not None:
            target = self.file_path(record)
            tmp = target.with_name(target.name + ".tmp")
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        path = self.folder / f"{record.doc_id}.json"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")
        os.replace(tmp, path)

    def review(
        self, doc_id: str, *, action: str, reviewer: str, note: str = "",
        today: date | None = None,
    ) -> tuple[SiteRecord, dict]:
        """Approve (served for a year) or retire a site document; append to the review log."""
        if action not in {"approve", "retire"}:
            raise ContentError(doc_id, "action", "must be approve or retire")
        if not reviewer.strip():
            raise ContentError(doc_id, "reviewer", "a reviewer name is required")
        record = self.record(doc_id)
        if record is None:
            raise ContentError(str(self.folder), "id", f"no site document with id {doc_id!r}")
        today = today or date.today()
        updated = replace(
            record,
            status="approved" if action == "approve" else "retired",
            reviewed_by=reviewer.strip(),
            last_reviewed=today.isoformat(),
            review_due=(today + REVIEW_INTERVAL).isoformat() if action == "approve"
            else record.review_due,
        )
        entry = {"card_id": doc_id, "action": action, "reviewer": reviewer.strip(),
                 "note": note, "at": datetime.now(UTC).isoformat(timespec="seconds"),
                 "version_before": record.version, "version_after": updated.version,
                 "review_due": updated.review_due if action == "approve" else None}
        self.save(updated)
        with (self.folder / REVIEW_LOG).open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        return updated, entry

    def history(self, doc_id: str) -> list[dict]:
        path = self.folder / REVIEW_LOG
        if not path.is_file():
            return []
        entries = [json.loads(line) for line in path.read_text().splitlines() if line]
        return [e for e in entries if e["card_id"] == doc_id]


def site_documents(doc: SiteDocument, record: SiteRecord) -> list[Document]:
    """The indexable passages of a site document, with the record's review state."""
    review_due = date.fromisoformat(record.review_due) if record.review_due else None
    return [
        Document(
            id=doc.passage_id(p),
            title=doc.passage_title(p),
            text=p.text,
            url=doc.passage_url(p),
            source=doc.file_name,
            kind="site",
            status=record.status,
            review_due=review_due,
            meta={"site_doc": doc.doc_id, "file": doc.file_name, "file_version": doc.version,
                  "where": p.label, "reviewed_by": record.reviewed_by,
                  "last_reviewed": record.last_reviewed},
        )
        for p in doc.passages
    ]
