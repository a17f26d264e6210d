"""What the synthesis path needs to know, as plain values (the app maps its settings here)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SynthesisConfig(BaseModel):
    """Endpoint, limits and the guard's fallback rule for one OpenAI-compatible model."""

    base_url: str | None = Field(None, description="OpenAI-compatible base URL (…/v1).")
    api_key: str | None = Field(None, description="Bearer key; local servers accept any.")
    model: str = Field("gpt-4o-mini", description="Model name sent with each request.")
    max_tokens: int = Field(300, ge=16, le=4096, description="Longest draft, in tokens.")
    timeout_s: float = Field(
        20.0, gt=0, le=300, description="Whole-draft deadline; later text is not waited for."
    )
    temperature: float = Field(0.0, ge=0, le=2, description="0: the same question, the same draft.")
    max_passages: int = Field(5, ge=1, le=20, description="Passages fenced into the prompt.")
    passage_text: Literal["section", "quoted"] = Field(
        "section", description="What each fenced passage holds: its card section, or only "
        "the sentences the quoted answer took from it (a short prompt for small models).",
    )
    max_sentences: int = Field(5, ge=1, le=12, description="Sentences the model is asked for.")
    min_claims: int = Field(1, ge=1, description="Fewer verified claims: extractive fallback.")
    min_share: float = Field(
        0.34, ge=0, le=1,
        description="Share of the draft's claims that must survive, else extractive fallback.",
    )
