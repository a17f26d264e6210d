"""Themes: questions grouped by meaning, labelled, stable and k-anonymous."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from app.cli import main
from app.insights_service import insights_of
from app.services import Curbside
from app.settings import Settings
from tests.insights_data import TOPICS, add_inquiry, seed_topics


@pytest.fixture
def insights(curbside):
    with Session(curbside.engine) as session:
        seed_topics(session)
    return insights_of(curbside)


def _theme_of(insights, inquiry_id: str) -> str | None:
    from insights.models import ThemeInquiry

    with Session(insights.engine) as session:
        return session.get(ThemeInquiry, inquiry_id).theme_id


def _topic_themes(insights) -> dict[str, str]:
    """topic -> the one theme all of its questions landed in (fails if split or merged)."""
    found = {}
    for offset, topic in enumerate(TOPICS):
        ids = {_theme_of(insights, f"q{offset * 6 + i:05d}") for i in range(6)}
        assert len(ids) == 1 and None not in ids, (topic, ids)
        found[topic] = ids.pop()
    assert len(set(found.values())) == 3
    return found


def test_rebuild_groups_questions_by_meaning_with_characteristic_labels(insights):
    report = insights.rebuild()
    assert (report.inquiries, report.themes, report.unassigned) == (18, 3, 0)
    by_topic = _topic_themes(insights)
    shown, suppressed = insights.themes()
    assert suppressed == 0
    themes = {t.id: t for t in shown}
    assert any("warfarin" in term for term in themes[by_topic["warfarin"]].terms)
    assert any("croup" in term for term in themes[by_topic["croup"]].terms)
    assert any("gout" in term for term in themes[by_topic["gout"]].terms)
    croup = themes[by_topic["croup"]]
    assert croup.cards[0]["doc_id"] == "croup-dexamethasone-dosing"
    assert (croup.clinicians, croup.questions, croup.abstention_rate) == (6, 6, 0.0)
    gout = themes[by_topic["gout"]]
    assert gout.abstention_rate == 1.0 and gout.cards == []
    assert gout.near_cards, "a gap theme lists the closest cards"


def test_same_inquiries_give_same_themes_and_ids(insights, tmp_path, content_home):
    insights.rebuild()
    first = _topic_themes(insights)
    insights.rebuild()
    assert _topic_themes(insights) == first
    other = Curbside(Settings(home=content_home, database_url=f"sqlite:///{tmp_path}/b.db"))
    with Session(other.engine) as session:
        seed_topics(session)
    again = insights_of(other)
    again.rebuild()
    assert _topic_themes(again) == first


def test_persisting_theme_keeps_its_id_and_new_questions_join_incrementally(insights):
    insights.rebuild()
    before = _topic_themes(insights)
    with Session(insights.engine) as session:
        add_inquiry(session, "croup: single dose of dexamethasone enough?", n=100,
                    topic="croup", clinician="c9")
        session.commit()
    assert insights.join_new() == 1
    assert _theme_of(insights, "q00100") == before["croup"]
    with Session(insights.engine) as session:
        for i, question in enumerate(["reverse warfarin with INR 7 and nosebleed",
                                      "warfarin overdose INR above 10, vitamin K oral or IV"]):
            add_inquiry(session, question, n=200 + i, topic="warfarin", clinician=f"d{i}")
        session.commit()
    insights.rebuild()
    after = _topic_themes(insights)
    assert after == before  # the warfarin theme grew, its id stayed
    assert _theme_of(insights, "q00201") == before["warfarin"]


def test_themes_from_fewer_than_k_clinicians_and_eval_runs_are_not_shown(curbside):
    with Session(curbside.engine) as session:
        n = 0
        for topic, questions in TOPICS.items():
            for i, question in enumerate(questions):
                clinician = f"c{i % 2}" if topic == "gout" else f"c{i}"
                origin = "eval" if topic == "warfarin" else "web"
                add_inquiry(session, question, n=n, topic=topic, clinician=clinician,
                            origin=origin)
                n += 1
        session.commit()
    insights = insights_of(curbside)
    assert insights.rebuild().inquiries == 12  # eval questions are never read
    shown, suppressed = insights.themes()
    assert [t.questions for t in shown] == [6] and suppressed == 1
    assert any("croup" in term for term in shown[0].terms)


def test_cli_rebuild_and_themes_json_contract(curbside, settings, monkeypatch, capsys):
    with Session(curbside.engine) as session:
        seed_topics(session)
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    assert main(["insights", "rebuild"]) == 0
    assert "3 themes from 18 questions" in capsys.readouterr().out
    assert main(["insights", "themes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["themes"]) == 3
    for theme in data["themes"]:
        assert set(theme) == {"id", "label", "terms", "clinicians", "questions",
                              "abstention_rate", "cards"}
        assert theme["clinicians"] == 6 and theme["questions"] == 6
    assert main(["insights"]) == 2  # a group without its action shows help


def test_micro_clusters_see_each_repeated_question_once_and_are_deterministic():
    """Above the direct limit, k-means runs on distinct embeddings weighted by how often
    they were asked: copies always share a theme, and the same rows give the same themes."""
    import numpy as np

    from insights import themes

    rng = np.random.default_rng(3)
    centres = rng.normal(size=(6, 16))
    points = np.repeat(centres, 40, axis=0) + 0.05 * rng.normal(size=(240, 16))
    points = np.concatenate([points, points[::3]])  # a third of the questions asked again
    points = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    first = themes.cluster(points, distance=0.3, min_size=3, direct_limit=100, micro_size=4)
    again = themes.cluster(points.copy(), distance=0.3, min_size=3, direct_limit=100,
                           micro_size=4)
    assert (first == again).all()
    assert (first[240:] == first[:240:3]).all()  # a repeated question joins its original
    assert len(set(first[:240].tolist()) - {themes.NOISE}) == 6


def test_weekly_counts_match_the_edges_for_every_period_length():
    """Each week is counted by its own SELECT (joined by UNION ALL, several statements
    when a clinician filter is long); every period length, a first week cut short by the
    period's start and a filter long enough to split the weeks over statements must give
    what 'the first edge after the moment' gives."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine, insert
    from sqlmodel import Session, SQLModel

    from insights import store
    from insights.models import ThemeInquiry

    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[ThemeInquiry.__table__])
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    moments = [monday + timedelta(hours=7 * n) for n in range(1200)]
    with Session(engine) as session:
        session.execute(insert(ThemeInquiry), [
            {"inquiry_id": f"i{n:05d}", "vector": b"", "model": "m", "created_at": m,
             "learner_id": f"c{n % 9}", "abstained": n % 5 == 0, "origin": "web"}
            for n, m in enumerate(moments)])
        many = {f"c{n}" for n in range(0, 9, 2)} | {f"x{n}" for n in range(3000)}
        for weeks, start, clinicians in ((1, monday, None), (2, monday, None),
                                         (3, monday + timedelta(days=2), None),
                                         (12, monday, None), (52, monday, None),
                                         (24, monday, many)):
            edges = [monday + timedelta(weeks=w + 1) for w in range(weeks - 1)]
            end = monday + timedelta(weeks=weeks)
            got = store.weekly(session, edges, start=start, end=end, clinicians=clinicians)
            want: dict[int, list] = {}
            for n, m in enumerate(moments):
                if start <= m < end and (clinicians is None or f"c{n % 9}" in clinicians):
                    week = want.setdefault(sum(m >= e for e in edges), [0, 0, set()])
                    week[0] += 1
                    week[1] += n % 5 == 0
                    week[2].add(f"c{n % 9}")
            assert got == {w: (q, a, len(p)) for w, (q, a, p) in want.items()}
