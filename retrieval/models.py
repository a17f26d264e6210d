"""Pydantic types that cross the retrieval boundary.

Routes, templates, credit capture and evals only ever see these, never library objects.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, computed_field, field_validator

_WEB_URL = ("http://", "https://")


def web_url(value: str) -> str:
    """Links shown to clinicians must be web pages: a `javascript:` or `data:` URL from a
    card or a corpus would run in the reader's browser. Empty means "no link"."""
    if value and not value.strip().lower().startswith(_WEB_URL):
        raise ValueError("must be an http(s) URL")
    return value


class Source(BaseModel):
    """A cited guideline or reference: organisation, title, year and URL, plus the version
    that a reviewer actually checked, so currency can be audited and re-checked later."""

    org: str
    title: str
    year: int
    url: str
    checked: date | None = Field(
        None, description="Date this version of the source was confirmed current."
    )
    setid: str | None = Field(None, description="DailyMed set id, for drug labels.")
    version: str | None = Field(
        None, description="Label version or revision date (drug labels, living guidelines)."
    )

    @field_validator("url")
    @classmethod
    def _web_only(cls, value: str) -> str:
        return web_url(value)


class ReviewQuestion(BaseModel):
    """One retrieval-practice item shown with a card."""

    q: str
    choices: list[str] = Field(min_length=2)
    answer: int = Field(ge=0)
    why: str

    @field_validator("choices", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: object) -> object:
        """`[2, 3, 5]` is a fine list of choices; YAML booleans (yes/no) are not, so quote them."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                    for v in value]
        return value


class Document(BaseModel):
    """One ingestible document: a content card or a record of a JSONL corpus."""

    id: str
    title: str
    text: str
    url: str = ""
    source: str = ""
    published: str | None = None
    specialty: list[str] = Field(default_factory=list)
    kind: str = "record"  # "card" or "record"
    status: str = "approved"
    review_due: date | None = None
    meta: dict = Field(default_factory=dict)

    def is_servable(self, today: date) -> bool:
        """Only demo/approved content within its review date may reach a clinician."""
        if self.status not in {"demo", "approved"}:
            return False
        return self.review_due is None or self.review_due >= today


class Chunk(BaseModel):
    """A retrievable passage: one card section or a few sentences of a record."""

    chunk_id: str
    doc_id: str
    section: str = ""
    text: str
    embed_text: str
    dense: bool = True  # False: found by BM25 only (the document has a dense lead chunk)


class Passage(BaseModel):
    """A search hit, with the scores the fusion and abstention rules use."""

    chunk_id: str
    doc_id: str
    title: str
    url: str
    section: str
    text: str
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    # The part of `score` given for naming the question's rarest term: it orders documents
    # but is no evidence of coverage, so the abstention margin leaves it out.
    boost: float = 0.0
    doc_hash: str = ""
    demo: bool = False
    kind: str = "record"
    reviewed: str | None = None  # the card's last_reviewed date, shown with the answer


class Citation(BaseModel):
    """One cited document: the answer object lists these most relevant first."""

    doc_id: str
    title: str
    url: str
    snippet: str
    score: float
    version: str = ""
    demo: bool = False
    last_reviewed: str | None = None


class Suggestion(BaseModel):
    """A near-miss card offered when Curbside abstains ("did you mean …")."""

    doc_id: str
    title: str


class Answer(BaseModel):
    """What the composer returns before it is logged as an inquiry."""

    answer: str
    abstained: bool
    abstain_reason: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    mode: str = "extractive"
    sentences: list[tuple[str, str]] = Field(
        default_factory=list, description="(sentence, doc_id) pairs the answer is made of."
    )
    signals: dict = Field(default_factory=dict, description="Evidence signals behind it.")
    confidence: str = Field("high", description="'high', or 'low' when the match is weak.")
    calculations: list[str] = Field(
        default_factory=list,
        description="Lines computed from a quoted rule (weight-based doses); each follows "
        "the sentence it was computed from in `answer`.",
    )
    suggestions: list[Suggestion] = Field(
        default_factory=list, description="Nearest cards, offered when abstaining."
    )
    notice: str | None = Field(
        None, description="Why a model-written answer was replaced by the quoted one."
    )
    clinical: bool = Field(
        True,
        description="The question names something clinical (a drug, condition, test...). "
        "Greetings and keyboard noise do not, and never become learning episodes.",
    )

    @computed_field(description="Abstained on a clinical question: a content gap.")
    @property
    def gap(self) -> bool:
        return self.abstained and self.clinical
