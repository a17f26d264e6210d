"""Retrieval fit of the shipped cards on the development question set (evals/suites/cards_dev).

Prints top-1 card accuracy, recall@3, the answer rate on in-scope questions and the
abstention rate on out-of-scope questions, plus the dense-only baseline.

    python -m bench.bench_cards [--show-misses]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import WORK, percentile, read_jsonl, service
from retrieval.cards import load_cards

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / "evals" / "suites" / "cards_dev"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    curbside = service(WORK / "cards")
    curbside._ingest(load_cards([REPO / "content"]), progress=False)
    searcher = curbside.searcher()
    inscope = [q for f in sorted(SUITE.glob("[a-z].jsonl")) for q in read_jsonl(f)]
    oos = (
        read_jsonl(SUITE / "out_of_scope.jsonl") if (SUITE / "out_of_scope.jsonl").exists() else []
    )
    top1 = at3 = answered = base_top1 = 0
    latencies = []
    for item in inscope:
        started = time.perf_counter()
        answer = curbside.answer(item["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = []
        for passage in searcher.search(item["question"], k=3).passages:
            if passage.doc_id not in ranked:
                ranked.append(passage.doc_id)
        expected = set(item["expected"])
        top1 += bool(ranked[:1] and ranked[0] in expected)
        at3 += bool(expected & set(ranked[:3]))
        answered += not answer.abstained
        dense = searcher.dense_only(item["question"], k=1)
        base_top1 += bool(dense and dense[0][0] in expected)
        if args.show_misses and (not ranked or ranked[0] not in expected or answer.abstained):
            print(
                f"MISS {item['id']}: {item['question']!r} -> {ranked[:3]} "
                f"abstained={answer.abstained} expected={sorted(expected)}"
            )
    abstained = 0
    for item in oos:
        answer = curbside.answer(item["question"])
        abstained += answer.abstained
        if args.show_misses and not answer.abstained:
            print(
                f"ANSWERED OOS {item['id']}: {item['question']!r} -> {answer.citations[0].doc_id}"
            )
    n = len(inscope)
    print(f"cards: {len(searcher.documents)}; in-scope questions: {n}; out-of-scope: {len(oos)}")
    print(
        f"  top-1 right card   {100 * top1 / n:5.1f}%   (dense-only baseline "
        f"{100 * base_top1 / n:.1f}%)"
    )
    print(f"  recall@3           {100 * at3 / n:5.1f}%")
    print(f"  answered in-scope  {100 * answered / n:5.1f}%")
    if oos:
        print(f"  abstained out-of-scope {100 * abstained / len(oos):5.1f}%")
    print(
        f"  answer latency p50 {percentile(latencies, 50):.1f} ms, "
        f"p95 {percentile(latencies, 95):.1f} ms"
    )


if __name__ == "__main__":
    main()
