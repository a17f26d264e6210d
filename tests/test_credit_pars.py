"""ACCME PARS learner completions as an uploader meets them: one row per completed cycle
with its CME credits and MOC points together, fields checked before anything is written,
and cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from credit_capture import claims, episodes, exports
from credit_capture.credit_errors import InvalidExport
from credit_capture.store import make_engine
from tests.test_credit_domain import GOOD_REFLECTION, T0, _profile, ask, provider_rules

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def session(tmp_path):
    with Session(make_engine(f"sqlite:///{tmp_path}/t.db")) as s:
        yield s


def _both(session, rules, learner="learner-1", at=T0):
    """One cycle claimed as AMA PRA Category 1 and as ABIM MOC."""
    inquiry = ask(session, learner, at=at)
    ep = episodes.open_episode(session, inquiry=inquiry, window_days=30, now=at)
    episodes.record_reflection(session, episode_id=ep.id, learner_id=learner,
                               data=episodes.ReflectionIn(**GOOD_REFLECTION),
                               now=at + timedelta(hours=1))
    for kind in ("ama_pra_1", "abim_moc"):
        claims.claim_credit(session, episode_id=ep.id, learner_id=learner, credit_type=kind,
                            rules=rules, now=at + timedelta(hours=1), board_consent=True,
                            profession="physician")
    return claims.claims_for(session, learner_id=learner)


def _rows(text: str) -> list[dict]:
    header, *lines = text.splitlines()
    assert header.split("\t") == list(exports.PARS_HEADER)
    return [dict(zip(exports.PARS_HEADER, line.split("\t"), strict=True)) for line in lines]


def test_one_row_per_completion_with_cme_credits_and_moc_points(session, tmp_path):
    rules = provider_rules(tmp_path)
    first = _both(session, rules)
    both = _both(session, rules, at=T0 + timedelta(days=40))  # past the repeat window
    out = exports.pars_export(learners=[_profile("learner-1")], claims=both,
                              rules=rules, start=YEAR[0], end=YEAR[1])
    rows = _rows(out)
    assert len(both) == 4 and len(rows) == 2  # two cycles, not four credit records
    assert rows[0] == {"Completion Date": "03/02/2026", "Board ID": "123456",
                       "First Name": "Ada", "Last Name": "Okafor", "Birth Month": "4",
                       "Birth Day": "29", "Activity ID": "EXH-POC-2026", "Board": "ABIM",
                       "CME Credits": "0.5", "MOC Points": "0.5"}
    # a learner of another board gets the CME credit reported without ABIM MOC points
    other = exports.pars_export(learners=[_profile("learner-1", board="ABP")], claims=first,
                                rules=rules, start=YEAR[0], end=YEAR[1])
    assert [(r["CME Credits"], r["MOC Points"]) for r in _rows(other)] == [("0.5", "0")]


def test_cells_cannot_run_as_spreadsheet_formulas(session, tmp_path):
    rules = provider_rules(tmp_path, activity_id="=cmd|' /C calc'!A0")
    found = _both(session, rules)
    for first, last in (("=HYPERLINK(\"http://x\")", "@SUM(A1)"), ("+Ada", "-Okafor")):
        out = exports.pars_export(learners=[_profile("learner-1", first_name=first,
                                                     last_name=last)],
                                  claims=found, rules=rules, start=YEAR[0], end=YEAR[1])
        row = _rows(out)[0]
        assert row["First Name"] == "'" + first and row["Last Name"] == "'" + last
        assert row["Activity ID"].startswith("'=")
        assert not any(v[:1] in "=+-@" for v in row.values())


def test_fields_pars_would_reject_are_named_before_anything_is_written(session, tmp_path):
    rules = provider_rules(tmp_path)
    found = _both(session, rules)
    for change, message in (({"board_id": "12 34;"}, "board_id must be the board's ID"),
                            ({"birth_day": 30, "birth_month": 2}, "birth_day must be 1-29"),
                            ({"first_name": "Ada\tX"}, "first_name contains a tab")):
        with pytest.raises(InvalidExport) as err:
            exports.pars_export(learners=[_profile("learner-1", **change)], claims=found,
                                rules=rules, start=YEAR[0], end=YEAR[1])
        assert "learner-1" in str(err.value) and message in str(err.value), str(err.value)
