"""How well the shipped cards answer clinicians' questions, on the held-out `test` split.

Two development sets, both split by topic (`evals/splits/`): `clinician_dev` (written from
the topic list in clinicians' mid-shift style, with decisive facts, out-of-scope questions
and follow-ups) and the older `cards_dev`. Printed per set and split side: answered,
answered from the right card, decisive fact present, out-of-scope answered, follow-ups
answered from the right card, the dense-only top-1 baseline from the same run, latency.

    python -m bench.bench_answering [--side test|calibrate|both] [--show-misses]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import WORK, percentile, read_jsonl, service
from evals.splits import load_split
from retrieval.cards import load_cards

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "evals" / "suites"


def cards_by_topic(cards) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for card in cards:
        for topic in card.meta.get("topics") or []:
            out.setdefault(int(topic), set()).add(card.id)
    return out


def decisive_found(answer: str, groups: list[list[str]]) -> bool:
    text = answer.lower()
    return all(any(alt.lower() in text for alt in group) for group in groups)


def run_set(curbside, name: str, inscope, oos, followups, side: str, show: bool) -> None:
    searcher = curbside.searcher()
    n = answered = right = decisive = decisive_n = base = 0
    latencies: list[float] = []
    for item in inscope:
        started = time.perf_counter()
        answer = curbside.answer(item["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        n += 1
        top = answer.citations[0].doc_id if answer.citations else None
        ok = not answer.abstained and top in item["expected"]
        answered += not answer.abstained
        right += ok
        if item.get("decisive"):
            decisive_n += 1
            hit = ok and decisive_found(answer.answer, item["decisive"])
            decisive += hit
        dense = searcher.dense_only(item["question"], k=1)
        base += bool(dense and dense[0][0] in item["expected"])
        if show and (not ok or (item.get("decisive") and not hit)):
            state = "ABSTAIN" if answer.abstained else f"-> {top}"
            print(f"  MISS {item['id']} {item['question']!r} {state} "
                  f"want {sorted(item['expected'])[:2]} {item.get('decisive', '')}")
            if answer.abstained:
                print(f"       reason: {answer.abstain_reason}")
            else:
                print(f"       lead: {answer.answer.splitlines()[0][:160]}")
    oos_answered = 0
    for item in oos:
        answer = curbside.answer(item["question"])
        oos_answered += not answer.abstained
        if show and not answer.abstained:
            print(f"  OOS ANSWERED {item['id']} {item['question']!r} -> "
                  f"{answer.citations[0].doc_id}")
    follow_right = 0
    for item in followups:
        answer = curbside.answer(item["followup"], previous=item["first"])
        follow_right += (not answer.abstained and answer.citations[0].doc_id in item["expected"])
    print(f"{name} [{side}]: {n} in-scope, {len(oos)} out-of-scope, {len(followups)} follow-ups")
    print(f"  answered                 {answered / n:6.3f}")
    print(f"  right card (answered)    {right / n:6.3f}   dense-only top-1 {base / n:.3f}")
    if decisive_n:
        print(f"  decisive fact present    {decisive / decisive_n:6.3f}")
    if oos:
        print(f"  out-of-scope answered    {oos_answered / len(oos):6.3f}")
    if followups:
        print(f"  follow-ups right card    {follow_right / len(followups):6.3f}")
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(f"  latency p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["test", "calibrate", "both"], default="test")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    cards = load_cards([REPO / "content"])
    curbside = service(WORK / "cards")
    curbside._ingest(cards, progress=False)
    by_topic = cards_by_topic(cards)
    sides = ["calibrate", "test"] if args.side == "both" else [args.side]

    clinician = SUITES / "clinician_dev"
    split = load_split("clinician_dev")
    cases = read_jsonl(clinician / "cases.jsonl")
    for item in cases:
        item["expected"] = by_topic.get(item["topic"], set())
    followups = read_jsonl(clinician / "followups.jsonl")
    for item in followups:
        item["expected"] = by_topic.get(item["topic"], set())
    oos = read_jsonl(clinician / "out_of_scope.jsonl")
    for side in sides:
        ids = split[side]
        run_set(curbside, "clinician_dev", [c for c in cases if c["id"] in ids],
                [c for c in oos if c["id"] in ids], [c for c in followups if c["id"] in ids],
                side, args.show_misses)

    split = load_split("cards_dev")
    older = [q for f in sorted((SUITES / "cards_dev").glob("[a-z].jsonl")) for q in read_jsonl(f)]
    for item in older:
        item["expected"] = set(item["expected"])
    older_oos = read_jsonl(SUITES / "cards_dev" / "out_of_scope.jsonl")
    for side in sides:
        ids = split[side]
        run_set(curbside, "cards_dev", [c for c in older if c["id"] in ids],
                [c for c in older_oos if c["id"] in ids], [], side, args.show_misses)


if __name__ == "__main__":
    main()
