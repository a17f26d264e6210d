"""Spreadsheet-safe CSV and TSV: the one helper every export uses (transcripts, PARS,
insights themes, the admin's due list).

These files are opened in Excel or LibreOffice first, and their cells hold text typed by
users (questions, names, reflections, board IDs). A cell that starts with ``=``, ``+``,
``-`` or ``@`` is run as a formula (``=HYPERLINK(...)`` leaks data, DDE payloads run
programs), and a leading tab or carriage return is stripped by some importers to reveal
one. Such a cell is prefixed with ``'``, which spreadsheets show as text (OWASP's
CSV-injection advice). Plain numbers, "-0.25" for a correction included, stay numbers.
In TSV a tab or line break inside a cell would shift every column after it, so it becomes
a space.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TSV_BREAKS = re.compile(r"[\t\r\n]+")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet shows it literally: text that would start a formula gets a
    leading quote; numbers (and text that is only a number) are left as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
             lineterminator: str = "\r\n") -> str:
    """A CSV document (RFC 4180 quoting) whose every cell is spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


def tsv_cell(value: Any) -> str:
    """One TSV cell: no tab or line break inside, spreadsheet-safe."""
    text = value if isinstance(value, str) else str(value)
    return str(safe_cell(_TSV_BREAKS.sub(" ", text)))


def tsv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A tab-delimited document, one line per row, every cell through :func:`tsv_cell`."""
    lines = ["\t".join(tsv_cell(h) for h in header)]
    lines.extend("\t".join(tsv_cell(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"
