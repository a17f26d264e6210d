"""Where an index lives on disk, and lazy access to its parts.

One folder per `CURBSIDE_HOME`: `catalog.sqlite` (documents, versions, chunks),
`chroma/` (vectors) and `lexical/` (BM25). The encoder is shared per process because
loading it is the slowest step and it holds no per-home state.
"""

from __future__ import annotations

import os
import uuid
from functools import cached_property, lru_cache
from pathlib import Path

from retrieval.catalog import Catalog
from retrieval.dense import COLLECTION, DenseStore
from retrieval.embeddings import Embedder


@lru_cache(maxsize=4)
def shared_embedder(cache_dir: Path, quantized: bool, threads: int = 0) -> Embedder:
    """One encoder per process and variant: ONNX sessions are thread-safe for inference."""
    return Embedder(cache_dir, quantized=quantized, threads=threads)


class IndexFiles:
    """The on-disk parts of one index, opened on first use."""

    def __init__(
        self,
        folder: Path,
        *,
        model_cache: Path,
        quantized: bool = True,
        chroma_url: str | None = None,
        encoder_threads: int = 0,
    ) -> None:
        self.folder = folder
        self.encoder_threads = encoder_threads
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
        return shared_embedder(self.model_cache, self.quantized, self.encoder_threads)

    def dense(self) -> DenseStore:
        return self._dense

    @cached_property
    def _dense(self) -> DenseStore:
        if not self.chroma_url:
            return DenseStore(self.folder / "chroma")
        return DenseStore(self.folder / "chroma", url=self.chroma_url,
                          collection=self.server_collection())

    def server_collection(self) -> str:
        """This index's collection on a Chroma server, named once in `chroma-collection`.

        A server is shared (by every worker, and by every home pointed at it: a site's
        index, each eval corpus, a staging copy), while the catalog and keyword index live
        in this folder; one fixed name would let any of them overwrite the others' vectors.
        The name is kept with the folder, so workers that share the folder (or a copy of
        it) find the same vectors, and a rebuilt folder starts a collection of its own.
        """
        path = self.folder / "chroma-collection"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
            draft.write_text(f"{COLLECTION}_{uuid.uuid4().hex[:16]}\n", encoding="utf-8")
            try:
                os.link(draft, path)  # atomic: the first process to name it wins
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text(encoding="utf-8").strip()
