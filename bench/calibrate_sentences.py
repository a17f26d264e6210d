"""Fit the composer's sentence-ranking weights on the `calibrate` split only (prints them).

For each calibrate question of the clinician set that is answered from a right card, the
sentences holding its decisive fact (any accepted wording of any of its parts) should rank
above the card's other sentences. A pairwise logistic regression learns that (each question
weighs the same, however long its card); the weights go into
`retrieval/sentence_rank.py` by hand, and `bench.bench_answering --side test` then reports
the decisive-fact rate on questions they never saw.

    python -m bench.calibrate_sentences
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bench.bench_answering import cards_by_topic
from bench.common import WORK, read_jsonl, service
from evals.splits import load_split
from retrieval.cards import load_cards
from retrieval.composer import answering_passages
from retrieval.query import understand
from retrieval.sentence_rank import FEATURES, WEIGHTS, rank

REPO = Path(__file__).resolve().parents[1]
CLINICIAN = REPO / "evals" / "suites" / "clinician_dev"


def holds_fact(text: str, groups: list[list[str]]) -> bool:
    """Does the text state any accepted wording of any part of the decisive fact?"""
    lowered = text.lower()
    return any(alt.lower() in lowered for group in groups for alt in group)


def ranked_questions(curbside, side: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: the features of its candidate sentences and which hold the fact."""
    cards = load_cards([REPO / "content"])
    by_topic = cards_by_topic(cards)
    ids = load_split("clinician_dev")[side]
    searcher = curbside.searcher()
    settings = curbside.settings
    out = []
    for case in read_jsonl(CLINICIAN / "cases.jsonl"):
        if case["id"] not in ids or not case.get("decisive"):
            continue
        understood = understand(curbside.scrubber.scrub(case["question"]).text)
        result = searcher.search(understood, k=settings.retrieval.top_k, today=settings.today())
        if result.coverage.top_doc not in by_topic.get(case["topic"], set()):
            continue  # the wrong card: no sentence of it should be learnt from
        candidates = rank(understood, answering_passages(result.passages, result.coverage),
                          echoes=result.echoes, relevance=searcher.relevance)
        labels = np.array([holds_fact(f"{c.sentence} {c.calculation or ''}", case["decisive"])
                           for c in candidates])
        if labels.any() and not labels.all():
            out.append((np.array([[c.features[n] for n in FEATURES] for c in candidates]),
                        labels))
    return out


def fit(questions: list[tuple[np.ndarray, np.ndarray]], c: float) -> np.ndarray:
    """Pairwise logistic regression: fact-holding minus other sentence of the same card."""
    diffs, weights = [], []
    for features, labels in questions:
        pairs = features[labels][:, None, :] - features[~labels][None, :, :]
        pairs = pairs.reshape(-1, features.shape[1])
        diffs.append(pairs)
        weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    x = np.vstack(diffs)
    w = np.concatenate(weights)
    scale = x.std(axis=0) + 1e-9
    x = np.vstack([x / scale, -x / scale])  # both orders, so no intercept is needed
    y = np.concatenate([np.ones(len(w)), np.zeros(len(w))])
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(x, y, sample_weight=np.concatenate([w, w]) * len(w) / w.sum())
    return model.coef_[0] / scale


def top_hits(questions, theta: np.ndarray, k: int) -> float:
    """Share of questions with a fact-holding sentence among the first k."""
    hits = 0
    for features, labels in questions:
        order = np.argsort(-(features @ theta), kind="stable")
        hits += labels[order[:k]].any()
    return hits / len(questions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    args = parser.parse_args()
    curbside = service(WORK / "cards")
    curbside._ingest(load_cards([REPO / "content"]), progress=False)
    questions = ranked_questions(curbside, "calibrate")
    current = np.array([WEIGHTS.get(name, 0.0) for name in FEATURES])
    theta = fit(questions, args.c)
    # Scores are compared with the lead's (`_KEPT_SHARE`), so keep the current scale.
    theta *= np.abs(current).sum() / np.abs(theta).sum()
    print(f"{len(questions)} calibrate questions with a fact-holding sentence on the right card")
    for label, weights in (("current", current), ("fitted", theta)):
        print(f"  {label:<8} fact in top 1 / 3 / 6: " + " / ".join(
            f"{top_hits(questions, weights, k):.3f}" for k in (1, 3, 6)))
    print("WEIGHTS = {" + ", ".join(f'"{n}": {v:.3f}' for n, v in zip(FEATURES, theta,
                                                                       strict=True)) + "}")


if __name__ == "__main__":
    main()
