"""Inquiry logs for insights tests: three clear topics asked by distinct clinicians."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from credit_capture.models import Inquiry

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # ISO week 2026-W45

TOPICS = {
    "warfarin": [
        "warfarin reversal for INR 9 with no bleeding",
        "supratherapeutic INR 6 on warfarin what to do",
        "vitamin K dose for high INR on warfarin",
        "INR 12 on warfarin with minor bleeding, how to reverse",
        "how to reverse warfarin before urgent surgery",
        "warfarin INR 8: hold the dose or give vitamin K?",
    ],
    "croup": [
        "croup dexamethasone dose",
        "dexamethasone dose for croup in a 3 year old",
        "nebulized epinephrine for croup: when?",
        "croup with stridor at rest: which treatment first?",
        "oral dexamethasone for mild croup?",
        "croup steroids in the ED, which dose",
    ],
    "gout": [
        "colchicine dose for an acute gout flare",
        "gout flare treatment when the patient has CKD",
        "start allopurinol during an acute gout flare?",
        "febuxostat or allopurinol for gout",
        "acute gout: NSAID or colchicine first",
        "gout urate target and allopurinol titration",
    ],
}
CARD = {"croup": ("croup-dexamethasone-dosing", "Croup: dexamethasone dosing"),
        "warfarin": ("warfarin-reversal", "Warfarin reversal")}


def add_inquiry(session: Session, question: str, *, n: int, topic: str, clinician: str | None,
                week: int = 0, origin: str = "web", abstained: bool | None = None) -> Inquiry:
    """Inquiry number `n` (its id sorts by n); gout questions abstain unless told."""
    abstained = topic == "gout" if abstained is None else abstained
    doc = CARD.get(topic)
    inquiry = Inquiry(
        id=f"q{n:05d}", question=question, learner_id=clinician, origin=origin,
        created_at=MONDAY + timedelta(weeks=week, hours=n % 40),
        abstained=abstained, answer="" if abstained else "An answer [1].",
        citations=[] if abstained or doc is None else [
            {"doc_id": doc[0], "title": doc[1], "url": "https://x", "version": "v1",
             "score": 0.8}],
        signals={"decision_score": -1.0 if abstained else 2.5},
    )
    session.add(inquiry)
    return inquiry


def seed_topics(session: Session, *, start: int = 0, week: int = 0) -> int:
    """Each topic's questions from six distinct clinicians; returns the next free n."""
    n = start
    for topic, questions in TOPICS.items():
        for i, question in enumerate(questions):
            add_inquiry(session, question, n=n, topic=topic, clinician=f"c{i}", week=week)
            n += 1
    session.commit()
    return n
