"""Shared helpers for the benchmark scripts: data paths, index building, metrics."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from app.services import Curbside  # noqa: E402
from app.settings import Settings  # noqa: E402

DATA = Path(
    os.environ.get("CURBSIDE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
WORK = Path(os.environ.get("CURBSIDE_BENCH_DIR", Path.home() / ".cache" / "curbside-bench"))


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def service(home: Path) -> Curbside:
    """The same service the API uses, on a benchmark home (database kept beside it)."""
    return Curbside(Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}"))


def recall_at(ranked: list[list[str]], gold: list[set[str]], k: int) -> float:
    hits = sum(1 for r, g in zip(ranked, gold, strict=True) if g & set(r[:k]))
    return 100.0 * hits / len(gold)


def mrr(ranked: list[list[str]], gold: list[set[str]]) -> float:
    total = 0.0
    for r, g in zip(ranked, gold, strict=True):
        for i, doc in enumerate(r, start=1):
            if doc in g:
                total += 1 / i
                break
    return total / len(gold)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)
