"""The facts the planner pages count (copied onto each embedding row, migration 0012):
filled for a database of the previous release, kept for new questions, copied again
after an edit, and counted exactly as the inquiry rows themselves would be."""

from __future__ import annotations

from datetime import UTC, timedelta

import sqlalchemy as sa
from sqlalchemy import insert, update
from sqlmodel import Session, select

from app.db import current_revision, head_revision
from app.insights_service import insights_of
from app.services import Curbside
from credit_capture.models import Inquiry
from insights import signals, store
from insights.models import Theme, ThemeInquiry
from insights.settings import InsightsSettings
from insights.signals import Period
from tests.factories import database_at
from tests.insights_data import MONDAY, add_inquiry, seed_topics

WEEK = (MONDAY - timedelta(days=1), MONDAY + timedelta(days=7))


def _release_0011(url: str) -> None:
    """A database of the release before the facts: schema 0011, a theme of eight questions
    from six clinicians (two abstained, one low-confidence answer) and an eval question."""
    with database_at(url, "0011") as connection:
        connection.execute(insert(Theme), [{
            "id": "tw", "label": "warfarin inr", "terms": ["warfarin"], "cards": [],
            "near_cards": [], "centroid": b"\0" * 8, "size": 8, "active": True,
            "created_at": MONDAY, "updated_at": MONDAY}])
        rows = [{"id": f"q{n}", "question": f"warfarin question {n}", "origin": "web",
                 "learner_id": f"c{n % 6}", "created_at": MONDAY + timedelta(hours=n),
                 "abstained": n < 2, "signals": {"decision_score": (-1.0, -1.0, 0.5)[n]
                                                 if n < 3 else 2.5},
                 "citations": [], "phi_kinds": []} for n in range(8)]
        rows.append({**rows[0], "id": "e1", "origin": "eval", "learner_id": None})
        connection.execute(insert(Inquiry), rows)
        old = sa.table("insight_inquiry", *[sa.column(c) for c in (
            "inquiry_id", "theme_id", "similarity", "vector", "model")])
        connection.execute(insert(old), [{"inquiry_id": f"q{n}", "theme_id": "tw",
                                          "similarity": 0.9, "vector": b"\0" * 8,
                                          "model": "m"} for n in range(8)])


def test_previous_release_database_gets_its_facts_filled_and_counted(settings):
    _release_0011(settings.database_url)
    assert current_revision(settings.database_url) == "0011"
    curbside = Curbside(settings)
    with Session(curbside.engine) as session:  # first use upgrades
        kept = {t.inquiry_id: t for t in session.exec(select(ThemeInquiry))}
        asked = {i.id: i for i in session.exec(select(Inquiry))}
        assert store.facts_in_step(session)
    assert current_revision(settings.database_url) == head_revision()
    assert sorted(kept) == [f"q{n}" for n in range(8)] and len(asked) == 9  # no row lost
    assert {t.theme_id for t in kept.values()} == {"tw"}
    for inquiry_id, row in kept.items():
        inquiry = asked[inquiry_id]
        assert (row.created_at, row.learner_id, row.abstained, row.origin) == (
            inquiry.created_at, inquiry.learner_id, inquiry.abstained, inquiry.origin)
        assert row.decision_score == inquiry.signals["decision_score"]
    shown, _ = insights_of(curbside).themes(start=WEEK[0], end=WEEK[1])
    [theme] = shown
    assert (theme.id, theme.questions, theme.clinicians, theme.abstention_rate) == (
        "tw", 8, 6, 0.25)
    with Session(curbside.engine) as session:
        counted = store.tallies(session, low_confidence=1.0)
    assert sum(t.gaps for t in counted) == 3  # two abstentions and the 0.5 answer


def test_counts_from_the_facts_equal_counts_from_the_inquiry_rows(curbside):
    with Session(curbside.engine) as session:
        n = seed_topics(session)
        for i in range(6):  # a second week, some signed out, some low-confidence
            add_inquiry(session, "croup dexamethasone dose again", n=n + i, topic="croup",
                        clinician=None if i == 0 else f"c{i}", week=1)
        session.commit()
        session.execute(update(Inquiry).where(Inquiry.id == f"q{n + 1:05d}")
                        .values(signals={"decision_score": 0.4}))
        session.commit()
    insights = insights_of(curbside)
    insights.rebuild()
    settings = InsightsSettings()
    period = Period(MONDAY.date() - timedelta(days=7), MONDAY.date() + timedelta(days=14))
    start, end = period.bounds()
    since = signals.recent_from(period, settings)[2]
    for chosen in (None, {"c1", "c2", "c3"}):
        with Session(curbside.engine) as session:
            rows = [r for r in store.rows(session, start=start, end=end)
                    if chosen is None or r.clinician in chosen]
            counted = store.tallies(session, start=start, end=end, clinicians=chosen,
                                    recent_from=since,
                                    low_confidence=settings.low_confidence_score)
            labels, edges = signals.week_edges(period)
            weeks = store.weekly(session, edges, start=start, end=end, clinicians=chosen)
        assert sorted(counted, key=repr) == sorted(signals.tally_rows(rows, since, settings),
                                                   key=repr)
        assert signals.weeks_shown(labels, weeks, 1) == signals.weekly_volume(rows, period, 1)
    assert sum(t.gaps for t in counted) > sum(t.abstained for t in counted)  # the 0.4 one


def test_an_edited_inquiry_is_counted_as_it_is_now(curbside):
    with Session(curbside.engine) as session:
        seed_topics(session)
    insights = insights_of(curbside)
    insights.rebuild()
    warfarin = ["q00000", "q00001", "q00002"]
    with Session(curbside.engine) as session:  # marked unanswered by hand, one anonymised
        session.execute(update(Inquiry).where(Inquiry.id.in_(warfarin))
                        .values(abstained=True))
        session.execute(update(Inquiry).where(Inquiry.id == "q00003")
                        .values(learner_id=None))
        session.commit()
        assert not store.facts_in_step(session)
    assert insights.join_new() == 0  # nothing new to embed; the facts are copied again
    with Session(curbside.engine) as session:
        assert store.facts_in_step(session)
        facts = {t.inquiry_id: (t.abstained, t.learner_id)
                 for t in session.exec(select(ThemeInquiry))}
    assert [facts[i][0] for i in warfarin] == [True] * 3 and facts["q00003"][1] is None
    shown, _ = insights.themes(start=MONDAY - timedelta(days=1), end=MONDAY + timedelta(days=7))
    theme = next(t for t in shown if any("warfarin" in term for term in t.terms))
    assert (theme.questions, theme.clinicians, theme.abstention_rate) == (6, 5, 0.5)


def test_a_new_question_is_embedded_with_its_facts(curbside):
    with Session(curbside.engine) as session:
        n = seed_topics(session)
    insights = insights_of(curbside)
    insights.rebuild()
    with Session(curbside.engine) as session:
        model = session.exec(select(ThemeInquiry.model)).first()
        assert not store.has_unembedded(session, model)
        add_inquiry(session, "vitamin K for INR 10 on warfarin", n=n, topic="warfarin",
                    clinician="c9", week=2)
        session.commit()
        assert store.has_unembedded(session, model)
    insights.join_new()
    with Session(curbside.engine) as session:
        row = session.get(ThemeInquiry, f"q{n:05d}")
        assert not store.has_unembedded(session, model) and store.facts_in_step(session)
    assert (row.learner_id, row.abstained, row.decision_score, row.origin) == (
        "c9", False, 2.5, "web")
    assert row.created_at.replace(tzinfo=UTC) == MONDAY + timedelta(weeks=2, hours=n % 40)
