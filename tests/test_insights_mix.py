"""Specialty and profession mix per theme: no group of fewer than k clinicians is shown,
and none can be worked out by subtraction."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from insights.mix import NOT_RECORDED, OTHER, mix
from insights.store import Row
from tests.test_insights_pages import IDENTITIES, _get, planner_app  # noqa: F401

WHEN = datetime(2026, 11, 2, tzinfo=UTC)


def _rows(groups: dict[str, int]) -> tuple[list[Row], dict]:
    """Two questions from each clinician; `groups` maps specialty -> clinicians."""
    rows, profiles = [], {}
    for specialty, count in groups.items():
        for i in range(count):
            who = f"{specialty}-{i}"
            profiles[who] = (None if specialty == "-" else specialty, "nurse" if i % 2
                             else "physician")
            rows += [Row(f"{who}-{n}", "q", WHEN, who, False, 2.0, (), "t1") for n in (1, 2)]
    return rows, profiles


def _shown(groups) -> dict[str, int]:
    return {g.name: g.clinicians for g in groups}


def test_groups_of_k_or_more_are_shown_and_small_ones_pooled():
    rows, profiles = _rows({"emergency": 7, "cardiology": 6, "dermatology": 2, "icu": 3})
    result = mix(rows, profiles, 5)
    assert _shown(result["specialty"]) == {"emergency": 7, "cardiology": 6, OTHER: 5}
    assert result["specialty"][0].questions == 14
    assert _shown(result["profession"]) == {"physician": 10, "nurse": 8}


def test_a_small_remainder_takes_the_smallest_shown_group_with_it():
    # dermatology alone (2) would be derivable as total - emergency - cardiology
    rows, profiles = _rows({"emergency": 7, "cardiology": 5, "dermatology": 2})
    result = _shown(mix(rows, profiles, 5)["specialty"])
    assert result == {"emergency": 7, OTHER: 7}
    assert all(n >= 5 for n in result.values())


def test_missing_profiles_are_a_group_like_any_other():
    rows, profiles = _rows({"-": 5, "emergency": 5})
    assert _shown(mix(rows, profiles, 5)["specialty"]) == {NOT_RECORDED: 5, "emergency": 5}
    rows, profiles = _rows({"a": 2, "b": 2})  # a selection under k shows nothing at all
    assert mix(rows, profiles, 5)["specialty"] == []


def test_theme_page_and_exports_show_the_mix_without_small_groups(planner_app):  # noqa: F811
    themes = _get(planner_app, "/api/v1/insights/themes").json()["themes"]
    croup = next(t for t in themes if any("croup" in term for term in t["terms"]))
    # three pediatricians and three emergency physicians: each under k = 5
    assert croup["mix"]["specialty"] == [{"group": OTHER, "clinicians": 6, "questions": 7}]
    assert croup["mix"]["profession"] == [{"group": "physician", "clinicians": 6,
                                           "questions": 7}]
    page = _get(planner_app, f"/insights/themes/{croup['id']}").text
    who = page.split("<h2>Who asks</h2>")[1].split("</div>")[0]
    assert "physician" in who and OTHER in who
    assert "pediatrics" not in who and "emergency" not in who
    rows = list(csv.DictReader(io.StringIO(_get(planner_app, "/insights/export.csv").text)))
    row = next(r for r in rows if r["theme_id"] == croup["id"])
    assert row["specialty_mix"] == f"{OTHER} 6" and row["profession_mix"] == "physician 6"
    data = _get(planner_app, "/insights/export.json").text
    for identity in IDENTITIES:
        assert identity not in data and identity not in page
