"""Benchmark the grounding verifier on the card suite and on K-QA physician NLI labels.

Run from the repo root:  .venv/bin/python -m bench.bench_verifier

1. evals/suites/verifier/cases.jsonl (perturbed card sentences): recall of the right label
   per perturbation, then precision/recall per label.
2. K-QA judge set (/work/shared/data/kqa/kqa_nli_physician_labels_dev.jsonl): the system
   answer is the evidence, the physicians' gold statement the claim; majority labels map
   Entailment -> supported, Contradiction -> contradicted, Neutral -> unsupported.
   Accuracy, macro-F1 and Cohen's kappa for the verifier and for a plain baseline (cosine of
   the claim to its best evidence sentence >= a threshold, chosen on the same data to
   maximise macro-F1, so the baseline is optimistic), measured in the same run.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from retrieval.index import shared_embedder  # noqa: E402
from retrieval.text import split_sentences, strip_citation_marks  # noqa: E402
from retrieval.verifier import GroundingVerifier  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "evals" / "suites" / "verifier" / "cases.jsonl"
DATA = Path(
    os.environ.get("CURBSIDE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
KQA = DATA / "kqa" / "kqa_nli_physician_labels_dev.jsonl"
MODEL_CACHE = Path.home() / ".cache" / "curbside"
LABELS = ("supported", "unsupported", "contradicted")
KQA_LABELS = {"Entailment": "supported", "Neutral": "unsupported",
              "Contradiction": "contradicted"}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def per_label(gold: list[str], pred: list[str]) -> dict[str, tuple[float, float, float, int]]:
    """label -> (precision, recall, F1, support)."""
    out = {}
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        predicted = sum(p == label for p in pred)
        actual = sum(g == label for g in gold)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = (precision, recall, f1, actual)
    return out


def agreement(gold: list[str], pred: list[str]) -> dict[str, float]:
    """Accuracy, macro-F1 over the labels present in gold, and Cohen's kappa."""
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / n
    scores = per_label(gold, pred)
    present = [label for label in LABELS if scores[label][3]]
    macro_f1 = sum(scores[label][2] for label in present) / len(present)
    gold_counts, pred_counts = Counter(gold), Counter(pred)
    chance = sum(gold_counts[label] * pred_counts[label] for label in LABELS) / n**2
    kappa = (accuracy - chance) / (1 - chance) if chance < 1 else 0.0
    return {"accuracy": accuracy, "macro_f1": macro_f1, "kappa": kappa}


def run_cases(verifier: GroundingVerifier, cases: list[dict]) -> list[str]:
    return [verifier.verify(case["claim"], case["evidence"]).label for case in cases]


def case_report(cases: list[dict], predicted: list[str]) -> dict:
    """Per-perturbation recall of the expected label, and per-label precision/recall."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for case, label in zip(cases, predicted, strict=True):
        kind = case["perturbation"]
        if kind == "paraphrase":
            kind += " (hand)" if "-hand" in case["id"] else " (template)"
        by_kind[kind].append(label == case["label"])
    recall = {kind: (sum(hits) / len(hits), len(hits)) for kind, hits in sorted(by_kind.items())}
    return {"recall": recall, "labels": per_label([c["label"] for c in cases], predicted)}


def best_cosine(embedder, claim: str, evidence: list[str]) -> float:
    sentences = [s for p in evidence for s in split_sentences(strip_citation_marks(p))]
    vectors = embedder.embed([claim, *sentences])
    return float((vectors[1:] @ vectors[0]).max())


def threshold_baseline(gold: list[str], cosines: list[float]) -> tuple[float, list[str]]:
    """The cosine threshold (supported above, unsupported below) with the best macro-F1."""
    best = (-1.0, 0.0, [])
    for threshold in sorted(set(np.round(cosines, 3))):
        pred = ["supported" if c >= threshold else "unsupported" for c in cosines]
        score = agreement(gold, pred)["macro_f1"]
        if score > best[0]:
            best = (score, float(threshold), pred)
    return best[1], best[2]


class MemoEmbedder:
    """Remembers single-text embeddings so the threshold sweep embeds each text once."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        if len(texts) != 1:
            return self._embedder.embed(texts)
        if texts[0] not in self._memo:
            self._memo[texts[0]] = self._embedder.embed(texts)
        return self._memo[texts[0]]


def tuned_verifier(embedder, rows: list[dict], gold: list[str]) -> tuple[float, list[str]]:
    """The verifier with its support threshold chosen on the same data (like the baseline)."""
    best = (-1.0, 0.0, [])
    for support_min in np.arange(0.30, 0.81, 0.025):
        verifier = GroundingVerifier(embedder, support_min=float(support_min))
        pred = [verifier.verify(row["statement"], [row["answer"]]).label for row in rows]
        score = agreement(gold, pred)["macro_f1"]
        if score > best[0]:
            best = (score, float(support_min), pred)
    return best[1], best[2]


def main() -> None:
    embedder = shared_embedder(MODEL_CACHE, True)
    verifier = GroundingVerifier(embedder)

    cases = read_jsonl(CASES)
    started = time.perf_counter()
    predicted = run_cases(verifier, cases)
    per_call = (time.perf_counter() - started) / len(cases) * 1000
    report = case_report(cases, predicted)
    print(f"# verifier suite: {len(cases)} cases ({CASES.relative_to(ROOT)}), "
          f"{per_call:.1f} ms per claim")
    print(f"{'perturbation':<22} {'n':>4}  recall of expected label")
    for kind, (value, n) in report["recall"].items():
        print(f"{kind:<22} {n:>4}  {value:.3f}")
    print(f"\n{'label':<14} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}")
    for label, (p, r, f1, n) in report["labels"].items():
        print(f"{label:<14} {p:>9.3f} {r:>7.3f} {f1:>6.3f} {n:>5}")

    rows = read_jsonl(KQA)
    gold = [KQA_LABELS[row["majority_label"]] for row in rows]
    pred = [verifier.verify(row["statement"], [row["answer"]]).label for row in rows]
    cosines = [best_cosine(embedder, row["statement"], [row["answer"]]) for row in rows]
    threshold, baseline = threshold_baseline(gold, cosines)
    support_min, tuned = tuned_verifier(MemoEmbedder(embedder), rows, gold)
    print(f"\n# K-QA physician NLI labels (dev): {len(rows)} pairs, gold {dict(Counter(gold))}")
    print(f"{'system':<40} {'accuracy':>8} {'macro-F1':>8} {'kappa':>6}")
    for name, labels in (("verifier (shipped thresholds)", pred),
                         (f"verifier, support_min {support_min:.2f} (tuned here)", tuned),
                         (f"cosine >= {threshold:.3f} (tuned here)", baseline)):
        score = agreement(gold, labels)
        print(f"{name:<40} {score['accuracy']:>8.3f} {score['macro_f1']:>8.3f} "
              f"{score['kappa']:>6.3f}")
    print(f"verifier predictions: {dict(Counter(pred))}")
    for label, (p, r, _, n) in per_label(gold, pred).items():
        print(f"  verifier {label:<13} precision {p:.3f} recall {r:.3f} (n={n})")


if __name__ == "__main__":
    main()
