"""JSON API under /api/v1: thin routes that parse, call the service and return a model."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.deps import CurbsideDep, CurrentUserDep, SessionDep
from app.errors import SignInRequired
from credit_capture.errors import InquiryNotFound
from credit_capture.models import InquiryPublic

router = APIRouter(prefix="/api/v1", tags=["api"])


class AskRequest(BaseModel):
    question: str = Field(description="The clinical question, up to 2,000 characters.")
    specialty: str | None = Field(None, description="Restrict to one specialty's content.")
    follow_up_to: str | None = Field(
        None, max_length=64,
        description="Your previous inquiry's id: a follow-up ('and if stridor at rest?') "
        "then keeps that question's topic.",
    )


class CitationOut(BaseModel):
    doc_id: str
    title: str
    url: str
    snippet: str
    score: float
    last_reviewed: str | None = Field(None, description="When the cited card was reviewed.")


class SuggestionOut(BaseModel):
    doc_id: str
    title: str


class AnswerOut(BaseModel):
    question: str
    answer: str
    abstained: bool
    abstain_reason: str | None
    citations: list[CitationOut]
    mode: str
    confidence: str = Field("high", description="'low' when the match is weak: check the card.")
    calculations: list[str] = Field(
        default_factory=list, description="Doses computed from a quoted per-kg rule."
    )
    suggestions: list[SuggestionOut] = Field(
        default_factory=list, description="Nearest cards, when the answer abstains."
    )
    gap: bool = Field(False, description="Abstained on a clinical question: logged as a gap.")
    notice: str | None = Field(
        None, description="Set when a model-written answer was replaced by the quoted one."
    )
    follow_up: bool = Field(False, description="Read as a follow-up of `follow_up_to`.")
    demo: bool = Field(description="True when a cited card is demonstration content.")
    latency_ms: float
    inquiry_id: str
    episode_id: str | None = Field(None, description="Learning episode (signed-in learners).")


@router.post("/ask", response_model=AnswerOut, summary="Answer a question from vetted content")
def ask(body: AskRequest, curbside: CurbsideDep, user: CurrentUserDep,
        session: SessionDep) -> dict:
    if user is None and not curbside.settings.allow_anonymous:
        raise SignInRequired()
    learner_id = user.id if user else None
    return curbside.ask(body.question, specialty=body.specialty, learner_id=learner_id,
                        session=session, follow_up_to=body.follow_up_to).as_dict()


@router.get("/inquiries/{inquiry_id}", response_model=InquiryPublic, summary="A logged inquiry")
def inquiry(inquiry_id: str, curbside: CurbsideDep, user: CurrentUserDep, session: SessionDep):
    """Anonymous inquiries are readable by id; a learner's own only by that learner or staff."""
    found = curbside.inquiry(inquiry_id, session=session)
    someone_else = user is None or (user.id != found.learner_id and user.role == "learner")
    if found.learner_id and someone_else:
        raise InquiryNotFound(f"No inquiry with id {inquiry_id!r}.")
    return found
