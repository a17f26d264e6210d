"""`curbside content lint`: the shipped library is clean, and each kind of problem is named."""

from __future__ import annotations

from datetime import date

from app.cli import main
from retrieval.lint import allowed_specialties, lint
from tests.conftest import REPO
from tests.factories import write_card

SPECIALTIES = allowed_specialties(REPO / "content")


def test_shipped_content_is_lint_clean():
    assert lint([REPO / "content"], specialties=SPECIALTIES) == []


def test_each_problem_is_reported_with_file_and_field(tmp_path):
    folder = tmp_path / "cards"
    write_card(folder, "unknown-specialty", specialty=["astrology"])
    write_card(folder, "past-due", review_due="2020-01-01")
    write_card(folder, "no-questions", review_questions=[])
    write_card(folder, "bad-marker", body="## Bottom line\nGive it [3].\n")
    write_card(folder, "hostile", body="## Bottom line\nHi <script>alert(1)</script> [1].\n")
    write_card(folder, "approved-no-reviewer", status="approved")
    write_card(folder / "dup", "past-due")
    problems = "\n".join(lint([folder], specialties=SPECIALTIES, today=date(2026, 11, 25)))
    expected = [
        "unknown-specialty.md: specialty: unknown value 'astrology'",
        "past-due.md: review_due: 2020-01-01 is past due",
        "no-questions.md: review_questions: at least one is required",
        "bad-marker.md: body: marker [3] has no matching source",
        "hostile.md: body: raw HTML is not allowed",
        "approved-no-reviewer.md: reviewed_by: approved cards need a reviewer",
        "past-due.md: id: duplicate of",
    ]
    for fragment in expected:
        assert fragment in problems


def test_lint_command_exits_non_zero_on_problems(tmp_path, capsys):
    write_card(tmp_path / "cards", "bad", specialty=["astrology"])
    assert main(["content", "lint", str(tmp_path / "cards")]) == 1
    assert "bad.md: specialty" in capsys.readouterr().err
    assert main(["content", "lint", str(REPO / "content")]) == 0


def test_a_card_citing_more_than_six_sources_is_flagged(tmp_path):
    """A card is read in minutes: more sources than a guideline and its cross-checks need
    is a warning, and an error under --strict."""
    from retrieval.lint import lint_report
    from tests.factories import card_front

    one = card_front("x")["sources"][0]
    write_card(tmp_path / "cards", "long", sources=[dict(one, title=f"Source {n}")
                                                    for n in range(7)])
    write_card(tmp_path / "cards", "short", sources=[one] * 6)
    report = lint_report([tmp_path / "cards"], specialties=SPECIALTIES)
    assert [w for w in report.warnings if "sources: 7 listed" in w and "long.md" in w]
    assert not [w for w in report.warnings if "short.md: sources:" in w]
    strict = lint([tmp_path / "cards"], specialties=SPECIALTIES, strict=True)
    assert any("long.md: sources: 7 listed" in p for p in strict)
