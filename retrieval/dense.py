"""Dense passage search in Chroma (embedded persistent client, or a Chroma server).

Chroma never embeds anything itself: vectors come from our own `Embedder`, because Chroma's
default embedding function downloads a model, which this deployment must never do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from retrieval.errors import VectorStoreUnavailable

COLLECTION = "curbside_passages"
_BATCH = 4000


class DenseStore:
    """Chunk vectors keyed by chunk id, with the document id as metadata."""

    def __init__(self, path: Path, *, url: str | None = None,
                 collection: str = COLLECTION) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self._url = url
        if url:
            parsed = urlparse(url)
            with self._reachable():
                self._client = chromadb.HttpClient(
                    host=parsed.hostname or "127.0.0.1",
                    port=parsed.port or 8000,
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        with self._reachable():
            self._collection = self._client.get_or_create_collection(
                collection, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A Chroma server that is down is not a damaged index: say which server, and that
        answers resume once it is back (the HTTP client reconnects by itself)."""
        import httpx

        try:
            yield
        except (httpx.TransportError, ConnectionError) as exc:
            if not self._url:
                raise
            raise VectorStoreUnavailable(
                f"The Chroma server at {self._url} cannot be reached "
                f"({type(exc).__name__}); answers resume once it is back "
                "(start it with `chroma run`, or check CURBSIDE_CHROMA_URL)."
            ) from exc

    def count(self) -> int:
        with self._reachable():
            return self._collection.count()

    def upsert(self, ids: list[str], doc_ids: list[str], vectors: np.ndarray) -> None:
        for start in range(0, len(ids), _BATCH):
            end = start + _BATCH
            with self._reachable():
                self._collection.upsert(
                    ids=ids[start:end],
                    embeddings=vectors[start:end],
                    metadatas=[{"doc_id": d} for d in doc_ids[start:end]],
                )

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _BATCH):
            with self._reachable():
                self._collection.delete(ids=ids[start : start + _BATCH])

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, best first."""
        if k <= 0:
            return []
        # No count() first: it costs as much as the query itself (~5 ms a call, twice per
        # question), and Chroma simply returns fewer results (none when empty) past the end.
        with self._reachable():
            result = self._collection.query(
                query_embeddings=vector.reshape(1, -1), n_results=k, include=["distances"]
            )
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]
