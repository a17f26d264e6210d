"""Where an index lives on disk, and lazy access to its parts.

One folder per `CURBSIDE_HOME`: `catalog.sqlite` (documents, versions, chunks),
`chroma/` (vectors) and `lexical/` (BM25). The encoder is shared per process because
loading it is the slowest step and it holds no per-home state.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path

from retrieval.catalog import Catalog
from retrieval.dense import DenseStore
from retrieval.embeddings import Embedder


@lru_cache(maxsize=4)
def shared_embedder(cache_dir: Path, quantized: bool) -> Embedder:
    """One encoder per process and variant: ONNX sessions are thread-safe for inference."""
    return Embedder(cache_dir, quantized=quantized)


class IndexFiles:
    """The on-disk parts of one index, opened on first use."""

    def __init__(
        self,
        folder: Path,
        *,
        model_cache: Path,
        quantized: bool = True,
        chroma_url: str | None = None,
    ) -> None:
        self.folder = folder
        self.model_cache = model_cache
        self.quantized = quantized
        self.chroma_url = chroma_url

    @property
    def lexical_dir(self) -> Path:
        return self.folder / "lexical"

    @property
    def catalog_path(self) -> Path:
        return self.folder / "catalog.sqlite"

    def exists(self) -> bool:
        return self.catalog_path.exists() and self.lexical_dir.exists()

    def catalog(self) -> Catalog:
        return self._catalog

    @cached_property
    def _catalog(self) -> Catalog:
        return Catalog(self.catalog_path)

    def embedder(self) -> Embedder:
        return shared_embedder(self.model_cache, self.quantized)

    def dense(self) -> DenseStore:
        return self._dense

    @cached_property
    def _dense(self) -> DenseStore:
        return DenseStore(self.folder / "chroma", url=self.chroma_url)
