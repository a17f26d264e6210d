"""`curbside backup FILE` and `curbside restore FILE`: a home in one file, taken while serving.

A backup is a tar.gz holding `manifest.json` (format, schema revision, row counts, the
audit head, a SHA-256 per file), the database, the `index/` folder, the site's own
documents (`site-docs/`), eval run records (`evals/runs/`) and the signed audit head.
The database is `database.sqlite` for a SQLite home, and `database/<table>.jsonl` for a
server database (PostgreSQL: `app.backup_logical`, no pg_dump needed); either kind
restores into either database.

Consistency while the server writes: a SQLite file is copied with SQLite's online backup
API, a server database is read in one repeatable-read transaction (each a snapshot of one
committed state, whatever the writers do meanwhile); the index is copied under the index
lock, so no ingest or review writes it mid-copy; and the signed audit head is read
*before* the snapshot, so it never claims events the snapshot lacks (which `audit verify`
would report as truncation). A restore checks every file against the manifest and the
schema revision against this release before it touches the home or the database, loads a
server database in one transaction, then verifies the row counts and the audit chain.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app import backup_logical as logical
from app.index_lock import IndexBusy, index_lock

FORMAT = "curbside-backup"
VERSION = 1  # a SQLite file inside (read by every release since backups began)
LOGICAL_VERSION = 2  # JSON lines inside: older releases say they cannot read it
DATABASE = "database.sqlite"
LOGICAL = "database"  # folder of <table>.jsonl
AUDIT_HEAD = "audit-head.json"
FOLDERS = ("index", "site-docs", "evals/runs")  # relative to the home
LOCK_WAIT_S = 600.0  # a backup waits this long for a running ingest to finish


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class BackupReport:
    path: Path
    counts: dict[str, int]
    files: int
    size: int
    audit_seq: int
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    counts: dict[str, int]
    files: int
    created_at: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _sqlite_path(url: str) -> Path | None:
    """The SQLite file of `url`, or None for a server database (PostgreSQL)."""
    if not url.startswith("sqlite"):
        return None
    if not url.startswith("sqlite:///") or ":memory:" in url:
        raise BackupError("the database is in memory (CURBSIDE_DATABASE_URL): there is "
                          "nothing to back up or restore into")
    return Path(url.removeprefix("sqlite:///"))


def _engine(url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, poolclass=NullPool)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _snapshot_facts(db: Path) -> tuple[dict[str, int], str | None, int]:
    """Row counts, schema revision and newest audit seq of a database file."""
    connection = sqlite3.connect(db)
    try:
        present = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                  for t in logical.app_metadata().tables if t in present}
        revision = (connection.execute("SELECT version_num FROM alembic_version").fetchone()
                    or [None])[0] if "alembic_version" in present else None
        seq = (connection.execute("SELECT max(seq) FROM audit_event").fetchone()[0] or 0
               if "audit_event" in present else 0)
        return counts, revision, seq
    finally:
        connection.close()


def backup(curbside, target: Path) -> BackupReport:
    """Write the home of `curbside` to `target` (a .tar.gz), consistent while serving."""
    started = time.perf_counter()
    settings = curbside.settings
    url = settings.resolved_database_url
    source_db = _sqlite_path(url)
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give a file name such as curbside.tar.gz")
    target.parent.mkdir(parents=True, exist_ok=True)
    _ = curbside.engine  # the schema is current before it is copied (a new home: created)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work_dir:
        work = Path(work_dir)
        head = curbside.audit_head_file
        if head.is_file():  # before the snapshot: it never runs ahead of it
            shutil.copyfile(head, work / AUDIT_HEAD)
        database: dict = {"kind": "sqlite"}
        if source_db is not None:
            _online_copy(source_db, work / DATABASE)
            counts, revision, audit_seq = _snapshot_facts(work / DATABASE)
        else:
            snapshot = _dump(url, work / LOGICAL)
            counts, revision, audit_seq = snapshot.counts, snapshot.revision, snapshot.audit_seq
            database = {"kind": "jsonl", "dialect": url.split(":", 1)[0].split("+")[0],
                        "tables": {n: d.as_dict() for n, d in snapshot.tables.items()}}
        try:
            with index_lock(settings.home, wait=LOCK_WAIT_S, purpose="backup"):
                for folder in FOLDERS:
                    if (settings.home / folder).is_dir():
                        shutil.copytree(settings.home / folder, work / folder,
                                        ignore=shutil.ignore_patterns("*.lock"))
        except IndexBusy as exc:
            raise BackupError(str(exc)) from exc
        if settings.chroma_url:
            notes.append(f"the passage vectors stay in the Chroma server {settings.chroma_url}:"
                         " a restore uses them while that collection exists, and re-embeds "
                         "them from the catalog when it does not")
        files = sorted(p for p in work.rglob("*") if p.is_file())
        manifest = {
            "format": FORMAT,
            "version": VERSION if database["kind"] == "sqlite" else LOGICAL_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_revision": revision, "counts": counts, "audit_seq": audit_seq,
            "database": database,
            "files": {p.relative_to(work).as_posix(): _sha256(p) for p in files},
        }
        partial = target.with_name(f".{target.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            body = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for path in files:
                tar.add(path, arcname=path.relative_to(work).as_posix(), recursive=False)
        os.replace(partial, target)
    return BackupReport(path=target, counts=counts, files=len(files),
                        size=target.stat().st_size, audit_seq=audit_seq,
                        seconds=round(time.perf_counter() - started, 2), notes=notes)


def _online_copy(source: Path, destination: Path) -> None:
    """SQLite's online backup: one committed state, while other connections write."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(destination)
    try:
        with dst:
            src.backup(dst, pages=4096)
    finally:
        dst.close()
        src.close()


