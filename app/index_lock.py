"""One writer of the index at a time: ingests, reviews that re-index and backups take it.

Two ingests writing the same Chroma store and catalog at once interleave their writes
(duplicate or lost passages), and a backup copying the index while an ingest writes gets a
torn copy. The lock is an advisory `flock` on `<home>/index.lock`, so it holds across
processes (a CLI ingest while the server re-indexes a reviewed document) and is released
by the kernel when its holder dies: a killed ingest never leaves a stale lock. Within a
process it is re-entrant (an ingest of site documents re-indexes through the same path).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class IndexBusy(Exception):
    """Another process holds the index lock; the message says who and since when."""


_HELD: dict[Path, int] = {}  # lock path -> re-entry depth in this process
_THREADS: dict[Path, threading.RLock] = {}  # lock path -> turn of this process's threads
_REGISTRY = threading.Lock()


def lock_path(home: Path) -> Path:
    return home / "index.lock"


@contextmanager
def index_lock(home: Path, *, wait: float = 0.0, purpose: str = "ingest") -> Iterator[None]:
    """Hold the index lock; wait up to `wait` seconds for another holder, then raise
    `IndexBusy` naming it. Threads of one process take turns on a process lock first."""
    path = lock_path(home).resolve()
    deadline = time.monotonic() + wait
    with _REGISTRY:
        turn = _THREADS.setdefault(path, threading.RLock())
    if not (turn.acquire(timeout=wait) if wait > 0 else turn.acquire(blocking=False)):
        raise IndexBusy(_busy_message(path))
    try:
        if _HELD.get(path):
            _HELD[path] += 1
            try:
                yield
            finally:
                _HELD[path] -= 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(_busy_message(path)) from None
                    time.sleep(0.1)
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()} {purpose} {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
                     .encode())
            _HELD[path] = 1
            try:
                yield
            finally:
                _HELD.pop(path, None)
                os.ftruncate(descriptor, 0)
        finally:
            os.close(descriptor)  # releases the flock
    finally:
        turn.release()


def _busy_message(path: Path) -> str:
    try:
        pid, purpose, since = path.read_text().split(" ", 2)
        holder = f"an {purpose} (process {pid}, since {since})"
        holder = holder.replace("an backup", "a backup").replace("an review", "a review")
    except (OSError, ValueError):
        holder = "another ingest"
    return (f"{holder} is writing the index in {path.parent}; wait for it to finish "
            "and run this again")
