"""Development-data adapters: suites built from files in the shared/data formats."""

from __future__ import annotations

import json

import pytest

from evals.adapters import load_adapter
from evals.suites import SuiteError


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in rows))


def test_unknown_adapter_and_missing_data_are_clear_errors(tmp_path):
    with pytest.raises(SuiteError, match="no adapter"):
        load_adapter("nope", tmp_path)
    with pytest.raises(SuiteError, match="development data not found"):
        load_adapter("pubmedqa", tmp_path)


def test_pubmedqa_adapter_removes_the_abstracts_it_expects_abstention_for(tmp_path):
    _write(tmp_path / "pubmedqa" / "pqal_dev.jsonl", [
        {"pmid": str(1000 + i), "question": f"Does drug {i} work?", "contexts": [f"Text {i}."]}
        for i in range(150)
    ])
    suite, corpus = load_adapter("pubmedqa", tmp_path)
    corpus_ids = {doc.id for doc in corpus}
    abstain = [c for c in suite.cases if c.get("expect_abstain")]
    assert len(suite.cases) == 150 and len(abstain) == 100 and len(corpus) == 50
    assert all(c["id"].removeprefix("pqa-") not in corpus_ids for c in abstain)
    answerable = [c for c in suite.cases if not c.get("expect_abstain")]
    assert all(c["expected_doc_ids"][0] in corpus_ids for c in answerable)


def test_kqa_adapter_maps_physician_labels_to_verifier_labels(tmp_path):
    _write(tmp_path / "kqa" / "kqa_nli_physician_labels_dev.jsonl", [
        {"id": "k1", "statement": "A", "answer": "A.", "majority_label": "Entailment"},
        {"id": "k2", "statement": "B", "answer": "C.", "majority_label": "Contradiction"},
        {"id": "k3", "statement": "D", "answer": "E.", "majority_label": "Neutral"},
    ])
    suite, corpus = load_adapter("kqa", tmp_path)
    assert corpus is None and suite.kind == "verify"
    assert [c["label"] for c in suite.cases] == ["supported", "contradicted", "unsupported"]
