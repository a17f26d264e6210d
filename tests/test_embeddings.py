"""The packaged encoder as the answer path uses it: remembered vectors are the model's own."""

from __future__ import annotations

import numpy as np


def test_remembered_vectors_equal_fresh_ones_and_each_text_runs_once(curbside, monkeypatch):
    embedder = curbside.files.embedder()
    earlier = ["croup dexamethasone dose", "k 6.9 what now", "metformin egfr 28 stop?"]
    fresh = embedder.embed(earlier)

    runs: list[list[str]] = []
    model = embedder._run

    def counted(batch):
        runs.append(list(batch))
        return model(batch)

    monkeypatch.setattr(embedder, "_run", counted)
    first = embedder.embed_remembered([*earlier, earlier[0]])  # a repeat inside one call
    assert np.allclose(first[:3], fresh, atol=1e-6) and np.allclose(first[3], fresh[0])
    assert sorted(text for batch in runs for text in batch) == sorted(earlier)

    runs.clear()
    again = embedder.embed_remembered(["cap outpt pcn allergy abx?", *earlier])
    assert [text for batch in runs for text in batch] == ["cap outpt pcn allergy abx?"]
    assert np.allclose(again[1:], fresh, atol=1e-6)
