"""Generic JSONL corpora: one `{"id", "title", "text", "url"}` object a line."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from retrieval.errors import ContentError
from retrieval.models import Document, web_url

REQUIRED = ("id", "title", "text", "url")


def load_jsonl(path: Path) -> list[Document]:
    """Parse and validate every line before anything is ingested."""
    if not path.is_file():
        raise ContentError(str(path), "file", "does not exist")
    documents: list[Document] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ContentError(where, "line", f"invalid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ContentError(where, "line", "must be a JSON object")
            for field in REQUIRED:
                value = record.get(field)
                if not isinstance(value, str) or (field != "url" and not value.strip()):
                    raise ContentError(where, field, "missing or not a non-empty string")
            try:
                web_url(record["url"])
            except ValueError as exc:
                raise ContentError(where, "url", str(exc)) from exc
            if record["id"] in seen:
                raise ContentError(where, "id", f"duplicate id {record['id']!r}")
            seen.add(record["id"])
            specialty = record.get("specialty") or []
            try:
                documents.append(
                    Document(
                        id=record["id"],
                        title=record["title"],
                        text=record["text"],
                        url=record["url"],
                        source=str(record.get("source") or ""),
                        published=record.get("published"),
                        specialty=[specialty] if isinstance(specialty, str) else specialty,
                    )
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ContentError(where, str(first["loc"][0]), first["msg"]) from exc
    return documents
