"""Source currency: unrecorded source versions warn (or fail with --strict), coverage lists
cards whose sources were checked too long ago, and approvals last by risk. Dates are frozen."""

from __future__ import annotations

from datetime import date

from app.cli import main
from retrieval.governance import coverage, review_card
from retrieval.lint import lint_report
from tests.factories import write_card

TODAY = date(2027, 6, 1)
LABEL = {"org": "FDA", "title": "Quinaprofen label", "year": 2024,
         "url": "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=abc"}
GUIDELINE = {"org": "Test Society", "title": "Test guideline", "year": 2024,
             "url": "https://example.org/guideline"}


def test_unchecked_sources_are_warnings_unless_strict(tmp_path, capsys):
    folder = tmp_path / "cards"
    write_card(folder, "unchecked", sources=[GUIDELINE, LABEL])
    write_card(folder, "checked", sources=[
        {**GUIDELINE, "checked": "2026-12-01"},
        {**LABEL, "checked": "2026-12-01", "setid": "abc", "version": "12"},
    ])
    report = lint_report([folder], specialties=set(), today=TODAY)
    assert report.problems == []
    warnings = "\n".join(report.warnings)
    assert "unchecked.md: sources.1.checked: missing" in warnings
    assert "unchecked.md: sources.2.setid: a drug label needs" in warnings
    assert "/checked.md" not in warnings
    strict = lint_report([folder], specialties=set(), today=TODAY, strict=True)
    assert len(strict.problems) == len(report.warnings) == 3

    assert main(["content", "lint", str(folder)]) == 0
    assert "warning: " in capsys.readouterr().err
    assert main(["content", "lint", "--strict", str(folder)]) == 1
    assert "unchecked.md: sources.1.checked" in capsys.readouterr().err


def test_coverage_lists_stale_sources_and_past_due_reviews(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "content"
    write_card(folder, "fresh", sources=[{**GUIDELINE, "checked": "2026-12-01"}])
    write_card(folder, "stale", sources=[{**GUIDELINE, "checked": "2026-05-01"}])
    write_card(folder, "overdue", review_due="2027-01-01",
               sources=[{**GUIDELINE, "checked": "2026-12-01"}])
    write_card(folder, "never", sources=[GUIDELINE])
    report = coverage(folder, today=TODAY)
    assert report["stale_sources"] == {"stale": ["sources.1 Test Society checked 2026-05-01"]}
    assert report["past_due"] == ["overdue"]
    assert report["needs_recheck"] == ["overdue", "stale"]
    assert report["unchecked_sources"] == ["never"]
    # the same library a year earlier: nothing is stale yet
    assert coverage(folder, today=date(2026, 12, 2))["needs_recheck"] == []

    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(folder))
    assert main(["content", "coverage", "--today", "2027-06-01"]) == 0
    out = capsys.readouterr().out
    assert "sources checked more than 12 months ago: 1" in out and "stale" in out


def test_approval_lasts_12_months_for_dosing_cards_and_24_otherwise(tmp_path):
    folder = tmp_path / "content"
    write_card(folder, "dosing", body="## Dosing\n- Quinaprofen 250 mg daily [1].\n")
    write_card(folder, "advice", body="## Bottom line\nZorblax fever needs no imaging [1].\n")
    dosing = review_card(folder, "dosing", action="approve", reviewer="Dr A", today=TODAY)
    advice = review_card(folder, "advice", action="approve", reviewer="Dr A", today=TODAY)
    assert dosing.review_due == "2028-05-31"
    assert advice.review_due == "2029-05-31"
