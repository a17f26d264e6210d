"""Benchmark the PHI scrubber on the untouched and development splits, separately.

Run from the repo root:  .venv/bin/python bench/bench_phi.py [--rules-only] [--show-misses]
                         .venv/bin/python bench/bench_phi.py --altered [--show-altered]

Prints, per split: identifier-span recall (overall and per Safe Harbor kind), look-alike
keep rate (overall and per kind), over-scrub count and p50/p95 scrub latency, then p95 for
40-word questions.  The untouched split is scored for its aggregate figures only:
``--show-misses`` lists individual misses for the development splits and the small legacy
sets, never for the untouched split.  ``dev2`` is a second development split (new
frames, locales and formats, made after the rules were fitted to ``dev``): in-sample
once its misses have been read, like ``dev``; so is ``dev3`` (names in chat and
pasted-chart contexts: relations, roles, signatures, lists, "67M" after a name).
Scoring is described in evals/phi/README.md; :func:`score` is also used by
tests/test_phi.py.

``--altered`` measures the other side of the trade: questions with no identifier in them
that the scrubber changes anyway (each change costs the answer a word).  Two sets, neither
written with PHI in mind: the 775 clinician_dev questions (cases and out-of-scope, typed
as clinicians type) and 400 MedQuAD questions (consumer questions with Title Case disease
names) drawn with a fixed seed from the topics of the `calibrate` split, never the test
topics.  :func:`altered_questions` is also used by tests/test_phi.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
    "untouched": ROOT / "evals/phi/phi_untouched.jsonl",
    "dev": ROOT / "evals/phi/phi_dev.jsonl",
    "dev2": ROOT / "evals/phi/phi_dev2.jsonl",
    "dev3": ROOT / "evals/phi/phi_dev3.jsonl",
    "testset": ROOT / "evals/phi/phi_testset.jsonl",
    "holdout": ROOT / "evals/phi/phi_holdout.jsonl",
}
NO_LINE_BY_LINE = {"untouched"}
CLINICIAN_DEV = ROOT / "evals/suites/clinician_dev"
DATA = Path(os.environ.get("CURBSIDE_DATA", ROOT.parent / "shared" / "data"))
MEDQUAD = DATA / "medquad" / "medquad_kb.jsonl"
MEDQUAD_SPLIT = ROOT / "evals/splits/medquad.json"
_NUMBER_WORD = re.compile(
    r"\d+|(?i:one|two|three|four|five|six|seven|eight|nine|ninety|hundred)", re.I
)


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _occurs(value: str, text: str) -> list[tuple[int, int]]:
    """Whole-token occurrences: "Ann" inside "Annual" is not a leak."""
    rx = re.compile(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])")
    return [(m.start(), m.end()) for m in rx.finditer(text)]


def _must_cover(span: dict, text: str) -> list[int]:
    """Offsets that must be scrubbed for the span to count as removed.

    Every letter and digit of the value, except for ages, where only the number (digits or
    number words) identifies: "aged" in "aged 93" may stay.
    """
    start, value = span["start"], text[span["start"] : span["end"]]
    if span["kind"] == "AGE>89":
        return [start + i for m in _NUMBER_WORD.finditer(value) for i in range(*m.span())]
    return [start + i for i, ch in enumerate(value) if ch.isalnum()]


@dataclass
class Score:
    found: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    keep_total: Counter = field(default_factory=Counter)
    over_scrub: int = 0
    over_kinds: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.total.values()))

    @property
    def keep_rate(self) -> float:
        return sum(self.kept.values()) / max(1, sum(self.keep_total.values()))

    def kind_recall(self, kind: str) -> float:
        return self.found[kind] / max(1, self.total[kind])


def _score_spans(sc: Score, rec: dict, result) -> None:
    """Labelled spans: judged by which characters the scrubber replaced."""
    text = rec["text"]
    covered = {i for s in result.spans for i in range(s.start, s.end)}
    for span in rec["phi"]:
        sc.total[span["kind"]] += 1
        if all(i in covered for i in _must_cover(span, text)):
            sc.found[span["kind"]] += 1
        else:
            sc.misses.append(f"MISS {span['kind']:9} {span['value']!r:28} {rec['id']}: "
                             f"{result.text}")
    for span in rec["keep"]:
        sc.keep_total[span["kind"]] += 1
        if any(span["start"] < s.end and s.start < span["end"] for s in result.spans):
            sc.misses.append(f"LOST {span['kind']:9} {span['value']!r:28} {rec['id']}: "
                             f"{result.text}")
        else:
            sc.kept[span["kind"]] += 1
    for s in result.spans:
        if not any(s.start < p["end"] and p["start"] < s.end for p in rec["phi"]):
            sc.over_scrub += 1
            sc.over_kinds[s.kind] += 1
            sc.misses.append(f"OVER {s.kind:9} {text[s.start : s.end]!r:28} {rec['id']}: "
                             f"{result.text}")


def _score_values(sc: Score, rec: dict, result) -> None:
    """Legacy sets (value strings only): judged on the scrubbed text."""
    text, out = rec["text"], result.text
    phi_spans = []
    for entry in rec["phi"]:
        sc.total[entry["kind"]] += 1
        phi_spans += _occurs(entry["value"], text)
        if _occurs(entry["value"], out):
            sc.misses.append(f"MISS {entry['kind']:9} {entry['value']!r:28} {rec['id']}: {out}")
        else:
            sc.found[entry["kind"]] += 1
    for keep in rec["keep"]:
        sc.keep_total["keep"] += 1
        if keep in out:
            sc.kept["keep"] += 1
        else:
            sc.misses.append(f"LOST {keep!r:38} {rec['id']}: {out}")
    for span in result.spans:
        if not any(span.start < e and s < span.end for s, e in phi_spans):
            sc.over_scrub += 1
            sc.misses.append(f"OVER {span.kind:9} {text[span.start : span.end]!r:28} {rec['id']}")


def score(scrubber: PhiScrubber, records: list[dict], repeats: int = 1) -> Score:
    """Scrub every record and score it; ``repeats`` > 1 times each scrub that many times."""
    sc = Score()
    for rec in records:
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = scrubber.scrub(rec["text"])
            sc.latencies_ms.append((time.perf_counter() - t0) * 1000)
        labelled = all("start" in span for span in rec["phi"]) and all(
            isinstance(keep, dict) for keep in rec["keep"]
        )
        (_score_spans if labelled else _score_values)(sc, rec, result)
    return sc


def _pct(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0.0
    )


def report(name: str, sc: Score) -> None:
    n_found, n_total = sum(sc.found.values()), sum(sc.total.values())
    n_kept, n_keep = sum(sc.kept.values()), sum(sc.keep_total.values())
    print(f"== {name}")
    print(f"  recall     {sc.recall:7.2%}  ({n_found}/{n_total} identifier spans removed)")
    for kind in sorted(sc.total):
        print(f"    {kind:10} {sc.kind_recall(kind):7.2%}  ({sc.found[kind]}/{sc.total[kind]})")
    print(f"  keep rate  {sc.keep_rate:7.2%}  ({n_kept}/{n_keep} look-alikes kept)")
    for kind in sorted(sc.keep_total):
        kept, total = sc.kept[kind], sc.keep_total[kind]
        print(f"    {kind:14} {kept / total:7.2%}  ({kept}/{total})")
    kinds = ", ".join(f"{k} {n}" for k, n in sc.over_kinds.most_common())
    print(f"  over-scrub {sc.over_scrub} span(s) replaced that are not annotated PHI"
          + (f" ({kinds})" if kinds else ""))
    lat = sc.latencies_ms
    print(f"  latency    p50 {_pct(lat, 50):.2f} ms  p95 {_pct(lat, 95):.2f} ms"
          f"  max {max(lat):.2f} ms")


def clinician_questions() -> list[str]:
    """The clinician_dev questions: 625 answerable cases and 150 out-of-scope ones."""
    return [
        rec["question"]
        for name in ("cases.jsonl", "out_of_scope.jsonl")
        for rec in load(CLINICIAN_DEV / name)
    ]


def medquad_questions(n: int = 400, seed: int = 0) -> list[str]:
    """``n`` distinct MedQuAD questions from `calibrate` topics (None without the data)."""
    if not MEDQUAD.exists():
        return []
    topics = set(json.loads(MEDQUAD_SPLIT.read_text("utf-8"))["calibrate"])
    pool = sorted({r["question"] for r in load(MEDQUAD) if r["topic_id"] in topics})
    return random.Random(seed).sample(pool, min(n, len(pool)))


def altered_questions(scrubber: PhiScrubber, questions: list[str]) -> list[tuple[str, str]]:
    """(question, scrubbed) for every question the scrubber changed."""
    out = []
    for q in questions:
        scrubbed = scrubber.scrub_text(q)
        if scrubbed != q:
            out.append((q, scrubbed))
    return out


def report_altered(scrubber: PhiScrubber, *, show: bool) -> None:
    for name, questions in (
        ("clinician_dev (cases + out_of_scope)", clinician_questions()),
        (f"MedQuAD calibrate-topic sample ({MEDQUAD})", medquad_questions()),
    ):
        if not questions:
            print(f"== altered: {name}: data not found, skipped")
            continue
        changed = altered_questions(scrubber, questions)
        print(f"== altered: {name}")
        print(f"  {len(changed)} of {len(questions)} questions without PHI changed by the scrubber")
        if show:
            print("\n".join(f"    {q!r}\n      -> {out!r}" for q, out in changed))


def forty_word_questions(records: list[dict]) -> list[str]:
    """Questions of exactly 40 words, made by joining consecutive lines of a split."""
    words = " ".join(r["text"] for r in records).split()
    return [" ".join(words[i : i + 40]) for i in range(0, len(words) - 40, 40)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules-only", action="store_true", help="PhiScrubber(use_ner=False)")
    ap.add_argument("--show-misses", action="store_true",
                    help="print every miss/loss/over-scrub (not for the untouched split)")
    ap.add_argument("--repeats", type=int, default=3, help="timed scrubs per line")
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    ap.add_argument("--altered", action="store_true",
                    help="only count PHI-free questions (clinician_dev, MedQuAD) it changes")
    ap.add_argument("--show-altered", action="store_true",
                    help="with --altered: list each changed question")
    args = ap.parse_args()

    t0 = time.perf_counter()
    scrubber = PhiScrubber(use_ner=not args.rules_only)
    print(f"PhiScrubber(use_ner={not args.rules_only}) built in {time.perf_counter() - t0:.1f} s")
    for rec in load(SETS["dev"])[:50]:  # warm-up
        scrubber.scrub(rec["text"])
    if args.altered or args.show_altered:
        report_altered(scrubber, show=args.show_altered)
        return 0
    for name in args.sets:
        path = SETS[name]
        records, calls = load(path), scrubber.ner_calls
        sc = score(scrubber, records, repeats=args.repeats)
        report(f"{name} ({path.relative_to(ROOT)})", sc)
        if scrubber.use_ner:
            share = (scrubber.ner_calls - calls) / max(1, len(records) * args.repeats)
            print(f"  spaCy ran on {share:.1%} of lines (the rest: rules alone)")
        if args.show_misses and name not in NO_LINE_BY_LINE:
            print("\n".join("    " + m for m in sc.misses))

    questions = forty_word_questions(load(SETS["untouched"]))[:300]
    times, cpu, calls = [], [], scrubber.ner_calls
    for q in questions:
        t, c = time.perf_counter(), time.thread_time()
        scrubber.scrub(q)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    print(f"== 40-word questions ({len(questions)} from the untouched split, one scrub each)")
    print(f"  latency    p50 {_pct(times, 50):.2f} ms  p95 {_pct(times, 95):.2f} ms"
          f"  (spaCy on {scrubber.ner_calls - calls} of {len(questions)})")
    # CPU time of the scrubbing thread leaves out time spent waiting for a core, so it is
    # what the wall-clock figure approaches on an idle machine.
    print(f"  cpu time   p50 {_pct(cpu, 50):.2f} ms  p95 {_pct(cpu, 95):.2f} ms")
    load1, load5, _ = os.getloadavg()
    print(f"  machine    {os.cpu_count()} cores, load average {load1:.1f} / {load5:.1f}"
          " (1 / 5 min): latency on a loaded machine is inflated")
    report_altered(scrubber, show=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
