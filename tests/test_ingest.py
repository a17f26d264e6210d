"""Ingestion: validation with precise messages, incremental re-ingest, versions, JSONL."""

from __future__ import annotations

import json

import pytest

from app.services import Curbside
from app.settings import Settings
from retrieval.errors import ContentError
from tests.factories import write_card


def _curbside(tmp_path, content):
    return Curbside(
        Settings(
            home=tmp_path / "home",
            content_dir=content,
            database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        )
    )


def test_bad_card_names_file_field_and_reason_and_writes_nothing(tmp_path):
    content = tmp_path / "content"
    write_card(content, "good-card")
    bad = write_card(content, "bad-card", specialty=[])
    curbside = _curbside(tmp_path, content)
    with pytest.raises(ContentError) as error:
        curbside.ingest_cards()
    message = str(error.value)
    assert str(bad) in message and "specialty" in message
    assert not curbside.files.exists()


def test_duplicate_ids_and_bad_yaml_are_rejected(tmp_path):
    content = tmp_path / "content"
    write_card(content, "one")
    (content / "other.md").write_text("---\nid: [unclosed\n---\nbody\n")
    with pytest.raises(ContentError, match="invalid YAML"):
        _curbside(tmp_path, content).ingest_cards()
    (content / "other.md").unlink()
    write_card(content / "sub", "one")
    with pytest.raises(ContentError, match="duplicate"):
        _curbside(tmp_path, content).ingest_cards()


def test_reingest_skips_unchanged_cards_and_keeps_versions(tmp_path):
    content = tmp_path / "content"
    write_card(content, "alpha", condition="zorblax fever", dose="250 mg")
    write_card(content, "beta", condition="quellian pox")
    curbside = _curbside(tmp_path, content)
    first = curbside.ingest_cards()
    assert (first.changed, first.unchanged) == (2, 0)
    again = curbside.ingest_cards()
    assert (again.changed, again.chunks_embedded) == (0, 0)

    write_card(content, "alpha", condition="zorblax fever", dose="500 mg")
    third = curbside.ingest_cards()
    assert (third.changed, third.unchanged) == (1, 1)
    versions = curbside.files.catalog().versions("alpha")
    assert len(versions) == 2
    assert "250 mg" in versions[0][2].text and "500 mg" in versions[1][2].text
    answer = curbside.answer("zorblax fever quinaprofen dose")
    assert "500 mg" in answer.answer and "250 mg" not in answer.answer


def test_jsonl_corpus_is_cited_by_its_own_ids(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {
            "id": "rec-1",
            "title": "Glimmerpox",
            "url": "https://example.org/g",
            "text": "Glimmerpox is treated with 40 mg of vexacillin twice daily for 7 days. "
            "Glimmerpox spreads by droplets.",
        },
        {
            "id": "rec-2",
            "title": "Stonewort syndrome",
            "url": "https://example.org/s",
            "text": "Stonewort syndrome causes joint stiffness in adults over 50.",
        },
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records))
    curbside = _curbside(tmp_path, tmp_path / "none")
    report = curbside.ingest_jsonl(corpus)
    assert report.documents == 2
    answer = curbside.answer("how is glimmerpox treated")
    assert not answer.abstained
    assert [c.doc_id for c in answer.citations][0] == "rec-1"
    assert "40 mg of vexacillin twice daily for 7 days" in answer.answer


def test_jsonl_errors_point_at_the_line(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"id": "a", "title": "T", "text": "x", "url": ""}\n{"id": "b", "title": 3}\n'
    )
    with pytest.raises(ContentError, match=r"corpus.jsonl:2: title"):
        _curbside(tmp_path, tmp_path).ingest_jsonl(corpus)
    corpus.write_text("not json\n")
    with pytest.raises(ContentError, match=r"corpus.jsonl:1: line: invalid JSON"):
        _curbside(tmp_path, tmp_path).ingest_jsonl(corpus)


def test_only_web_links_are_ingested(tmp_path):
    """A `javascript:` link in a card source or a corpus record would run in the reader's
    browser: ingest refuses it with file, field and reason, and indexes nothing."""
    from retrieval.cards import load_cards
    from retrieval.corpus import load_jsonl

    bad_card = write_card(tmp_path / "content", "bad-link")
    bad_card.write_text(bad_card.read_text().replace("https://", "javascript:alert(1)//", 1))
    with pytest.raises(ContentError) as card_error:
        load_cards([tmp_path / "content"])
    assert "url" in str(card_error.value) and "http(s)" in str(card_error.value)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "r1", "title": "T", "text": "Some text.",
                                  "url": "javascript:alert(1)"}) + "\n")
    with pytest.raises(ContentError) as jsonl_error:
        load_jsonl(corpus)
    assert "corpus.jsonl:1" in str(jsonl_error.value) and "url" in str(jsonl_error.value)


def test_card_sentences_are_embedded_at_ingest_and_only_new_ones_again(tmp_path):
    """The composer ranks a card's sentences by meaning; their vectors are made when the
    library changes, not when a clinician first asks (half a second per card on 2 cores),
    and an ingest that changes one card embeds only that card's new sentences."""
    import numpy as np

    from retrieval import sentence_vectors

    content = tmp_path / "content"
    write_card(content, "first-card")
    write_card(content, "second-card", condition="morvish palsy", drug="dentoprazole")
    curbside = _curbside(tmp_path, content)
    curbside.ingest_cards()
    files = curbside.files
    sentences = sentence_vectors.card_sentences(files)
    assert any("morvish palsy" in s.lower() for s in sentences)
    embedder = files.embedder()
    fresh = embedder.embed(sentences)
    stored = np.load(files.folder / sentence_vectors.FILE)
    assert stored["texts"].tolist() == sentences
    assert np.all(np.sum(stored["vectors"] * fresh, axis=1) > 0.999)

    write_card(content, "second-card", condition="morvish palsy", drug="dentoprazole",
               dose="40 mg")
    report = curbside.ingest_cards()
    assert sentence_vectors.save(files, embedder) == 0  # nothing left to embed
    changed = [s for s in sentence_vectors.card_sentences(files) if s not in sentences]
    assert changed and all("40 mg" in s for s in changed)
    assert report.sentences_embedded == len(changed)  # the unchanged card kept its vectors
