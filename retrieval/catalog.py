"""The index catalog: documents, their versions and their chunks, in one SQLite file.

It is the source of truth for what is ingested. Each write happens in one transaction, so
a failed run leaves the previous state intact, and every version of every document is kept
so an inquiry can show the exact text it cited after the content changes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from retrieval.models import Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, body TEXT NOT NULL, ingested_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL, ingested_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, hash));
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL,
    section TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_GENERATION = "generation"


def document_hash(doc: Document) -> str:
    """Content version of a document: any change to text, title or metadata changes it."""
    canonical = json.dumps(doc.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


class Catalog:
    """Thin data-access object over the catalog database (stdlib sqlite3, no ORM needed)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT id, hash FROM documents"))

    def generation(self) -> int:
        """A counter bumped by every write and delete, in the same transaction.

        Reading it is one indexed lookup, so a long-running server can compare it before
        each search and reload its document table when a review, retirement or ingest in
        another process (the CLI) has changed what may be served.
        """
        value = self.get_info(_GENERATION)
        return int(value) if value else 0

    def _bump(self) -> None:
        self._db.execute(
            "INSERT INTO info VALUES (?, '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
            (_GENERATION,),
        )

    def get_info(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM info WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def write(
        self,
        changed: Iterable[tuple[Document, str, list[Chunk]]],
        *,
        info: dict[str, str] | None = None,
    ) -> None:
        """Replace changed documents and their chunks, keeping every version, atomically."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db:
            for doc, digest, chunks in changed:
                body = doc.model_dump_json()
                self._db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
                    (doc.id, digest, body, now),
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?)",
                    (doc.id, digest, body, now),
                )
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.id,))
                self._db.executemany(
                    "INSERT INTO chunks VALUES (?, ?, ?, ?, ?)",
                    [(c.chunk_id, c.doc_id, n, c.section, c.text) for n, c in enumerate(chunks)],
                )
            for key, value in (info or {}).items():
                self._db.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (key, value))
            self._bump()

    def delete(self, doc_ids: list[str]) -> None:
        """Drop documents from the live index; their versions are kept for audit."""
        with self._db:
            for doc_id in doc_ids:
                self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self._bump()

    def documents(self) -> dict[str, tuple[Document, str]]:
        """All current documents with their hashes, keyed by id."""
        rows = self._db.execute("SELECT id, hash, body FROM documents")
        return {row[0]: (Document.model_validate_json(row[2]), row[1]) for row in rows}

    def chunks(self) -> list[tuple[str, str, str, str]]:
        """(chunk_id, doc_id, section, text) of every chunk, in a stable order."""
        return list(
            self._db.execute("SELECT chunk_id, doc_id, section, text FROM chunks ORDER BY rowid")
        )

    def chunk_ids_of(self, doc_ids: list[str]) -> list[str]:
        ids: list[str] = []
        for doc_id in doc_ids:
            ids.extend(
                row[0]
                for row in self._db.execute(
                    "SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,)
                )
            )
        return ids

    def versions(self, doc_id: str) -> list[tuple[str, str, Document]]:
        """(hash, ingested_at, document) of every stored version, oldest first."""
        rows = self._db.execute(
            "SELECT hash, ingested_at, body FROM versions WHERE doc_id = ? ORDER BY rowid",
            (doc_id,),
        )
        return [(r[0], r[1], Document.model_validate_json(r[2])) for r in rows]
