"""Is the index really answering? Damage found and named, with the fix, never a traceback.

A missing or emptied vector store does not fail a search: Chroma simply returns nothing,
so every question abstained and was logged as a content gap while `/healthz` said ok.
And a damaged file (catalog, BM25 arrays, Chroma's SQLite or HNSW segment) surfaced as a
traceback from whichever library read it. Here both become `IndexDamaged`: one line that
names the part and the fix (`curbside ingest --rebuild`), 503 on the web, exit 2 on the
command line. An ingest sets a damaged index aside by itself (it found every document
"unchanged" in the catalog and re-embedded nothing), and `--rebuild` does so always.
"""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from retrieval.errors import IndexMissingError

_log = logging.getLogger("curbside.health")
FIX = "rebuild it with `curbside ingest --rebuild`"


class IndexDamaged(IndexMissingError):
    """The index exists but cannot answer; the message names the part and the fix."""


def _chroma_error() -> type[Exception]:
    from chromadb.errors import ChromaError

    return ChromaError


def _load_errors() -> tuple[type[BaseException], ...]:
    # Reading files that are truncated, overwritten or not there: JSON and NumPy say
    # ValueError, pickle UnpicklingError, SQLite DatabaseError, Chroma its own errors.
    return (sqlite3.DatabaseError, OSError, EOFError, ValueError, pickle.UnpicklingError,
            _chroma_error())


def _search_errors() -> tuple[type[BaseException], ...]:
    return (sqlite3.DatabaseError, OSError, _chroma_error())


# Every document has at least one embedded chunk, but a long record embeds only its lead
# chunk (the rest are found by BM25), so the vector count is compared with documents, not
# with passages: a healthy 15k-record corpus holds far fewer vectors than passages.
_DOCUMENTS_WITH_CHUNKS = "SELECT count(DISTINCT doc_id) FROM chunks"


def damaged(exc: BaseException, *, where: str = "index") -> IndexDamaged:
    """One line: the part, the library's first words, and the fix (details go to the log)."""
    _log.info("index damaged (%s): %s", where, type(exc).__name__)  # the caller says it
    detail = " ".join(str(exc).split())[:120] or type(exc).__name__
    return IndexDamaged(f"The {where} is damaged ({type(exc).__name__}: {detail}); {FIX}.")


def open_searcher(files, **options):
    """The hybrid searcher, or `IndexDamaged` when its files cannot be read or its vector
    store is empty or short of the passages the catalog lists."""
    from retrieval.search import HybridSearcher

    try:
        searcher = HybridSearcher(files, **options)
        short = _vectors_short(files)
    except IndexMissingError:
        raise
    except _load_errors() as exc:
        raise damaged(exc) from exc
    if short:
        raise IndexDamaged(short)
    return searcher


@contextmanager
def index_errors() -> Iterator[None]:
    """Around a search: files damaged after the searcher was loaded fail the same way."""
    try:
        yield
    except _search_errors() as exc:
        raise damaged(exc) from exc


def index_problem(curbside) -> str | None:
    """Why the index cannot answer now (one line), or None when a test search answers."""
    files = curbside.files
    if not files.exists():
        return "No index: run `curbside ingest`."
    if not files.chroma_url and not (files.folder / "chroma").is_dir():
        # before anything opens it: Chroma would create an empty store in its place
        return f"The vector store ({files.folder}/chroma) is missing; {FIX}."
    try:
        searcher = curbside.searcher()
        with index_errors():
            short = _vectors_short(files)  # emptied after the searcher was loaded
            result = searcher.search("health check", k=1, today=curbside.settings.today())
    except IndexMissingError as exc:
        return str(exc)
    if short:
        return short
    if not result.passages:
        return f"The index answered a test search with nothing it may serve; {FIX}."
    return None


def _vectors_short(files) -> str | None:
    with closing(sqlite3.connect(f"file:{files.catalog_path}?mode=ro", uri=True)) as db:
        documents = db.execute(_DOCUMENTS_WITH_CHUNKS).fetchone()[0]
    vectors = files.dense().count()
    if documents and vectors < documents:
        where = "Chroma server" if files.chroma_url else f"vector store ({files.folder}/chroma)"
        state = "empty" if vectors == 0 else f"holds {vectors} vectors for {documents} documents"
        return f"The {where} is {state}: every question would abstain; {FIX}."
    return None


def index_damage(folder: Path, *, server=None) -> str | None:
    """Why the index files in `folder` cannot serve, read without opening Chroma (a client
    kept open on a folder that is then moved would write into the moved files), or None.
    A damaged HNSW segment is not seen here; `ingest --rebuild` covers it. `server`: the
    `IndexFiles` of an index whose vectors live on a Chroma server (none in the folder),
    which is asked for its count instead."""
    catalog = folder / "catalog.sqlite"
    if not catalog.is_file():
        return None  # never built, or a folder to build into
    try:
        with closing(sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)) as db:
            documents = db.execute(_DOCUMENTS_WITH_CHUNKS).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return f"catalog unreadable ({exc})"
    try:
        from retrieval.lexical import LexicalIndex

        LexicalIndex.load(folder / "lexical")
    except _load_errors() as exc:
        return f"keyword index unreadable ({type(exc).__name__})"
    if server is not None:
        vectors = server.dense().count()
        if documents and vectors < documents:
            return f"Chroma server collection holds {vectors} vectors for {documents} documents"
        return None
    store = folder / "chroma" / "chroma.sqlite3"
    if not store.is_file():
        return "vector store missing"
    try:
        with closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
            vectors = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    except sqlite3.OperationalError:
        return None  # another Chroma layout: not ours to judge
    except sqlite3.DatabaseError as exc:
        return f"vector store unreadable ({exc})"
    if documents and vectors < documents:
        return f"vector store holds {vectors} vectors for {documents} documents"
    return None


def set_aside(files, *, force: bool = False) -> tuple[Path, str] | None:
    """Move a damaged index folder (any, with `force`) to `index.damaged-<time>` so the
    ingest that follows builds a whole new one; (where it went, why) or None."""
    folder = files.folder
    reason = "rebuild asked for" if force else index_damage(
        folder, server=files if files.chroma_url else None)
    if reason is None or not folder.exists():
        return None
    aside = folder.with_name(f"{folder.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
    os.replace(folder, aside)
    for cached in ("_catalog", "_dense"):  # handles opened on the old folder
        files.__dict__.pop(cached, None)
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # a new client must open the new folder
    _log.warning("index set aside to %s: %s", aside, reason)
    return aside, reason
