"""Fit the abstention rule's weights on the `calibrate` split only (prints them).

The target is "answer only when the best document is a right one": positives are covered
questions whose top document is correct; negatives are questions no document covers
(out-of-scope questions, MedQuAD topics and PubMedQA abstracts removed from the index)
and covered questions whose top document is wrong (answering them would mislead). Each
source gets equal weight. Nothing of the `test` split is read, so `bench_answering` and
`bench_retrieval` report on questions the weights never saw.

    python -m bench.calibrate [--kinds card record]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.bench_answering import cards_by_topic
from bench.common import DATA, WORK, read_jsonl, service
from evals.splits import load_split
from retrieval.abstention import FEATURES, WEIGHTS
from retrieval.cards import load_cards
from retrieval.chunking import ASKED_AS
from retrieval.ingest import remove
from retrieval.query import understand

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "evals" / "suites"


def rows(curbside, questions: list[tuple[str, set[str] | None]]):
    """Feature rows and labels: 1 when the top document is one of the expected ones."""
    xs, ys = [], []
    for question, expected in questions:
        answer_signals = curbside.answer(question).signals
        xs.append([answer_signals[name] for name in FEATURES])
        ys.append(float(bool(expected) and answer_signals["top_doc"] in expected))
    return np.array(xs), np.array(ys)


def card_data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    cards = load_cards([REPO / "content"])
    curbside = service(WORK / "cards")
    curbside._ingest(cards, progress=False)
    by_topic = cards_by_topic(cards)
    split = load_split("clinician_dev")["calibrate"]
    clinician = SUITES / "clinician_dev"
    inscope = [(q["question"], by_topic.get(q["topic"], set()))
               for q in read_jsonl(clinician / "cases.jsonl") if q["id"] in split]
    oos = [(q["question"], None)
           for q in read_jsonl(clinician / "out_of_scope.jsonl") if q["id"] in split]
    older_split = load_split("cards_dev")["calibrate"]
    older = [(q["question"], set(q["expected"]))
             for f in sorted((SUITES / "cards_dev").glob("[a-z].jsonl"))
             for q in read_jsonl(f) if q["id"] in older_split]
    older_oos = [(q["question"], None)
                 for q in read_jsonl(SUITES / "cards_dev" / "out_of_scope.jsonl")
                 if q["id"] in older_split]
    return {
        "clinician_dev": rows(curbside, inscope + oos),
        "cards_dev": rows(curbside, older + older_oos),
        **asked_as_data(curbside),
    }


# Reported, not fitted: weights fitted with them answered fewer real clinician questions
# at the same out-of-scope rate (the phrases are tidier than what clinicians type).
DIAGNOSTIC = ("asked_as", "asked_as removed")


def asked_as_data(curbside) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Thousands more labelled questions that no evaluation set contains: each card's own
    `asked_as` phrases, asked once with only that phrase left out of the index (label: the
    card is found) and once with the whole card left out (label 0: a topic the library
    lacks, answered by whatever card is nearest)."""
    searcher = curbside.searcher()
    today = curbside.settings.today()
    present, removed = [], []
    for chunk_id, doc_id, section, phrase in curbside.files.catalog().chunks():
        if section != ASKED_AS:
            continue
        understood = understand(phrase)
        found = searcher.search(understood, today=today, without=frozenset({chunk_id}))
        present.append(([getattr(found.coverage, f) for f in FEATURES],
                        float(found.coverage.top_doc == doc_id)))
        missing = searcher.search(understood, today=today, without=frozenset({doc_id}))
        removed.append(([getattr(missing.coverage, f) for f in FEATURES], 0.0))
    return {
        name: (np.array([x for x, _ in got]), np.array([y for _, y in got]))
        for name, got in (("asked_as", present), ("asked_as removed", removed))
    }


