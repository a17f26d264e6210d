"""The packaged encoder as the answer path uses it: remembered vectors are the model's own."""

from __future__ import annotations

import numpy as np


def _same_direction(a: np.ndarray, b: np.ndarray) -> bool:
    """The int8 model scales activations per batch, so one text embedded in two different
    batches differs in the third decimal; the direction is what similarity reads."""
    return bool(np.all(np.sum(a * b, axis=-1) > 0.999))


def test_remembered_vectors_equal_fresh_ones_and_each_text_runs_once(curbside, monkeypatch):
    embedder = curbside.files.embedder()
    # texts no other test asks, so the process-wide memory has not seen them yet
    earlier = ["croup dex dose for embedding test", "k 6.9 what now embedding test",
               "metformin egfr 28 stop? embedding test"]
    fresh = embedder.embed(earlier)

    runs: list[list[str]] = []
    model = embedder._run

    def counted(batch):
        runs.append(list(batch))
        return model(batch)

    monkeypatch.setattr(embedder, "_run", counted)
    first = embedder.embed_remembered([*earlier, earlier[0]])  # a repeat inside one call
    assert _same_direction(first[:3], fresh) and np.array_equal(first[3], first[0])
    assert sorted(text for batch in runs for text in batch) == sorted(earlier)

    runs.clear()
    new = "cap outpt pcn allergy abx? embedding test"
    again = embedder.embed_remembered([new, *earlier])
    assert [text for batch in runs for text in batch] == [new]
    assert np.array_equal(again[1:], first[:3])  # the remembered vectors themselves
