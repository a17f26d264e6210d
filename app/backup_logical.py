"""A database as JSON lines, for backups of any database SQLAlchemy opens (PostgreSQL first).

A PostgreSQL site should not need pg_dump of the server's exact major version on the app
host, and a backup should restore into whichever database the site runs next. So every
table of the app's schema (`app.db.metadata()`, the tables Alembic manages) is written as
one JSON object a line, in primary-key order, all read inside ONE repeatable-read,
read-only transaction: the rows are one committed state however many workers write
meanwhile. Values go through the columns' own types (a timestamp comes back a timestamp,
JSON stays JSON, bytes are base64), so the same lines load into PostgreSQL or SQLite.

Loading is the reverse, inside the caller's transaction (on PostgreSQL, DDL included, so a
failed load leaves nothing): the schema is built by Alembic at the backup's revision, rows
are inserted parents first, PostgreSQL sequences are moved past the restored ids, and
every table's row count is compared with the backup's before the caller commits.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    MetaData,
    TypeDecorator,
    column,
    func,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy import Enum as SqlEnum

VERSION_TABLE = "alembic_version"
BATCH = 1000  # rows per INSERT (PostgreSQL: one multi-row statement per batch)


class LoadError(Exception):
    """The rows cannot be loaded as they are; the message says why (nothing is kept)."""


@dataclass(frozen=True)
class TableDump:
    rows: int
    columns: list[str]
    sha256: str

    def as_dict(self) -> dict:
        return {"rows": self.rows, "columns": self.columns, "sha256": self.sha256}


@dataclass(frozen=True)
class Snapshot:
    """What one dump read: the schema revision, each table's rows, the newest audit seq."""

    revision: str | None
    tables: dict[str, TableDump]
    audit_seq: int

    @property
    def counts(self) -> dict[str, int]:
        return {name: dump.rows for name, dump in self.tables.items()}


def app_metadata() -> MetaData:
    from app.db import metadata

    return metadata()


# writing ------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """JSON for what a column type hands back (the inverse is `_decoder`)."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.name  # SQLAlchemy stores an enum class's member names
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def snapshot_connection(engine: Engine) -> Connection:
    """A connection whose next transaction sees one committed state and writes nothing."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                  postgresql_readonly=True)
    return connection


def dump(engine: Engine, folder: Path) -> Snapshot:
    """Write every app table present in the database to `folder/<table>.jsonl`."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, TableDump] = {}
    with snapshot_connection(engine) as connection, connection.begin():
        # The first statement fixes the snapshot; everything below reads that state.
        revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        present = set(inspect(connection).get_table_names())
        for source in app_metadata().sorted_tables:
            if source.name in present:
                tables[source.name] = _dump_table(connection, source, folder)
        audit_seq = 0
        if "audit_event" in present:
            audit_seq = connection.execute(text("SELECT max(seq) FROM audit_event")).scalar() or 0
    return Snapshot(revision=revision, tables=tables, audit_seq=audit_seq)


def _dump_table(connection: Connection, source, folder: Path) -> TableDump:
    columns = [c.name for c in source.columns]
    query = select(source).order_by(*source.primary_key.columns)
    digest, rows = hashlib.sha256(), 0
    with (folder / f"{source.name}.jsonl").open("w", encoding="utf-8") as out:
        result = connection.execution_options(yield_per=BATCH).execute(query)
        for row in result:
            line = json.dumps(dict(zip(columns, row, strict=True)), default=_plain,
                              ensure_ascii=False, separators=(",", ":")) + "\n"
            out.write(line)
            digest.update(line.encode("utf-8"))
            rows += 1
    return TableDump(rows=rows, columns=columns, sha256=digest.hexdigest())


# reading back -------------------------------------------------------------------------
RowSource = Callable[[str, list[str]], Iterable[dict]]


def _decoder(source_column) -> Callable[[Any], Any] | None:
    """How a JSON value becomes what the column type expects (None: as it is)."""
    kind_of = source_column.type
    if isinstance(kind_of, TypeDecorator):  # e.g. SQLModel's UTCDateTime says `object`
        kind_of = kind_of.impl_instance
    try:
        kind = kind_of.python_type
    except NotImplementedError:
        return None
    return {datetime: datetime.fromisoformat, date: date.fromisoformat,
            time: time.fromisoformat, bytes: base64.b64decode, Decimal: Decimal}.get(kind)


def jsonl_rows(folder: Path) -> RowSource:
    """Rows of `folder/<table>.jsonl`, values turned back into the columns' types."""
    known = app_metadata().tables

    def rows(name: str, columns: list[str]) -> Iterator[dict]:
        decoders = {c: d for c in columns if c in known[name].c
                    and (d := _decoder(known[name].c[c])) is not None}
        with (folder / f"{name}.jsonl").open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict) or set(row) - set(columns):
                        raise ValueError("not a row of this table")
                    for key, decode in decoders.items():
                        if row.get(key) is not None:
                            row[key] = decode(row[key])
                except (ValueError, TypeError) as exc:
                    raise LoadError(f"{name}.jsonl line {number} cannot be read ({exc})") \
                        from exc
                yield row

    return rows


