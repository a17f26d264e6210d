"""The one settings object: every knob Curbside reads from the environment.

Nested groups keep related knobs together; `CURBSIDE_HOME` anchors all state so two homes
never share a database or an index.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from credit_capture.audit import DEFAULT_SECRET as DEFAULT_AUDIT_SECRET
from credit_capture.mail import SmtpSettings
from insights.settings import InsightsSettings
from integrations.config import EhrSettings


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
    encoder_threads: int = Field(
        0, ge=0, le=64,
        description="Threads of the question encoder per process; 0 = up to 2. "
        "`curbside serve --workers N` sets cores / N so workers do not compete for cores.",
    )


class AnswerSettings(BaseModel):
    """Shape of the extractive answer."""

    max_words: int = Field(160, ge=20, le=400, description="Word budget of one answer.")
    max_sentences: int = Field(6, ge=1, le=12, description="Sentences quoted at most.")


class SynthesisSettings(BaseModel):
    """Limits of `CURBSIDE_LLM=openai`: every way a model can fail ends within them in the
    extractive answer with a notice."""

    max_tokens: int = Field(
        300, ge=16, le=4096,
        description="Longest draft in tokens (sent as max_completion_tokens and max_tokens).",
    )
    timeout_s: float = Field(
        20.0, gt=0, le=300, description="Seconds the whole draft may take before fallback."
    )
    max_passages: int = Field(5, ge=1, le=20, description="Passages fenced into the prompt.")
    passage_text: Literal["section", "quoted"] = Field(
        "section",
        description="'section': each passage is its card section (up to 1,500 characters); "
        "'quoted': only the sentences the extractive answer quoted from it, so a small local "
        "model reads a few hundred tokens instead of a thousand before its first word.",
    )
    min_share: float = Field(
        0.34, ge=0, le=1,
        description="Share of the draft's claims that must be verified, else extractive "
        "(every shown sentence is verified either way; a mostly invented draft is a warning).",
    )


class DatabaseSettings(BaseModel):
    """Connection pool of the database engine, shared by every request of one worker.

    Each request borrows at most one connection, only while it reads or writes (never while
    an answer is being computed), so a small pool serves many concurrent clinicians; when
    it is exhausted a request waits `pool_timeout` seconds and is then answered 503
    instead of piling up behind a 30-second default.
    """

    pool_size: int = Field(
        10, ge=1, le=500, description="Connections kept open per worker process."
    )
    max_overflow: int = Field(
        20, ge=0, le=500, description="Extra connections opened under bursts, closed after use."
    )
    pool_timeout: float = Field(
        5.0, gt=0, le=120,
        description="Seconds a request waits for a free connection before HTTP 503.",
    )
    sqlite_busy_timeout: float = Field(
        10.0, gt=0, le=120,
        description="Seconds a SQLite write waits for another process's write to finish.",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        "NORMAL",
        description="SQLite durability: NORMAL keeps every commit through a crash or kill -9 "
        "of the server; FULL also through power loss, at an fsync (~5 ms) per write.",
    )


class WebSettings(BaseModel):
    """Limits of the web surface."""

    max_body_bytes: int = Field(
        1_048_576, ge=1024, le=1_073_741_824,
        description="Largest request body accepted (HTTP 413 beyond): questions, forms and "
        "reflections are a few kilobytes; this stops memory-exhausting uploads.",
    )
    trusted_origins: list[str] = Field(
        default_factory=list,
        description="Other origins (https://host[:port]) whose pages may post forms here, "
        "e.g. the public URL when a reverse proxy rewrites the Host header; JSON list.",
    )


class AuthSettings(BaseModel):
    """Sign-in throttling and credential lifetimes."""

    max_failures: int = Field(
        5, ge=1, le=1000,
        description="Failed sign-ins to one e-mail address within the window that lock it.",
    )
    ip_max_failures: int = Field(
        30, ge=1, le=100_000,
        description="Failed sign-ins from one client address within the window that lock "
        "that address (password spraying across many e-mails).",
    )
    failure_window_minutes: float = Field(
        15, gt=0, le=10_080, description="Minutes over which failures are counted."
    )
    lockout_minutes: float = Field(
        15, gt=0, le=10_080,
        description="Minutes a locked e-mail or address is refused (HTTP 429, Retry-After).",
    )
    token_days: int = Field(
        90, ge=1, le=3650, description="Days an API token is valid after it is issued."
    )


class AuditSettings(BaseModel):
    """Keys of the credit audit log (see `credit_capture.audit`)."""

    secret: SecretStr = Field(
        SecretStr(DEFAULT_AUDIT_SECRET),
        description="HMAC key of the audit log: kept out of the database, so a chain "
        "recomputed by someone with only database access is caught. The default is public "
        "(production mode refuses it); changing it makes earlier events fail verification.",
    )
    head_file: Path | None = Field(
        None,
        description="Where the signed newest (seq, hash) is kept to catch truncation; "
        "default: beside the SQLite file, or audit-head.json in the home.",
    )


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
    llm: Literal["none", "openai"] = Field(
        "none", description="'none' (extractive) or 'openai' (any OpenAI-compatible endpoint)."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name for CURBSIDE_LLM=openai.")
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url"),
        description="OPENAI_BASE_URL: the endpoint (hosted, vLLM, llama.cpp, Ollama …/v1).",
    )
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key"),
        description="OPENAI_API_KEY: bearer key for the endpoint (local servers ignore it).",
    )
    synthesis: SynthesisSettings = Field(
        default_factory=SynthesisSettings, description="Limits of model-written answers."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    allow_anonymous: bool = Field(True, description="Allow asking without signing in.")
    credit_rules: Path | None = Field(
        None,
        description="The accredited provider's credit rules file (provider, accreditation, "
        "credit types by profession, caps); unset = the shipped demonstration rules.",
    )
    frozen_date: date | None = Field(
        None,
        description="Pin 'today' (YYYY-MM-DD) for review-date checks. Tests and CI pin it so "
        "that a future calendar date never fails the build; unset in production.",
    )
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    insights: InsightsSettings = Field(
        default_factory=InsightsSettings, description="Themes, gaps and k-anonymity for planners."
    )
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    auth: AuthSettings = Field(
        default_factory=AuthSettings, description="Sign-in lockout and API token lifetime."
    )
    audit: AuditSettings = Field(
        default_factory=AuditSettings, description="Audit log secret and signed head."
    )
    production: bool = Field(
        False, description="Production mode: refuse to start with a default secret."
    )
    smart_clients: dict[str, str] = Field(
        default_factory=dict,
        description='SMART App Launch: registered EHRs, JSON {"<iss>": "<client_id>"}; '
        "a launch from any other issuer is refused.",
    )
    ehr: EhrSettings = Field(
        default_factory=EhrSettings, description="Infobutton, SMART launch and CDS Hooks."
    )
    smtp: SmtpSettings = Field(
        default_factory=SmtpSettings,
        description="SMTP relay for practice-check and reflection reminders (off by default).",
    )

    @model_validator(mode="after")
    def _no_default_secret_in_production(self):
        if self.production and self.audit.secret.get_secret_value() == DEFAULT_AUDIT_SECRET:
            raise ValueError(
                "production mode needs its own audit secret: set CURBSIDE_AUDIT__SECRET to "
                "a long random value (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))') and keep it out of the database host's "
                "backups"
            )
        return self

    def recordable(self) -> dict:
        """The settings as stored beside an eval run: no paths, URLs or secrets (a
        PostgreSQL URL carries its password, and runs are shown in the browser)."""
        return _without_secrets(self.model_dump(mode="json"))

    def today(self) -> date:
        """The clock every review-date decision reads: one seam, frozen in tests."""
        return self.frozen_date or date.today()

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'curbside.db').resolve()}"

    @property
    def resolved_model_cache(self) -> Path:
        return self.model_cache or Path.home() / ".cache" / "curbside"


_UNRECORDED = ("home", "model_cache", "content_dir")
_SECRET_ENDINGS = ("_url", "url", "_key", "key", "secret", "password", "token")


def _without_secrets(data: dict) -> dict:
    return {
        name: _without_secrets(value) if isinstance(value, dict) else value
        for name, value in data.items()
        if name not in _UNRECORDED and not name.lower().endswith(_SECRET_ENDINGS)
    }
