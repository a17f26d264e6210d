"""Split every development set once into `calibrate` and `test` id lists, by topic.

Why by topic: questions about one topic share words and answers, so fitting on some of a
topic's questions and reporting on the others would leak. Each group key (a card, a topic
number, a MedQuAD topic, a PubMedQA abstract) is hashed, so the split is stable, needs no
random state, and a new question of an existing topic lands on its topic's side.

Rules and weights are fitted on `calibrate` only; the README reports `test`.

    python -m evals.splits.make_splits [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def side(key: str) -> str:
    """'calibrate' or 'test' for a group key, half and half by a stable hash."""
    digest = hashlib.sha256(f"curbside-split-v1:{key}".encode()).digest()
    return "test" if digest[0] % 2 else "calibrate"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split(items: list[tuple[str, str]]) -> dict[str, list[str]]:
    """(id, group key) pairs -> sorted id lists per side."""
    out: dict[str, list[str]] = {"calibrate": [], "test": []}
    for item_id, key in items:
        out[side(key)].append(item_id)
    return {name: sorted(ids) for name, ids in out.items()}


def write(name: str, sides: dict[str, list[str]], grouped_by: str) -> None:
    body = {"grouped_by": grouped_by, **sides}
    (HERE / f"{name}.json").write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    print(f"{name}: calibrate {len(sides['calibrate'])}, test {len(sides['test'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    suites = REPO / "evals" / "suites"
    cards = [q for f in sorted((suites / "cards_dev").glob("[a-z].jsonl")) for q in read_jsonl(f)]
    cards_oos = read_jsonl(suites / "cards_dev" / "out_of_scope.jsonl")
    write("cards_dev", split([(q["id"], q["expected"][0]) for q in cards]
                             + [(q["id"], q["id"]) for q in cards_oos]), "expected card")
    clinician = suites / "clinician_dev"
    if (clinician / "cases.jsonl").exists():
        rows = [(q["id"], f"topic-{q['topic']}") for q in read_jsonl(clinician / "cases.jsonl")]
        rows += [(q["id"], f"topic-{q['topic']}")
                 for q in read_jsonl(clinician / "followups.jsonl")]
        rows += [(q["id"], q["id"]) for q in read_jsonl(clinician / "out_of_scope.jsonl")]
        write("clinician_dev", split(rows), "topic number (out-of-scope: question)")
    medquad = read_jsonl(args.data / "medquad" / "medquad_kb.jsonl")
    write("medquad", split(sorted({(r["topic_id"], r["topic_id"]) for r in medquad})),
          "MedQuAD topic_id (ids listed are topic ids)")
    pubmedqa = read_jsonl(args.data / "pubmedqa" / "pqal_dev.jsonl")
    write("pubmedqa", split([(r["pmid"], r["pmid"]) for r in pubmedqa]), "PubMedQA pmid")
    # The verifier's paraphrase model is fitted on calibrate pairs; every pair of one patient
    # question shares its answer text, so the question is the group.
    kqa = read_jsonl(args.data / "kqa" / "kqa_nli_physician_labels_dev.jsonl")
    write("kqa_nli", split([(r["id"], r["question_id"]) for r in kqa]),
          "K-QA question_id (ids listed are NLI pair ids)")


if __name__ == "__main__":
    main()