def database_rows(engine: Engine) -> RowSource:
    """Rows of another database (a SQLite backup file restored into PostgreSQL)."""
    known = app_metadata().tables

    def rows(name: str, columns: list[str]) -> Iterator[dict]:
        source = known[name]
        query = select(*[source.c[c] for c in columns]).order_by(*source.primary_key.columns)
        with engine.connect() as connection:
            for row in connection.execution_options(yield_per=BATCH).execute(query):
                yield dict(zip(columns, row, strict=True))

    return rows


def describe(engine: Engine) -> tuple[str | None, dict[str, list[str]]]:
    """The revision and each app table's columns of a database (to load it elsewhere)."""
    known = app_metadata().tables
    with engine.connect() as connection:
        inspector = inspect(connection)
        present = set(inspector.get_table_names())
        revision = None
        if VERSION_TABLE in present:
            revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")) \
                .scalar()
        columns = {name: [c["name"] for c in inspector.get_columns(name)
                          if c["name"] in known[name].c]
                   for name in known if name in present}
    return revision, columns


# loading ------------------------------------------------------------------------------
def rows_in_use(connection: Connection) -> list[str]:
    """The app tables in this database that hold rows (an empty target holds none)."""
    present = set(inspect(connection).get_table_names())
    return [name for name in app_metadata().tables if name in present and
            connection.execute(text(f"SELECT 1 FROM {_quoted(connection, name)} LIMIT 1"))
            .first() is not None]


def clear(connection: Connection) -> None:
    """Drop the app's tables, its version table and its enum types from this database
    (other tables in it are left alone), so Alembic can build the backup's schema."""
    own = set(app_metadata().tables) | {VERSION_TABLE}
    present = [name for name in inspect(connection).get_table_names() if name in own]
    if present:
        found = MetaData()
        found.reflect(connection, only=present)
        found.drop_all(connection)
    for source in app_metadata().tables.values():
        for item in source.columns:
            if isinstance(item.type, SqlEnum) and item.type.name:
                item.type.drop(connection, checkfirst=True)  # PostgreSQL only; else no-op


def build_schema(connection: Connection, revision: str) -> None:
    """The app's schema at `revision`, made by its own migrations on this connection."""
    from alembic import command

    from app.db import alembic_config

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def load(connection: Connection, tables: dict[str, list[str]], counts: dict[str, int],
         rows: RowSource) -> dict[str, int]:
    """Insert every table's rows, parents first; then check the counts against `counts`."""
    known = app_metadata()
    present = set(inspect(connection).get_table_names())
    for source in known.sorted_tables:  # foreign keys: referenced tables first
        columns = tables.get(source.name)
        if columns is None:
            continue
        if source.name not in present:
            raise LoadError(f"the backup has a table {source.name} that its schema revision "
                            "does not create")
        target = table(source.name, *[column(c, source.c[c].type if c in source.c else None)
                                      for c in columns])
        _insert_rows(connection, source, target, rows(source.name, columns))
    if connection.dialect.name == "postgresql":
        reset_sequences(connection)
    found = table_counts(connection)
    wrong = [f"{name}: {found.get(name, 0)} rows loaded, the backup has {n}"
             for name, n in counts.items() if found.get(name, 0) != n]
    if wrong:
        raise LoadError("; ".join(wrong))
    return found


def _insert_rows(connection: Connection, source, target, rows: Iterable[dict]) -> None:
    """Insert in batches, each row after the row of its own table it refers to (a claim
    correcting another): primary-key order need not put the referenced row first, and
    PostgreSQL checks each foreign key as the rows go in."""
    batch: list[dict] = []
    for row in _referenced_first(source, rows):
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(insert(target), batch)
            batch = []
    if batch:
        connection.execute(insert(target), batch)


def _referenced_first(source, rows: Iterable[dict]) -> Iterator[dict]:
    """`rows` reordered so a row referring to another row of the same table comes after
    it; only the rows still waiting for theirs are held in memory."""
    own = [fk for fk in source.foreign_keys if fk.column.table.name == source.name]
    if len(own) != 1:
        yield from rows
        return
    ref, key = own[0].parent.name, own[0].column.name
    seen: set = set()
    waiting: dict[Any, list[dict]] = {}
    for row in rows:
        if row.get(ref) is not None and row[ref] not in seen:
            waiting.setdefault(row[ref], []).append(row)
            continue
        ready = [row]
        while ready:
            item = ready.pop()
            yield item
            seen.add(item[key])
            ready.extend(waiting.pop(item[key], []))
    if waiting:
        raise LoadError(f"{source.name}: {sum(map(len, waiting.values()))} rows refer to "
                        "rows that are not in the backup")


def reset_sequences(connection: Connection) -> None:
    """Move each integer id's sequence past the restored ids, so the next insert does not
    collide with a restored row (rows were inserted with their ids, which sequences do
    not see)."""
    for source in app_metadata().sorted_tables:
        keys = list(source.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name, key = _quoted(connection, source.name), keys[0].name
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": name, "c": key}).scalar()
        if sequence is None:
            continue
        top = connection.execute(select(func.max(column(key))).select_from(table(source.name))) \
            .scalar()
        connection.execute(text("SELECT setval(:s, :v, :called)"),
                           {"s": sequence, "v": top or 1, "called": top is not None})


def table_counts(connection: Connection) -> dict[str, int]:
    present = set(inspect(connection).get_table_names())
    return {name: connection.execute(
                text(f"SELECT count(*) FROM {_quoted(connection, name)}")).scalar()
            for name in app_metadata().tables if name in present}


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)
