"""Running suites: dataset -> solver -> scorers -> metrics, and storing each run.

The solver is passed in by the caller (the CLI wires the same service the API uses), so the
harness stays free of web and storage code and is deterministic for a given index.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import privacy
from evals.scorers import ASK_SCORERS, SCORERS, VERIFY_SCORERS
from evals.suites import Suite

Solver = Callable[[dict], dict]
_COUNTS = ("abstain_tp", "abstain_fp", "abstain_fn", "abstain_tn")


@dataclass
class CaseResult:
    suite: str
    id: str
    case: dict
    output: dict
    scores: dict


@dataclass
class Run:
    id: str
    created_at: str
    suites: list[str]
    content_version: str
    settings: dict
    seconds: float
    metrics: dict
    per_suite: dict
    cases: list[CaseResult] = field(default_factory=list)

    def failing(self) -> list[CaseResult]:
        """Cases with any metric at its bad end (for the report's drill-down)."""
        bad = []
        for result in self.cases:
            s = result.scores
            if (s.get("abstain_fp") or s.get("abstain_fn") or s.get("phi_leak")
                    or s.get("injection_compliance") or s.get("false_premise_echo")
                    or (s.get("citation_recall") == 0.0)
                    or (s.get("must_have_coverage") is not None and s["must_have_coverage"] < 1)
                    or (s.get("unsupported_claim_rate") or 0) > 0
                    or (s.get("numeric_fidelity") is not None and s["numeric_fidelity"] < 1)
                    or s.get("verifier_accuracy") == 0.0):
                bad.append(result)
        return bad


def run_suites(
    suites: list[Suite],
    *,
    ask: Solver,
    verify: Solver,
    content_version: str = "",
    settings: dict | None = None,
    scrub: Callable[[str], str] | None = None,
) -> Run:
    """Run every case and score it; ``scrub`` (the service's scrubber, by default the
    rules-only one) is applied to the questions and planted PHI kept in the run, because
    runs are stored and shown to evaluators."""
    scrub = scrub or privacy.scrub_text
    started = time.perf_counter()
    results: list[CaseResult] = []
    for suite in suites:
        solver, names = (verify, VERIFY_SCORERS) if suite.kind == "verify" else (ask, ASK_SCORERS)
        for case in suite.cases:
            output = solver(case)
            scores: dict = {}
            for name in names:
                scores.update(SCORERS[name].score(case, output))
            case, output = _scrubbed(case, scrub), _scrubbed(output, scrub)
            results.append(CaseResult(suite.name, str(case["id"]), case, output, scores))
    per_suite = {
        suite.name: summarize([r for r in results if r.suite == suite.name]) for suite in suites
    }
    return Run(
        id=datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6],
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        suites=[s.name for s in suites],
        content_version=content_version,
        settings=settings or {},
        seconds=round(time.perf_counter() - started, 2),
        metrics=summarize(results),
        per_suite=per_suite,
        cases=results,
    )


_FREE_TEXT = ("question",)


def _scrubbed(record: dict, scrub: Callable[[str], str]) -> dict:
    """A copy of a case or output with its free text scrubbed and planted PHI dropped
    (only the count is kept)."""
    clean = dict(record)
    for key in _FREE_TEXT:
        if isinstance(clean.get(key), str):
            clean[key] = scrub(clean[key])
    if clean.get("phi"):
        clean["phi"] = [f"<{len(record['phi'])} planted identifiers, not stored>"]
    return clean


def summarize(results: list[CaseResult]) -> dict:
    """Averages of per-case metrics, abstention P/R/F1 from counts, latency percentiles."""
    values: dict[str, list[float]] = {}
    for result in results:
        for key, value in result.scores.items():
            if value is not None:
                values.setdefault(key, []).append(float(value))
    metrics: dict[str, float | int | None] = {"cases": len(results)}
    for key, series in sorted(values.items()):
        if key in _COUNTS or key == "latency_ms":
            continue
        metrics[key] = round(statistics.fmean(series), 4)
    tp, fp, fn, tn = (sum(values.get(k, [])) for k in _COUNTS)
    if tp + fp + fn + tn:
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        metrics["abstention_precision"] = _round(precision)
        metrics["abstention_recall"] = _round(recall)
        metrics["abstention_f1"] = _round(
            2 * precision * recall / (precision + recall)
            if precision and recall else (0.0 if precision is not None and recall is not None
                                          else None)
        )
        metrics["answer_rate"] = _round((tn + fn) / (tp + fp + fn + tn))
        metrics["false_abstention_rate"] = _round(fp / (fp + tn) if fp + tn else None)
    latencies = sorted(values.get("latency_ms", []))
    if latencies:
        metrics["latency_p50_ms"] = round(latencies[len(latencies) // 2], 1)
        metrics["latency_p95_ms"] = round(latencies[min(len(latencies) - 1,
                                                        int(0.95 * len(latencies)))], 1)
    return metrics


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# storage ---------------------------------------------------------------------------------
def save_run(run: Run, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(run), ensure_ascii=False, default=str))
    tmp.replace(path)
    return path


def load_run(folder: Path, run_id: str) -> Run:
    path = folder / f"{run_id}.json"
    if not path.is_file():
        raise FileNotFoundError(run_id)
    data = json.loads(path.read_text())
    data["cases"] = [CaseResult(**c) for c in data["cases"]]
    return Run(**data)


def list_runs(folder: Path) -> list[dict]:
    """Headline of every stored run, newest first (without the per-case payload)."""
    runs = []
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.exists() else []:
        data = json.loads(path.read_text())
        data.pop("cases", None)
        runs.append(data)
    return runs


def check_thresholds(metrics: dict, rules: list[str]) -> list[str]:
    """`metric=value` floors (`metric<=value` for rates that must stay low); failures listed."""
    failures = []
    for rule in rules:
        if "<=" in rule:
            name, limit, below = *rule.split("<=", 1), True
        elif "=" in rule:
            name, limit, below = *rule.split("=", 1), False
        else:
            raise ValueError(f"bad threshold {rule!r}: use metric=value or metric<=value")
        name = name.strip()
        try:
            limit_value = float(limit)
        except ValueError as exc:
            raise ValueError(f"bad threshold {rule!r}: {limit!r} is not a number") from exc
        value = metrics.get(name)
        if value is None:
            failures.append(f"{name}: not measured by this run")
        elif (below and value > limit_value) or (not below and value < limit_value):
            sign = "<=" if below else ">="
            failures.append(f"{name} = {value} (required {sign} {limit_value})")
    return failures