def _holdout(name: str, removed_ids: list[str]):
    home = WORK / f"{name}-calibration"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(WORK / name, home)
    curbside = service(home)
    remove(curbside.files, removed_ids)
    return curbside


def record_data() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """MedQuAD and PubMedQA calibrate topics: 10% / 100 abstracts removed from the index
    (the indexes are built by bench_retrieval; run it first)."""
    rng = random.Random(77)
    out = {}
    records = read_jsonl(DATA / "medquad" / "medquad_kb.jsonl")
    topics = sorted(load_split("medquad")["calibrate"])
    gone = set(rng.sample(topics, len(topics) // 5))
    mine = [r for r in records if r["topic_id"] in load_split("medquad")["calibrate"]]
    removed = [r for r in mine if r["topic_id"] in gone]
    kept = [r for r in mine if r["topic_id"] not in gone]
    curbside = _holdout("medquad", [r["id"] for r in records if r["topic_id"] in gone])
    by_key: dict[str, set[str]] = {}
    for r in records:  # any section of the same page answers (the lenient label)
        by_key.setdefault(r["doc_key"], set()).add(r["id"])
    out["medquad"] = rows(
        curbside,
        [(r["question"], by_key[r["doc_key"]]) for r in rng.sample(kept, 400)]
        + [(r["question"], None) for r in rng.sample(removed, 400)],
    )
    pubmed = [r for r in read_jsonl(DATA / "pubmedqa" / "pqal_dev.jsonl")
              if r["pmid"] in load_split("pubmedqa")["calibrate"]]
    gone_ids = set(rng.sample([r["pmid"] for r in pubmed], 60))
    curbside = _holdout("pubmedqa", sorted(gone_ids))
    out["pubmedqa"] = rows(
        curbside, [(r["question"], None if r["pmid"] in gone_ids else {r["pmid"]})
                   for r in pubmed],
    )
    return out


def fit(data: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Logistic regression, each source and each class given equal total weight."""
    xs, ys, ws = [], [], []
    for name, (x, y) in data.items():
        if name in DIAGNOSTIC:
            continue
        for label in (0.0, 1.0):
            mask = y == label
            if mask.any():
                xs.append(x[mask])
                ys.append(y[mask])
                ws.append(np.full(mask.sum(), 1.0 / mask.sum()))
    weights = np.concatenate(ws)
    weights *= len(weights) / weights.sum()  # mean weight 1, so C means what it says
    model = LogisticRegression(C=10.0, max_iter=5000)
    model.fit(np.vstack(xs), np.concatenate(ys), sample_weight=weights)
    return np.concatenate([model.intercept_, model.coef_[0]])


def report(data, theta: np.ndarray, label: str) -> None:
    print(label, " ".join(f"{v:+.2f}" for v in theta))
    for name, (x, y) in data.items():
        decision = np.hstack([np.ones((len(x), 1)), x]) @ theta > 0
        right = decision[y == 1].mean() if (y == 1).any() else float("nan")
        wrong = decision[y == 0].mean() if (y == 0).any() else float("nan")
        print(f"  {name:<14} answered when right {right:5.3f}   answered when not {wrong:5.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", nargs="+", choices=["card", "record"], default=["card"])
    args = parser.parse_args()
    for kind in args.kinds:
        data = card_data() if kind == "card" else record_data()
        current = np.array([WEIGHTS[kind]["bias"]] + [WEIGHTS[kind].get(f, 0.0) for f in FEATURES])
        print(f"== {kind} documents ({', '.join(FEATURES)})")
        report(data, current, "current weights:")
        theta = fit(data)
        for shift in (-0.5, 0.0, 0.5, 1.0, 1.5):
            report(data, theta + np.eye(len(theta))[0] * shift, f"fitted, bias {shift:+}:")
        names = ("bias", *FEATURES)
        print("fitted:", {n: round(float(v), 2) for n, v in zip(names, theta, strict=True)})


if __name__ == "__main__":
    main()
