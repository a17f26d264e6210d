"""Benchmark the PHI scrubber on the synthetic test set and the held-back set.

Run from the repo root:  .venv/bin/python bench/bench_phi.py [--rules-only] [--show-misses]

Prints, per set: identifier-span recall (overall and per kind), look-alike keep rate,
over-scrub count and p50/p95 scrub latency.  Scoring is described in
evals/phi/README.md; :func:`score` is also used by tests/test_phi.py.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from privacy import PhiScrubber  # noqa: E402

SETS = {
    "testset": ROOT / "evals/phi/phi_testset.jsonl",
    "holdout": ROOT / "evals/phi/phi_holdout.jsonl",
}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _occurs(value: str, text: str) -> list[tuple[int, int]]:
    """Whole-token occurrences: "Ann" inside "Annual" is not a leak."""
    rx = re.compile(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])")
    return [(m.start(), m.end()) for m in rx.finditer(text)]


@dataclass
class Score:
    found: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    kept: int = 0
    keep_total: int = 0
    over_scrub: int = 0
    misses: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.total.values()))

    @property
    def keep_rate(self) -> float:
        return self.kept / max(1, self.keep_total)


def score(scrubber: PhiScrubber, records: list[dict], repeats: int = 1) -> Score:
    """Scrub every record and score it; ``repeats`` > 1 times each scrub that many times."""
    sc = Score()
    for rec in records:
        text = rec["text"]
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = scrubber.scrub(text)
            sc.latencies_ms.append((time.perf_counter() - t0) * 1000)
        out = result.text
        phi_spans = []
        for phi in rec["phi"]:
            sc.total[phi["kind"]] += 1
            phi_spans += _occurs(phi["value"], text)
            if _occurs(phi["value"], out):
                sc.misses.append(f"MISS {phi['kind']:9} {phi['value']!r:28} {rec['id']}: {out}")
            else:
                sc.found[phi["kind"]] += 1
        for keep in rec["keep"]:
            sc.keep_total += 1
            if keep in out:
                sc.kept += 1
            else:
                sc.misses.append(f"LOST {keep!r:38} {rec['id']}: {out}")
        for span in result.spans:
            if not any(span.start < e and s < span.end for s, e in phi_spans):
                sc.over_scrub += 1
                sc.misses.append(
                    f"OVER {span.kind:9} {text[span.start : span.end]!r:28} {rec['id']}: {out}"
                )
    return sc


def _pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0.0
    )


def report(name: str, sc: Score) -> None:
    n_found, n_total = sum(sc.found.values()), sum(sc.total.values())
    print(f"== {name}")
    print(f"  recall     {sc.recall:7.2%}  ({n_found}/{n_total} identifier spans removed)")
    for kind in sorted(sc.total):
        found, total = sc.found[kind], sc.total[kind]
        print(f"    {kind:10} {found / total:7.2%}  ({found}/{total})")
    print(f"  keep rate  {sc.keep_rate:7.2%}  ({sc.kept}/{sc.keep_total} look-alike strings kept)")
    print(f"  over-scrub {sc.over_scrub} span(s) replaced that are not annotated PHI")
    lat = sc.latencies_ms
    p50, p95 = _pct(lat, 50), _pct(lat, 95)
    print(f"  latency    p50 {p50:.2f} ms  p95 {p95:.2f} ms  max {max(lat):.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules-only", action="store_true", help="PhiScrubber(use_ner=False)")
    ap.add_argument("--show-misses", action="store_true", help="print every miss/loss/over-scrub")
    ap.add_argument("--repeats", type=int, default=5, help="timed scrubs per question")
    args = ap.parse_args()

    t0 = time.perf_counter()
    scrubber = PhiScrubber(use_ner=not args.rules_only)
    print(f"PhiScrubber(use_ner={not args.rules_only}) built in {time.perf_counter() - t0:.1f} s")
    for rec in load(SETS["testset"])[:20]:  # warm-up
        scrubber.scrub(rec["text"])
    for name, path in SETS.items():
        sc = score(scrubber, load(path), repeats=args.repeats)
        report(f"{name} ({path.relative_to(ROOT)})", sc)
        if args.show_misses:
            print("\n".join("    " + m for m in sc.misses))

    words25 = (
        "Pt Maria Gonzalez DOB 3/4/1950, MRN 48213377, 93 yo with CrCl 40 and K 6.8 on "
        "apixaban 5 mg BID; Wells score 2, call 617-555-0143 — dose reduce?"
    )
    times = []
    for _ in range(200):
        t = time.perf_counter()
        scrubber.scrub(words25)
        times.append((time.perf_counter() - t) * 1000)
    print(f"== 25-word question ({len(words25.split())} words), 200 runs")
    print(f"  latency    p50 {_pct(times, 50):.2f} ms  p95 {_pct(times, 95):.2f} ms")
    print(f"  -> {scrubber.scrub_text(words25)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
