"""Long periods (migration 0013): a database of the previous release upgrades keeping every
row, and a long period's per-(theme, clinician) count, which on SQLite reads the
theme-then-clinician index through instead of sorting the period, gives exactly what the
date-range count and the rows themselves give."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import create_engine, event, func, insert
from sqlalchemy.pool import NullPool
from sqlmodel import Session, select

from app.db import alembic_config, current_revision, head_revision
from app.services import Curbside
from credit_capture.models import Inquiry
from insights import signals, store
from insights.models import Theme, ThemeInquiry
from insights.settings import InsightsSettings
from insights.signals import Period
from tests.insights_data import MONDAY

CLINICIANS = [f"c{n}" for n in range(7)]


def _release_0012(url: str) -> None:
    """A database of the release before the index: schema 0012, two themes and questions
    without one, spread over 40 weeks, some signed out, abstained or low-confidence, and
    an eval question that never counts."""
    config = alembic_config()
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0012")
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
    engine.dispose()


def _plans(engine, found: list[str]):
    """Record the query plan of each per-(theme, clinician) count (SQLite only)."""
    def explain(connection, cursor, statement, parameters, context, executemany):
        if "GROUP BY insight_inquiry.theme_id" in statement:
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
    assert current_revision(settings.database_url) == head_revision()
    assert (kept, asked) == (400, 400)
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
        from_rows = signals.tally_rows(rows, since, config)
        assert sorted(counted, key=repr) == sorted(from_rows, key=repr)
        assert sorted(ranged, key=repr) == sorted((t for t in counted if t.clinician),
                                                  key=repr)
        assert sum(t.questions for t in counted) == len(rows) > 0
    if sqlite:  # 52 and 26 weeks read the index through; the others sort their range
        read_through = ["ix_insight_inquiry_theme_clinician" in plan
                        and "TEMP B-TREE" not in plan for plan in plans]
        assert read_through == [True, False, True, False, False, False, False, False]