def _dump(url: str, folder: Path) -> logical.Snapshot:
    from sqlalchemy.exc import SQLAlchemyError

    engine = _engine(url)
    try:
        return logical.dump(engine, folder)
    except SQLAlchemyError as exc:
        raise BackupError(f"the database could not be read ({_one_line(exc)}); nothing was "
                          "written") from exc
    finally:
        engine.dispose()


def _read_manifest(tar: tarfile.TarFile, source: Path) -> dict:
    try:
        member = tar.getmember("manifest.json")
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError, tarfile.TarError, OSError, EOFError,
            zlib.error) as exc:
        raise BackupError(f"{source} is damaged or not a Curbside backup (no readable "
                          "manifest)") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Curbside backup (unknown manifest)")
    if manifest.get("version") not in (VERSION, LOGICAL_VERSION):
        raise BackupError(f"{source} is a version {manifest.get('version')} backup; this "
                          f"release reads versions {VERSION} and {LOGICAL_VERSION}")
    return manifest


def _kind(manifest: dict) -> str:
    database = manifest.get("database") or {"kind": "sqlite"}
    return database.get("kind", "sqlite") if isinstance(database, dict) else "?"


def _check_revision(manifest: dict, source: Path) -> None:
    """Refuse, before anything changes, a backup whose schema this release does not know."""
    from alembic.script import ScriptDirectory

    from app.db import alembic_config

    revision = manifest.get("schema_revision")
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if revision is None and _kind(manifest) == "sqlite":
        return  # a database from before migrations: recognised when it is opened
    if revision not in known:
        raise BackupError(f"{source} holds schema revision {revision}, newer than this "
                          f"release knows (newest: {script.get_current_head()}): restore it "
                          "with the release that wrote it")


def _in_use(settings, target_db: Path | None) -> list[str]:
    """What a restore without --force would overwrite: a database with rows, an index."""
    found = [str(settings.home / "index")] if (settings.home / "index").exists() else []
    if target_db is not None:
        return [str(target_db), *found] if target_db.exists() else found
    from sqlalchemy.exc import SQLAlchemyError

    engine = _engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            tables = logical.rows_in_use(connection)
    except SQLAlchemyError as exc:
        raise BackupError(f"the database cannot be reached ({_one_line(exc)}); nothing was "
                          "changed") from exc
    finally:
        engine.dispose()
    if tables:
        found.insert(0, f"the database (rows in {', '.join(tables)})")
    return found


