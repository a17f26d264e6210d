"""The weekly brief (md, html, pdf) and the demo history (seed, clear)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlmodel import Session, select

from app.accounts import User
from app.cli import main
from app.insights_service import insights_of
from credit_capture.episodes import Reflection
from credit_capture.models import Inquiry
from insights import demo
from insights.brief import render
from tests.insights_data import TOPICS, add_inquiry


def _seed(curbside):
    with Session(curbside.engine) as session:
        n = 0
        for topic, questions in TOPICS.items():
            for i, question in enumerate(questions):
                who = f"zq-learner-{i % 2 if topic == 'gout' else i}"  # gout: below k
                add_inquiry(session, question, n=n, topic=topic, clinician=who, week=1)
                n += 1
        session.commit()
    insights = insights_of(curbside)
    insights.rebuild()
    return insights


def test_brief_in_three_formats_has_counts_period_and_no_small_themes(curbside):
    insights = _seed(curbside)
    md = render(insights, "2026-W46", "md").decode()
    assert "Week 2026-W46 (2026-11-09 to 2026-11-15): 18 questions" in md
    assert "croup" in md and "warfarin" in md
    assert "1 themes withheld" in md
    assert not re.search(r"\bgout\b", md) and "zq-learner" not in md
    html = render(insights, "2026-W46", "html").decode()
    assert "<svg" in html and "<script" not in html and "croup" in html
    pdf = render(insights, "2026-W46", "pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Top themes" in text and "croup" in text and not re.search(r"\bgout\b", text)


def test_brief_cli_writes_the_file_and_rejects_bad_weeks(curbside, settings, tmp_path,
                                                         monkeypatch, capsys):
    _seed(curbside)
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    out = tmp_path / "brief.pdf"
    assert main(["insights", "brief", "--week", "2026-W46", "--format", "pdf",
                 "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert main(["insights", "brief", "--week", "2026-W99", "--format", "md",
                 "--out", str(tmp_path / "x.md")]) == 2
    assert main(["insights", "brief", "--week", "2026-W46", "--format", "md",
                 "--out", str(tmp_path / "missing" / "x.md")]) == 2
    err = capsys.readouterr().err
    assert "not an ISO week" in err and "no such folder" in err and "Traceback" not in err


def test_demo_seed_is_marked_realistic_and_clear_removes_only_it(curbside):
    with Session(curbside.engine) as session:
        add_inquiry(session, "a real clinician's question about croup", n=1, topic="croup",
                    clinician="real-1")
        session.commit()

    def answer(question: str) -> demo.Answered:
        result = curbside.answer(question)
        return demo.Answered(result.answer, result.abstained, result.abstain_reason,
                             [{"doc_id": c.doc_id, "title": c.title} for c in result.citations],
                             result.signals or {})

    questions = [q for topic in TOPICS.values() for q in topic] + [  # two the cards lack
        "IVIG and aspirin dosing for a child with Kawasaki disease?",
        "acute angle-closure glaucoma - initial drops and systemic treatment in the ED"]
    with Session(curbside.engine) as session:
        counts = demo.seed(session, questions=questions, answer=answer, user_model=User,
                           today=curbside.settings.today(), inquiries=120, clinicians=20)
        assert counts["inquiries"] == 120 and counts["reflections"] > 10
        rows = session.exec(select(Inquiry).where(Inquiry.origin == "demo")).all()
        assert len({r.learner_id for r in rows}) > 15
        assert any(r.abstained for r in rows) and any(r.citations for r in rows)
        users = session.exec(select(User).where(User.email.like("%@demo.curbside.invalid"))
                             ).all()
        assert len(users) == 20 and not any(u.active for u in users)
        again = None
        try:
            demo.seed(session, questions=questions, answer=answer, user_model=User,
                      today=curbside.settings.today())
        except ValueError as exc:
            again = str(exc)
        assert again and "demo clear" in again
    insights = insights_of(curbside)
    insights.rebuild()  # as `curbside demo seed` does
    shown, _ = insights.themes()
    assert shown  # a populated dashboard
    with Session(curbside.engine) as session:
        removed = demo.clear(session, user_model=User)
        assert removed["inquiries"] == 120 and removed["clinicians"] == 20
        left = session.exec(select(Inquiry)).all()
        assert [i.id for i in left] == ["q00001"]
        assert session.exec(select(Reflection)).all() == []
