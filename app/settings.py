"""The one settings object: every knob Curbside reads from the environment.

Nested groups keep related knobs together; `CURBSIDE_HOME` anchors all state so two homes
never share a database or an index.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetrievalSettings(BaseModel):
    """How passages are found and when the answer abstains."""

    top_k: int = Field(8, ge=1, le=50, description="Passages handed to the composer.")
    candidates: int = Field(40, ge=5, le=200, description="Candidates fetched from each index.")
    dense_weight: float = Field(
        0.7, ge=0.0, le=1.0, description="Weight of the dense score in the fused score."
    )
    intent_weight: float = Field(
        0.06, ge=0.0, le=1.0, description="Bonus for passages that open on what was asked."
    )
    quantized: bool = Field(
        True, description="Use the int8-quantised ONNX encoder (faster ingest, same ranking)."
    )


class AnswerSettings(BaseModel):
    """Shape of the extractive answer."""

    max_words: int = Field(120, ge=20, le=400, description="Word budget of one answer.")
    max_sentences: int = Field(5, ge=1, le=12, description="Sentences quoted at most.")


class Settings(BaseSettings):
    """Runtime configuration, read from `CURBSIDE_*` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="CURBSIDE_", env_nested_delimiter="__", extra="ignore"
    )

    home: Path = Field(Path(".curbside"), description="Folder holding all state.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; defaults to SQLite inside the home folder."
    )
    chroma_url: str | None = Field(
        None, description="Chroma server URL; unset means the embedded persistent Chroma."
    )
    content_dir: Path = Field(Path("content"), description="Folder of shipped content cards.")
    model_cache: Path | None = Field(
        None,
        description="Where the exported ONNX encoder is cached; defaults to ~/.cache/curbside. "
        "A derived build artefact of the installed model package, so homes may share it.",
    )
    llm: str = Field("none", description="'none' (extractive) or 'openai'.")
    llm_model: str = Field("gpt-4o-mini", description="Model name for CURBSIDE_LLM=openai.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    allow_anonymous: bool = Field(True, description="Allow asking without signing in.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'curbside.db').resolve()}"

    @property
    def resolved_model_cache(self) -> Path:
        return self.model_cache or Path.home() / ".cache" / "curbside"
