"""Development-data adapters build valid suites from ../shared/data (skipped without it)."""

from __future__ import annotations

import pytest

from evals.adapters import data_dir, load_adapter
from evals.suites import SuiteError

DATA = data_dir()


def test_unknown_adapter_and_missing_data_are_clear_errors(tmp_path):
    with pytest.raises(SuiteError, match="no adapter"):
        load_adapter("nope", tmp_path)
    with pytest.raises(SuiteError, match="development data not found"):
        load_adapter("pubmedqa", tmp_path)


@pytest.mark.skipif(not (DATA / "pubmedqa").exists(), reason="needs ../shared/data")
def test_pubmedqa_adapter_removes_abstracts_it_expects_abstention_for():
    suite, corpus = load_adapter("pubmedqa", DATA)
    corpus_ids = {doc.id for doc in corpus}
    abstain = [c for c in suite.cases if c.get("expect_abstain")]
    assert len(suite.cases) == 500 and len(abstain) == 100 and len(corpus) == 400
    assert all(c["id"].removeprefix("pqa-") not in corpus_ids for c in abstain)
    assert all(c["expected_doc_ids"][0] in corpus_ids for c in suite.cases if c not in abstain)


@pytest.mark.skipif(not (DATA / "kqa").exists(), reason="needs ../shared/data")
def test_kqa_adapter_maps_physician_labels_to_verifier_labels():
    suite, corpus = load_adapter("kqa", DATA)
    assert corpus is None and suite.kind == "verify"
    assert {c["label"] for c in suite.cases} <= {"supported", "unsupported", "contradicted"}