def restore(settings, source: Path, *, force: bool = False) -> RestoreReport:
    """Put the backup `source` into the home and database of `settings`, then verify it.

    Nothing in the home or database changes until every file has matched its checksum and
    the schema revision is known. A database with rows or an existing index is replaced
    only with `force` (stop the server first). A server database is loaded in one
    transaction: all of the backup's rows, or none."""
    from app.services import Curbside  # late: the CLI imports this module at start-up

    started = time.perf_counter()
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    target_db = _sqlite_path(settings.resolved_database_url)
    existing = _in_use(settings, target_db)
    if existing and not force:
        raise BackupError(f"{' and '.join(existing)} already exist: restore into a new "
                          "CURBSIDE_HOME and an empty database, or pass --force to replace "
                          "them (stop the server first)")
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=settings.home) as work_dir:
        work = Path(work_dir)
        manifest = _unpack(source, work)
        _check_revision(manifest, source)
        if target_db is not None:
            if _kind(manifest) == "sqlite":
                _check_database(work / DATABASE, source)
            else:
                _load(f"sqlite:///{work / DATABASE}", work, manifest, source, force=False)
            _place_database(work, target_db)
        else:
            _load(settings.resolved_database_url, work, manifest, source, force=force)
        _place_home(settings, work)
    notes = _vectors_ready(Curbside(settings))
    curbside = Curbside(settings)
    from sqlmodel import Session

    from credit_capture import audit

    with Session(curbside.engine) as session:  # upgrades an older backup's schema
        report = audit.verify(session)
        counts = logical.table_counts(session.connection())
    problems = [f"{table}: {counts.get(table, 0)} rows restored, the backup recorded {n}"
                for table, n in manifest["counts"].items() if counts.get(table, 0) != n]
    return RestoreReport(counts=counts, files=len(manifest["files"]),
                         created_at=manifest.get("created_at", "?"),
                         problems=problems + report.problems, notes=notes + report.notes,
                         seconds=round(time.perf_counter() - started, 2))


def _unpack(source: Path, work: Path) -> dict:
    try:
        tar = tarfile.open(source, "r:*")  # noqa: SIM115 (closed below, errors differ)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source} is not a Curbside backup (not a tar archive)") from exc
    try:
        with tar:
            manifest = _read_manifest(tar, source)
            tar.extractall(work, filter="data")  # no absolute paths, links or devices
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise BackupError(f"{source} is damaged ({_one_line(exc)[:160]}); use another "
                          "backup") from exc
    listed = manifest.get("files") or {}
    kind = _kind(manifest)
    if kind == "sqlite":
        needed = [DATABASE]
    elif kind == "jsonl":
        needed = [f"{LOGICAL}/{name}.jsonl" for name in manifest["database"].get("tables", {})]
    else:
        raise BackupError(f"{source} holds a database of kind {kind!r}, which this release "
                          "cannot read")
    if not needed or any(name not in listed for name in needed):
        raise BackupError(f"{source} is not a Curbside backup (no database in it)")
    for name, expected in listed.items():
        path = work / name
        if not path.is_file():
            raise BackupError(f"{source} is damaged: {name} is missing; use another backup")
        if _sha256(path) != expected:
            raise BackupError(f"{source} is damaged: {name} does not match its checksum; "
                              "use another backup")
    return manifest


def _check_database(db: Path, source: Path) -> None:
    try:
        connection = sqlite3.connect(db)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is damaged: its database cannot be read ({exc})") from exc
    if result != "ok":
        raise BackupError(f"{source} is damaged: its database fails SQLite's integrity check "
                          f"({result})")


def _load(url: str, work: Path, manifest: dict, source: Path, *, force: bool) -> None:
    """Load the backup's rows into the database at `url` in one transaction: the schema at
    the backup's revision, every row, sequences, and counts checked before the commit."""
    from sqlalchemy.exc import SQLAlchemyError

    if manifest.get("schema_revision") is None:
        raise BackupError(f"{source} holds a database from before schema migrations: restore "
                          "it into a SQLite home first, then back that up")
    if _kind(manifest) == "jsonl":
        tables = {n: t["columns"] for n, t in manifest["database"]["tables"].items()}
        rows, reader = logical.jsonl_rows(work / LOGICAL), None
    else:  # a SQLite backup going into a server database
        _check_database(work / DATABASE, source)
        reader = _engine(f"sqlite:///{work / DATABASE}")
        _, tables = logical.describe(reader)
        rows = logical.database_rows(reader)
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            busy = logical.rows_in_use(connection)
            if busy and not force:  # rows arrived since the first look
                raise BackupError(f"the database has rows in {', '.join(busy)}: restore into "
                                  "an empty database, or pass --force (stop the server first)")
            logical.clear(connection)
            logical.build_schema(connection, manifest["schema_revision"])
            logical.load(connection, tables, manifest["counts"], rows)
    except logical.LoadError as exc:
        raise BackupError(f"{source} cannot be restored ({exc}); nothing was changed") from exc
    except SQLAlchemyError as exc:
        raise BackupError(f"{source} could not be loaded into the database ({_one_line(exc)}); "
                          "nothing was changed") from exc
    finally:
        engine.dispose()
        if reader is not None:
            reader.dispose()


