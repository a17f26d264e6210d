"""`curbside demo seed|clear`: a realistic synthetic history so a fresh install shows a
populated planner dashboard.

Clinicians are Faker-generated (seeded: the same history every time) and cannot sign in;
questions are drawn from clinician-style question lists the caller passes in, each answered
once through the real pipeline (`answer`, injected) so abstentions, citations and
confidence are what Curbside would really log. A few topics rise in the last weeks so
"emerging" has something to show. Every row is marked: inquiries `origin="demo"`,
clinicians' e-mails end in `DEMO_DOMAIN`; `clear` removes exactly those. No credit claims
are written (they would enter the hash-chained audit log, which is never edited).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from credit_capture.episodes import CHANGE_TYPES, Episode, Reflection
from credit_capture.models import Inquiry
from insights.models import ThemeInquiry

DEMO_DOMAIN = "demo.curbside.invalid"
SPECIALTIES = ("primary-care", "emergency", "pediatrics", "cardiology", "infectious-disease",
               "womens-health", "psychiatry", "hospital-medicine")
PROFESSIONS = ("physician", "physician", "physician", "nurse-practitioner",
               "physician-assistant", "pharmacist")
BARRIERS = ("formulary restrictions", "cost to the patient", "no time in clinic",
            "order set does not allow it", "patient preference")


@dataclass(frozen=True)
class Answered:
    """What the pipeline did with one question (reused for each time it is asked)."""

    answer: str
    abstained: bool
    abstain_reason: str | None
    citations: list[dict]
    signals: dict


def seed(
    session: Session, *, questions: list[str], answer: Callable[[str], Answered],
    user_model, today: date, inquiries: int = 2000, clinicians: int = 150, weeks: int = 12,
    seed_value: int = 11,
) -> dict[str, int]:
    """Write the history; `user_model` is the app's User table (insights never imports
    app/). Refuses to seed twice: clear first."""
    from faker import Faker

    if session.exec(select(Inquiry.id).where(Inquiry.origin == "demo").limit(1)).first():
        raise ValueError("demo data is already there: run `curbside demo clear` first")
    rng = random.Random(seed_value)
    fake = Faker("en_US")
    fake.seed_instance(seed_value)
    people = []
    for i in range(clinicians):
        user = user_model(
            id=f"demo{i:04d}", email=f"clinician{i:04d}@{DEMO_DOMAIN}",
            first_name=fake.first_name(), last_name=fake.last_name(), role="learner",
            password_hash="!demo account: cannot sign in", active=False,
            specialty=rng.choice(SPECIALTIES), profession=rng.choice(PROFESSIONS),
        )
        session.add(user)
        people.append(user.id)
    pool = sorted(set(questions))
    rng.shuffle(pool)
    rising = set(pool[:max(len(pool) // 25, 1)])  # these are asked more in the last weeks
    answered = {q: answer(q) for q in pool}
    end = datetime.combine(today, datetime.min.time(), UTC)
    start = end - timedelta(weeks=weeks)
    weights_early = [0.2 if q in rising else 1.0 for q in pool]
    weights_late = [6.0 if q in rising else 1.0 for q in pool]
    reflections = 0
    for n in range(inquiries):
        moment = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        late = moment >= end - timedelta(weeks=4)
        question = rng.choices(pool, weights_late if late else weights_early)[0]
        result = answered[question]
        learner = rng.choice(people)
        inquiry = Inquiry(
            id=f"demo{n:06d}", question=question, answer=result.answer,
            abstained=result.abstained, abstain_reason=result.abstain_reason,
            learner_id=learner, origin="demo", created_at=moment, latency_ms=40.0,
            citations=result.citations, signals=result.signals,
        )
        session.add(inquiry)
        if rng.random() < 0.3:
            reflections += _reflect(session, inquiry, rng)
    session.commit()
    return {"clinicians": clinicians, "inquiries": inquiries, "questions": len(pool),
            "reflections": reflections}


def _reflect(session: Session, inquiry: Inquiry, rng: random.Random) -> int:
    at = inquiry.created_at + timedelta(hours=rng.randint(1, 72))
    episode = Episode(
        id=f"e{inquiry.id}", learner_id=inquiry.learner_id, question=inquiry.question,
        abstained=inquiry.abstained, status="reflected", inquiry_id=inquiry.id,
        sources=inquiry.citations, asked_at=inquiry.created_at, opened_at=inquiry.created_at,
        due_at=inquiry.created_at + timedelta(days=30),
    )
    outcome = rng.choices(("changed", "confirmed", "reinforced"), (35, 40, 25))[0]
    session.add(episode)
    session.add(Reflection(
        id=f"r{inquiry.id}", episode_id=episode.id, learner_id=inquiry.learner_id,
        reason=rng.choice(("patient care", "curiosity", "teaching")),
        answered="no" if inquiry.abstained else rng.choice(("yes", "yes", "partly")),
        outcome=outcome, created_at=at,
        change_types=rng.sample(CHANGE_TYPES, rng.randint(1, 2)) if outcome == "changed" else [],
        own_sources=["UpToDate"] if inquiry.abstained else [],
        barriers=rng.choice(BARRIERS) if rng.random() < 0.25 else None, fields_touched=4,
    ))
    return 1


def clear(session: Session, *, user_model) -> dict[str, int]:
    """Remove every demo row (and nothing else)."""
    demo = select(Inquiry.id).where(Inquiry.origin == "demo")
    episodes = select(Episode.id).where(Episode.inquiry_id.in_(demo))
    counts = {
        "reflections": session.execute(
            delete(Reflection).where(Reflection.episode_id.in_(episodes))).rowcount,
        "episodes": session.execute(
            delete(Episode).where(Episode.inquiry_id.in_(demo))).rowcount,
    }
    session.execute(delete(ThemeInquiry).where(ThemeInquiry.inquiry_id.in_(demo)))
    counts["inquiries"] = session.execute(delete(Inquiry).where(Inquiry.origin == "demo")
                                          ).rowcount
    counts["clinicians"] = session.execute(
        delete(user_model).where(user_model.email.like(f"%@{DEMO_DOMAIN}"))).rowcount
    session.commit()
    return counts
