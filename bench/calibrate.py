"""Fit the abstention rule's weights on development data (prints them; nothing is written).

Positives are questions whose source is indexed, negatives questions whose source was
removed (MedQuAD topics, PubMedQA abstracts) or that no card covers. Each source gets equal
weight, so the rule is not tuned to one corpus. The removal draws use other seeds than
bench_retrieval.py, so the benchmark measures the rule on different topics.

    python -m bench.calibrate
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np

from bench.common import DATA, WORK, read_jsonl, service
from retrieval.abstention import FEATURES, WEIGHTS
from retrieval.ingest import remove

KINDS = {"record": ("medquad", "pubmedqa"), "card": ("cards",)}
REPO = Path(__file__).resolve().parents[1]


def features(curbside, questions: list[str]) -> np.ndarray:
    rows = []
    for question in questions:
        signals = curbside.answer(question).signals  # the production path: scrub, search
        rows.append([signals[name] for name in FEATURES])
    return np.array(rows)


def holdout(name: str, removed_ids: list[str]):
    home = WORK / f"{name}-calibration"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(WORK / name, home)
    curbside = service(home)
    remove(curbside.files, removed_ids)
    return curbside


def datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    rng = random.Random(77)
    records = read_jsonl(DATA / "medquad" / "medquad_kb.jsonl")
    topics = sorted({r["topic_id"] for r in records})
    gone = set(rng.sample(topics, len(topics) // 10))
    removed = [r for r in records if r["topic_id"] in gone]
    kept = [r for r in records if r["topic_id"] not in gone]
    curbside = holdout("medquad", [r["id"] for r in removed])
    out["medquad"] = (
        features(curbside, [r["question"] for r in rng.sample(kept, 400)]),
        features(curbside, [r["question"] for r in rng.sample(removed, 400)]),
    )
    rows = read_jsonl(DATA / "pubmedqa" / "pqal_dev.jsonl")
    gone_ids = set(rng.sample([r["pmid"] for r in rows], 100))
    curbside = holdout("pubmedqa", sorted(gone_ids))
    out["pubmedqa"] = (
        features(curbside, [r["question"] for r in rows if r["pmid"] not in gone_ids]),
        features(curbside, [r["question"] for r in rows if r["pmid"] in gone_ids]),
    )
    cards = service(WORK / "cards")
    cards._ingest(
        __import__("retrieval.cards", fromlist=["load_cards"]).load_cards([REPO / "content"]),
        progress=False,
    )
    suite = REPO / "evals" / "suites" / "cards_dev"
    inscope = [q["question"] for f in sorted(suite.glob("[a-z].jsonl")) for q in read_jsonl(f)]
    negatives = suite / "out_of_scope.jsonl"
    if not negatives.exists():  # fall back to the eval suite's out-of-scope questions
        negatives = REPO / "evals" / "suites" / "out_of_scope" / "cases.jsonl"
    oos = [q["question"] for q in read_jsonl(negatives)]
    out["cards"] = (features(cards, inscope), features(cards, oos))
    return out


def fit(data) -> np.ndarray:
    xs, ys, ws = [], [], []
    for pos, neg in data.values():
        for x, y in ((pos, 1.0), (neg, 0.0)):
            xs.append(x)
            ys.append(np.full(len(x), y))
            ws.append(np.full(len(x), 1.0 / len(x)))
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    x1 = np.hstack([np.ones((len(x), 1)), x])
    theta = np.zeros(x1.shape[1])
    for _ in range(20000):
        p = 1 / (1 + np.exp(-x1 @ theta))
        theta -= 2.0 * (x1.T @ (w * (p - y))) / w.sum()
    return theta


def report(data, theta: np.ndarray, label: str) -> None:
    print(label, " ".join(f"{v:+.2f}" for v in theta))
    for name, (pos, neg) in data.items():
        answered = np.mean(np.hstack([np.ones((len(pos), 1)), pos]) @ theta > 0) * 100
        abstained = np.mean(np.hstack([np.ones((len(neg), 1)), neg]) @ theta <= 0) * 100
        print(
            f"  {name:<9} answered covered {answered:5.1f}%  abstained uncovered {abstained:5.1f}%"
        )


def main() -> None:
    data = datasets()
    for kind, names in KINDS.items():
        part = {name: data[name] for name in names}
        current = np.array([WEIGHTS[kind]["bias"]] + [WEIGHTS[kind][f] for f in FEATURES])
        print(f"== {kind} documents ({', '.join(FEATURES)})")
        report(part, current, "current weights:")
        theta = fit(part)
        for shift in (0.0, -1.0, -0.5, 0.5, 1.0, 1.5):
            report(part, theta + np.eye(len(theta))[0] * shift, f"fitted, bias {shift:+}:")


if __name__ == "__main__":
    main()
