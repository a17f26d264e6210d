"""Server mode of the test suite: PostgreSQL and a Chroma server instead of local files.

`.ci/server-mode` (make test-server) exports `CURBSIDE_DATABASE_URL` (a PostgreSQL
database made for the run) and `CURBSIDE_CHROMA_URL`. Each test then gets its own schema in
that database, as isolated as its own SQLite file in tmp_path would be; each index folder
names its own Chroma collection (`retrieval.index.IndexFiles.server_collection`), so the
shared server needs no per-test set-up.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

_BASE = os.environ.get("CURBSIDE_DATABASE_URL", "")
BASE_URL: str | None = _BASE if _BASE.startswith("postgresql") else None
CHROMA_URL: str | None = os.environ.get("CURBSIDE_CHROMA_URL") or None


def enabled() -> bool:
    return BASE_URL is not None


def _admin():
    return create_engine(BASE_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")


def url_for(schema: str) -> str:
    """The run's database, with `schema` first on the search path. The connections are
    named after it too, so the schema's teardown can end those a test left open."""
    options = quote(f"-csearch_path={schema}")
    return f"{BASE_URL}?options={options}&application_name={schema}"


def new_schema() -> str:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = _admin()
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    return schema


def drop_schema(schema: str) -> None:
    """Drop the schema after ending the test's leftover connections (an app's pool lives
    until garbage collection, and PostgreSQL's connection slots are few)."""
    engine = _admin()
    try:
        with engine.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": schema})
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()
