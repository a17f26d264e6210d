"""Suites built from the public development data in `shared/data` (not shipped with Curbside).

- `pubmedqa`: the 500 dev abstracts as the corpus with 100 removed; each question must cite
  its own abstract, or abstain when that abstract was removed.
- `medquad`: the MedQuAD knowledge base with 10% of its topics removed; 300 covered and 300
  uncovered questions (retrieval by record id, abstention).
- `kqa`: K-QA physician NLI labels as verifier cases (judge agreement with physicians).
- `kqa_answers`: K-QA's real patient questions answered from the shipped cards; per the K-QA
  protocol each physician must-have statement is checked against the answer by the verifier
  (comprehensiveness = share entailed, contradiction = any contradicted). Most are outside
  the card library, so abstention is the expected, safe outcome for many.

Removal draws use their own seeds, distinct from the ones used to calibrate abstention.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from evals.suites import Suite, SuiteError
from retrieval.models import Document

ADAPTERS = ("pubmedqa", "medquad", "kqa", "kqa_answers")
_KQA_LABELS = {"Entailment": "supported", "Neutral": "unsupported",
               "Contradiction": "contradicted"}
_SEED = 4242


def data_dir() -> Path:
    """`CURBSIDE_DATA`, else `../shared/data` next to the working directory."""
    return Path(os.environ.get("CURBSIDE_DATA", Path.cwd().parent / "shared" / "data"))


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        raise SuiteError(f"{path}: development data not found (set CURBSIDE_DATA)")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_adapter(name: str, data: Path | None = None) -> tuple[Suite, list[Document] | None]:
    """The suite and, for retrieval adapters, the corpus it must be answered from."""
    data = data or data_dir()
    if name == "pubmedqa":
        return _pubmedqa(data)
    if name == "medquad":
        return _medquad(data)
    if name == "kqa":
        return _kqa(data), None
    if name == "kqa_answers":
        return _kqa_answers(data), None
    raise SuiteError(f"no adapter {name!r} (adapters: {', '.join(ADAPTERS)})")


def _pubmedqa(data: Path) -> tuple[Suite, list[Document]]:
    path = data / "pubmedqa" / "pqal_dev.jsonl"
    rows = _read(path)
    removed = set(random.Random(_SEED).sample([r["pmid"] for r in rows], 100))
    corpus = [
        Document(id=r["pmid"], title=f"PubMed {r['pmid']}", text=" ".join(r["contexts"]),
                 url=f"https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/")
        for r in rows if r["pmid"] not in removed
    ]
    cases = [
        {"id": f"pqa-{r['pmid']}", "question": r["question"],
         **({"expect_abstain": True} if r["pmid"] in removed
            else {"expected_doc_ids": [r["pmid"]]})}
        for r in rows
    ]
    return Suite("pubmedqa", path, cases), corpus


def _medquad(data: Path) -> tuple[Suite, list[Document]]:
    path = data / "medquad" / "medquad_kb.jsonl"
    records = _read(path)
    rng = random.Random(_SEED)
    topics = sorted({r["topic_id"] for r in records})
    gone = set(rng.sample(topics, len(topics) // 10))
    kept = [r for r in records if r["topic_id"] not in gone]
    removed = [r for r in records if r["topic_id"] in gone]
    corpus = [Document(id=r["id"], title=r["focus"], text=r["answer"], url=r["url"],
                       source=r["source"]) for r in kept]
    cases = [{"id": f"mq-{r['id']}", "question": r["question"], "expected_doc_ids": [r["id"]]}
             for r in rng.sample(kept, 300)]
    cases += [{"id": f"mq-{r['id']}", "question": r["question"], "expect_abstain": True}
              for r in rng.sample(removed, 300)]
    return Suite("medquad", path, cases), corpus


def _kqa(data: Path) -> Suite:
    path = data / "kqa" / "kqa_nli_physician_labels_dev.jsonl"
    cases = [
        {"id": r["id"], "claim": r["statement"], "evidence": [r["answer"]],
         "label": _KQA_LABELS[r["majority_label"]]}
        for r in _read(path) if r.get("majority_label") in _KQA_LABELS
    ]
    return Suite("kqa", path, cases, kind="verify")


def _kqa_answers(data: Path) -> Suite:
    path = data / "kqa" / "kqa_dev.jsonl"
    cases = [{"id": r["id"], "question": r["question"], "kqa_must_have": r["must_have"]}
             for r in _read(path) if r.get("must_have")]
    return Suite("kqa_answers", path, cases)
