"""Long periods (migrations 0013 and 0014): a database of the previous release upgrades
keeping every row, and a long period's per-(theme, clinician) count and reflections, which
on SQLite come through two new indexes instead of the date range, give exactly what the
date-range reads and the rows themselves give, reflections in the same order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, insert
from sqlmodel import Session, select

from app.db import current_revision, head_revision
from app.services import Curbside
from credit_capture.episodes import CHANGE_TYPES, Episode, Reflection
from credit_capture.models import Inquiry
from insights import signals, store
from insights.models import Theme, ThemeInquiry
from insights.settings import InsightsSettings
from insights.signals import Period
from tests.factories import database_at
from tests.insights_data import MONDAY

CLINICIANS = [f"c{n}" for n in range(7)]


def _release_0012(url: str) -> None:
    """A database of the release before the indexes: schema 0012, two themes and questions
    without one, spread over 40 weeks, some signed out, abstained or low-confidence, an
    eval question that never counts, and a reflection on every fourth signed-in one."""
    with database_at(url, "0012") as connection:
        connection.execute(insert(Theme), [{
            "id": theme, "label": theme, "terms": [theme], "cards": [], "near_cards": [],
            "centroid": b"\0" * 8, "size": 1, "active": True, "created_at": MONDAY,
            "updated_at": MONDAY} for theme in ("ta", "tb")])
        asked, facts = [], []
        for n in range(400):
            when = MONDAY - timedelta(weeks=n % 40, hours=n % 30)
            who = None if n % 11 == 0 else CLINICIANS[n % 7]
            score = -1.0 if n % 6 == 0 else (0.5 if n % 9 == 0 else 2.5)
            origin = "eval" if n == 5 else "web"
            asked.append({"id": f"q{n:04d}", "question": f"question {n}", "origin": origin,
                          "learner_id": who, "created_at": when, "abstained": score < 0,
                          "signals": {"decision_score": score}, "citations": [],
                          "phi_kinds": []})
            facts.append({"inquiry_id": f"q{n:04d}", "theme_id": (None, "ta", "tb")[n % 3],
                          "similarity": 0.9, "vector": b"\0" * 8, "model": "m",
                          "created_at": when, "learner_id": who, "abstained": score < 0,
                          "decision_score": score, "origin": origin})
        connection.execute(insert(Inquiry), asked)
        connection.execute(insert(ThemeInquiry), facts)
        reflected = [a for a in asked[::4] if a["learner_id"]]
        connection.execute(insert(Episode), [{
            "id": f"e{a['id']}", "learner_id": a["learner_id"], "question": "q",
            "abstained": a["abstained"], "status": "reflected", "inquiry_id": a["id"],
            "sources": [], "joined": [], "opened": [], "asked_at": a["created_at"],
            "opened_at": a["created_at"], "due_at": a["created_at"] + timedelta(days=30)}
            for a in reflected])
        connection.execute(insert(Reflection), [{
            "id": f"r{a['id']}", "episode_id": f"e{a['id']}", "learner_id": a["learner_id"],
            "reason": "patient care", "answered": "yes",
            "outcome": ("changed", "confirmed", "reinforced")[n % 3],
            "created_at": a["created_at"] + timedelta(hours=5), "fields_touched": 4,
            "change_types": [CHANGE_TYPES[n % len(CHANGE_TYPES)]] if n % 3 == 0 else [],
            "own_sources": [], "barriers": "cost" if n % 5 == 0 else None}
            for n, a in enumerate(reflected)])


def _plans(engine, found: list[str]):
    """Record the query plan of each per-(theme, clinician) count (SQLite only)."""
    def explain(connection, cursor, statement, parameters, context, executemany):
        if "GROUP BY insight_inquiry.theme_id" in statement or "reflection" in statement:
            rows = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            found.append(" ".join(str(row[-1]) for row in rows))
    event.listen(engine, "before_cursor_execute", explain)
    return explain


def test_upgraded_database_keeps_its_rows_and_counts_long_periods_the_same(settings):
    _release_0012(settings.database_url)
    assert current_revision(settings.database_url) == "0012"
    curbside = Curbside(settings)
    with Session(curbside.engine) as session:  # first use upgrades
        kept = session.exec(select(func.count()).select_from(ThemeInquiry)).one()
        asked = session.exec(select(func.count()).select_from(Inquiry)).one()
        everything = store.outcomes(session)  # reflection per inquiry id, any period
    assert current_revision(settings.database_url) == head_revision()
    assert (kept, asked, len(everything)) == (400, 400, 90)
    sqlite = curbside.engine.dialect.name == "sqlite"
    plans: list[str] = []
    if sqlite:
        _plans(curbside.engine, plans)
    config = InsightsSettings()
    for weeks in (52, 26, 12, 2):
        period = Period.weeks_to(MONDAY.date(), weeks)
        start, end = period.bounds()
        since = signals.recent_from(period, config)[2]
        with Session(curbside.engine) as session:
            counted = store.tallies(session, start=start, end=end, recent_from=since,
                                    low_confidence=config.low_confidence_score)
            # a filter naming every clinician keeps the date-range count; signed-out
            # questions are not in it, so they are left out of the comparison
            ranged = store.tallies(session, start=start, end=end, clinicians=set(CLINICIANS),
                                   recent_from=since,
                                   low_confidence=config.low_confidence_score)
            rows = store.rows(session, start=start, end=end)
            reflections = store.selection_outcomes(session, start=start, end=end)
            ranged_reflections = store.selection_outcomes(
                session, start=start, end=end, clinicians=set(CLINICIANS))
        from_rows = signals.tally_rows(rows, since, config)
        assert sorted(counted, key=repr) == sorted(from_rows, key=repr)
        assert sorted(ranged, key=repr) == sorted((t for t in counted if t.clinician),
                                                  key=repr)
        assert sum(t.questions for t in counted) == len(rows) > 0
        assert reflections == ranged_reflections  # the same reflections, in the same order
        assert sorted(reflections, key=repr) == sorted(
            (everything[r.inquiry_id] for r in rows if r.inquiry_id in everything), key=repr)
    if sqlite:  # 52 and 26 weeks read the new indexes; the others their date range
        new_index = ["ix_insight_inquiry_theme_clinician" in plan and "TEMP B-TREE" not in plan
                     or "ix_insight_inquiry_reflected" in plan for plan in plans]
        assert new_index == [True, False, True, False] * 2 + [False] * 8

