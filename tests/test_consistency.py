"""Cross-card consistency: a copied card with one interval changed is caught; a difference
acknowledged in front matter is not; unrelated situations are never paired."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.settings import Settings
from retrieval.consistency import build_statements, card_sentences, check_library
from retrieval.index import shared_embedder
from retrieval.verifier import GroundingVerifier
from tests.factories import write_card

TETANUS = """## Bottom line
Give a tetanus toxoid-containing vaccine for a clean minor wound if 10 or more years have
passed since the last dose [1].

## Key points
- For a tetanus-prone wound in a person with 3 or more prior tetanus doses, a tetanus
  toxoid-containing vaccine is indicated if 5 or more years have passed since the last dose [1].
- Tetanus immune globulin 250 units IM is added when the history is unknown [1].
- Do not give tetanus immune globulin to a person with 3 or more prior doses and a clean
  minor wound [1].
"""

OTHER = """## Bottom line
Give quinaprofen 250 mg once daily for 5 days for zorblax fever [1].

## Key points
- Zorblax fever does not require imaging before treatment [1].
"""


@pytest.fixture(scope="module")
def verifier() -> GroundingVerifier:
    settings = Settings()
    return GroundingVerifier(shared_embedder(settings.resolved_model_cache, True))


def _library(folder: Path, copy_body: str, **copy_front) -> Path:
    write_card(folder, "tetanus-wounds", condition="tetanus wounds", body=TETANUS)
    write_card(folder, "tetanus-copy", condition="tetanus wounds", body=copy_body, **copy_front)
    write_card(folder, "zorblax", body=OTHER)
    return folder


def test_a_copied_card_with_one_interval_changed_is_flagged(tmp_path, verifier):
    planted = TETANUS.replace("if 5 or more years", "if 10 or more years")
    report = check_library([_library(tmp_path / "content", planted)], verifier)
    assert not report.ok
    [finding] = report.open
    assert {finding.card_a, finding.card_b} == {"tetanus-copy", "tetanus-wounds"}
    assert "5 or more years" in str(finding) and "10 or more years" in str(finding)
    assert "number" in finding.reason


def test_an_identical_copy_and_unrelated_cards_raise_nothing(tmp_path, verifier):
    report = check_library([_library(tmp_path / "content", TETANUS)], verifier)
    assert report.ok and report.findings == []
    assert report.cards == 3 and report.statements > 5


def test_a_planted_negation_is_flagged(tmp_path, verifier):
    planted = TETANUS.replace("- Do not give tetanus immune globulin", "- Give tetanus immune "
                              "globulin")
    report = check_library([_library(tmp_path / "content", planted)], verifier)
    assert any("negation" in f.reason for f in report.open)


def test_an_acknowledged_difference_passes_and_is_listed(tmp_path, verifier, capsys,
                                                         monkeypatch):
    planted = TETANUS.replace("if 5 or more years", "if 10 or more years")
    ack = [{"card": "tetanus-wounds", "reason": "Site policy boosts later; agreed by Dr A."}]
    folder = _library(tmp_path / "content", planted, acknowledged_differences=ack)
    report = check_library([folder], verifier)
    assert report.ok and len(report.acknowledged) == 1
    assert report.acknowledged[0].acknowledged.startswith("Site policy")

    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(folder))
    assert main(["content", "check", "--verbose"]) == 0
    out = capsys.readouterr()
    assert "acknowledged (Site policy" in out.out and "1 acknowledged" in out.err


def test_cli_reports_pairs_and_exits_non_zero(tmp_path, capsys, monkeypatch):
    planted = TETANUS.replace("if 5 or more years", "if 10 or more years")
    folder = _library(tmp_path / "content", planted)
    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(folder))
    assert main(["content", "check"]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith("tetanus-copy <-> tetanus-wounds: \"") and '" vs "' in line
    assert main(["content", "check", str(tmp_path / "missing")]) == 2


def test_acknowledging_an_unknown_card_is_a_problem(tmp_path, verifier):
    ack = [{"card": "no-such-card", "reason": "A reason long enough to pass."}]
    folder = _library(tmp_path / "content", TETANUS, acknowledged_differences=ack)
    report = check_library([folder], verifier)
    assert not report.ok
    assert report.problems == [
        "tetanus-copy: acknowledged_differences.1.card: no card with id 'no-such-card'"
    ]


def test_statements_pair_only_the_same_subject():
    """Different drugs, different conditions: never compared, whatever the numbers."""
    statements = build_statements([
        ("glucagon", "Hypoglycaemia rescue", "Nasal glucagon 3 mg into one nostril [1]."),
        ("naloxone", "Opioid overdose rescue", "Nasal naloxone 4 mg into one nostril [1]."),
    ])
    assert [s.text for s in statements][0] == "Nasal glucagon 3 mg into one nostril."
    from retrieval.consistency import candidate_pairs

    assert candidate_pairs(statements) == {}
    assert card_sentences("## Dosing\n- One bullet that runs\n  over two lines [1].") == [
        "One bullet that runs over two lines."
    ]