def _place_database(work: Path, target_db: Path) -> None:
    target_db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target_db}{suffix}").unlink(missing_ok=True)
    shutil.move(work / DATABASE, target_db)


def _place_home(settings, work: Path) -> None:
    """Move the checked folders and the audit head into place (same file system: each move
    is a rename)."""
    from app.services import Curbside

    for folder in FOLDERS:
        destination = settings.home / folder
        if destination.exists():
            shutil.rmtree(destination)
        if (work / folder).is_dir():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(work / folder, destination)
    head = Curbside(settings).audit_head_file
    head.unlink(missing_ok=True)
    if (work / AUDIT_HEAD).is_file():
        head.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(work / AUDIT_HEAD, head)


def _vectors_ready(curbside) -> list[str]:
    """A restored index whose vectors are not where this home looks for them (a Chroma
    server that lost the collection its folder names, or a backup from the other kind of
    store) gets them again from its own catalog, through the ingest path."""
    from app.health import index_damage
    from retrieval.errors import VectorStoreUnavailable
    from retrieval.ingest import ingest

    files = curbside.files
    if not files.exists():
        return []
    started = time.perf_counter()
    try:
        reason = index_damage(files.folder, server=files if files.chroma_url else None)
        if reason is None:
            return []
        with index_lock(curbside.settings.home, wait=LOCK_WAIT_S, purpose="restore"):
            catalog = files.catalog()
            documents = [doc for doc, _ in catalog.documents().values()]
            # A fingerprint no encoder has makes the ingest re-embed every document; it
            # writes the real one back with the vectors (versions and review states kept).
            catalog.write([], info={"embedder": "vectors lost: embed again"})
            report = ingest(files, documents)
            catalog.close()
    except (VectorStoreUnavailable, IndexBusy) as exc:
        raise BackupError(f"the database and files are restored, but the index's vectors "
                          f"could not be checked or rebuilt ({_one_line(exc)}); run this "
                          "restore again with --force once that is fixed") from exc
    where = f"the Chroma server {files.chroma_url}" if files.chroma_url else "the index folder"
    return [f"{reason}: re-embedded {report.chunks_embedded} passages of {report.documents} "
            f"documents from the catalog into {where} in {time.perf_counter() - started:.1f} s"]


# command line -------------------------------------------------------------------------
def _cli_error(message: str) -> Exception:
    from app.cli import CliError

    return CliError(message)


def cmd_backup(args: argparse.Namespace) -> int:
    from app.services import Curbside
    from app.settings import Settings

    try:
        report = backup(Curbside(Settings()), Path(args.file))
    except BackupError as exc:
        raise _cli_error(str(exc)) from exc
    for note in report.notes:
        print(f"note: {note}")
    rows = ", ".join(f"{n} {t}" for t, n in report.counts.items() if n)
    print(f"backed up to {report.path} ({report.size / 1e6:.1f} MB, {report.files} files, "
          f"audit seq {report.audit_seq}) in {report.seconds:.1f} s: {rows or 'no rows'}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.settings import Settings

    settings = Settings()
    try:
        report = restore(settings, Path(args.file), force=args.force)
    except BackupError as exc:
        raise _cli_error(str(exc)) from exc
    for note in report.notes:
        print(f"note: {note}")
    rows = ", ".join(f"{n} {t}" for t, n in report.counts.items() if n)
    print(f"restored the backup of {report.created_at} into {settings.home} in "
          f"{report.seconds:.1f} s: {rows or 'no rows'}")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(f"restore FAILED verification: {len(report.problems)} problem(s)",
              file=sys.stderr)
        return 1
    print("counts match the backup; audit log verified")
    return 0


def register(sub) -> None:
    """`curbside backup FILE` and `curbside restore FILE [--force]`."""
    make = sub.add_parser("backup", help="write the database, index and audit head to FILE")
    make.add_argument("file", metavar="FILE", help="e.g. curbside-2026-12-07.tar.gz")
    make.set_defaults(handler=cmd_backup)
    back = sub.add_parser("restore", help="restore a backup FILE into CURBSIDE_HOME")
    back.add_argument("file", metavar="FILE")
    back.add_argument("--force", action="store_true",
                      help="replace an existing database and index (stop the server first)")
    back.set_defaults(handler=cmd_restore)
