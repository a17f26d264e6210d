"""Claimed cycles at fixed moments, for the practice-check and reminder tests.

Built through the credit domain functions with an explicit clock (never the machine's
date), on real shipped cards, so a test can say "claimed on 30 November" and then look at
the app as it stands on 7 December.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from credit_capture import claims, episodes
from credit_capture.models import Inquiry
from credit_capture.store import save_inquiry

CROUP = "croup-dexamethasone-dosing"
AF = "af-anticoagulation-cha2ds2-vasc"
QUESTION = "croup 14 kg child barky cough dexamethasone dose"
REFLECTION = {"reason": "Managing a current patient", "relevance": "totally",
              "outcome": "confirmed", "patient_use": "yes", "health_benefit": "yes",
              "practice_change": "No change: it confirmed the single oral dose I use."}


def asked(curbside, user, *, at: datetime, cards: list[str], question: str = QUESTION):
    """An episode opened by a question asked at ``at`` whose answer cited ``cards``."""
    citations = [{"doc_id": c, "title": c, "url": f"/content/{c}", "version": "v1",
                  "score": 0.8, "demo": True} for c in cards]
    with Session(curbside.engine, expire_on_commit=False) as session:
        inquiry = save_inquiry(session, Inquiry(question=question, learner_id=user.id,
                                                created_at=at, citations=citations))
        return episodes.open_episode(
            session, inquiry=inquiry, now=at,
            window_days=curbside.credit_rules.reflection_window_days)


def claimed(curbside, user, *, at: datetime, cards: list[str],
            opened: list[str] | None = None, question: str = QUESTION):
    """A cycle asked, read (``opened``, default the first card), reflected and claimed at
    ``at`` (plus a minute)."""
    episode = asked(curbside, user, at=at, cards=cards, question=question)
    later = at + timedelta(minutes=1)
    with Session(curbside.engine, expire_on_commit=False) as session:
        for card in opened if opened is not None else cards[:1]:
            episodes.record_opened(session, inquiry_id=episode.inquiry_id, learner_id=user.id,
                                   doc_id=card, via="card", now=at)
        episodes.record_reflection(session, episode_id=episode.id, learner_id=user.id,
                                   data=REFLECTION, now=later, require_opened=True)
        claims.claim_credit(session, episode_id=episode.id, learner_id=user.id,
                            credit_type="ama_pra_1", rules=curbside.credit_rules, now=later,
                            profession="physician")
    return episode
