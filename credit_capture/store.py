"""Persistence of inquiries (SQLite by default, PostgreSQL through a database URL)."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, create_engine

from credit_capture.errors import InquiryNotFound
from credit_capture.models import Inquiry


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_timeout: float = 30.0,
    sqlite_busy_timeout: float = 10.0,
    sqlite_synchronous: str = "NORMAL",
) -> Engine:
    """Engine with the tables created; SQLite folders are made on demand.

    The pool is sized by the caller (the app's settings). SQLite runs in WAL mode so
    readers never wait for a writer and several worker processes can share one file.
    `sqlite_synchronous`: NORMAL keeps every commit through a crash or kill -9 of the
    server (the WAL is in the OS's hands at commit) and costs no fsync per write; FULL also
    survives power loss at about 5 ms of fsync per commit, which caps the write rate.
    """
    if sqlite_synchronous not in ("NORMAL", "FULL"):
        raise ValueError("sqlite_synchronous must be NORMAL or FULL")
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout},
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        _OneWriter(timeout=sqlite_busy_timeout).install(engine)
    elif url.startswith("sqlite"):  # in-memory: one connection per thread, nothing to size
        engine = create_engine(url)
    else:
        # A stopped or unreachable server fails the request within seconds (HTTP 503) instead
        # of hanging it; pre-ping replaces connections the server dropped, once it is back.
        connect = {"connect_timeout": 5} if url.startswith("postgresql") else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect, **pool)
    SQLModel.metadata.create_all(engine)
    return engine


class _OneWriter:
    """One writing transaction at a time per process on a SQLite file.

    SQLite lets one connection write at a time anyway. Without this, every waiting thread
    polls the file lock through SQLite's busy handler, sleeping up to 100 ms between tries,
    so under load writers oversleep and starve (10-second waits at 30 answers/s). A process
    lock hands the turn over at once, and only the worker processes contend for the file.
    """

    def __init__(self, *, timeout: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout

    def install(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "commit", self._done)
        event.listen(engine, "rollback", self._done)
        event.listen(engine, "checkin", self._checked_in)

    def _before(self, conn, _cursor, statement, parameters, _context, _many) -> None:
        if conn.info.get(_WRITER) or not _WRITES.match(statement):
            return
        if not self._lock.acquire(timeout=self._timeout):
            raise OperationalError(statement, parameters,
                                   sqlite3.OperationalError("database is locked"))
        conn.info[_WRITER] = True

    def _done(self, conn) -> None:
        if conn.info.pop(_WRITER, False):
            self._lock.release()

    def _checked_in(self, _dbapi_connection, record) -> None:  # returned without commit
        if record.info.pop(_WRITER, False):
            self._lock.release()


_WRITER = "curbside_writer"
# Statements that take SQLite's write lock, including an explicit `BEGIN IMMEDIATE` (credit
# claims): the process lock must come first, or a writer waiting for it while holding the
# file lock deadlocks with one holding it while waiting for the file (until both time out).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|BEGIN\s+(IMMEDIATE|EXCLUSIVE))\b",
                     re.IGNORECASE)


def _sqlite_pragmas(synchronous: str):
    def on_connect(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    return on_connect


def save_inquiry(session: Session, inquiry: Inquiry) -> Inquiry:
    session.add(inquiry)
    session.commit()
    session.refresh(inquiry)
    return inquiry


def get_inquiry(session: Session, inquiry_id: str) -> Inquiry:
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise InquiryNotFound(f"No inquiry with id {inquiry_id!r}.")
    return inquiry


@contextmanager
def session_scope(engine: Engine, shared: Session | None = None) -> Iterator[Session]:
    """A session of its own on `engine`, or the request's `shared` one: committed after the
    block so its connection goes back to the pool, rolled back if the block fails."""
    if shared is None:
        with Session(engine, expire_on_commit=False) as session:
            yield session
        return
    try:
        yield shared
    except BaseException:
        shared.rollback()
        raise
    shared.commit()
