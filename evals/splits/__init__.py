"""Committed calibrate/test id lists of every development set (see `make_splits.py`)."""

from __future__ import annotations

import json
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def load_split(name: str) -> dict[str, frozenset[str]]:
    """`{"calibrate": ids, "test": ids}` of a development set, as committed."""
    data = json.loads((_HERE / f"{name}.json").read_text(encoding="utf-8"))
    return {side: frozenset(data[side]) for side in ("calibrate", "test")}
