"""Answers from the shipped cards: cited, verbatim, and abstaining when not covered."""

from __future__ import annotations

import re

from app.services import Curbside
from app.settings import Settings
from tests.factories import write_card


def test_cap_question_gets_a_cited_answer_from_the_cap_card(curbside):
    answer = curbside.answer("CAP outpt pcn allergy abx?")
    assert not answer.abstained
    assert answer.citations[0].doc_id == "cap-outpatient-empiric-antibiotics"
    assert "::" not in answer.citations[0].doc_id
    assert len(answer.answer.split()) <= 140


def test_every_answer_sentence_is_quoted_from_the_cited_document(curbside):
    answer = curbside.answer("epinephrine dose for anaphylaxis in a child")
    assert not answer.abstained
    documents = curbside.searcher().documents
    cited = {c.doc_id for c in answer.citations}
    for sentence, doc_id in answer.sentences:
        assert doc_id in cited
        assert sentence in re.sub(r"\s*\[\d+(?:,\s*\d+)*\]", "", documents[doc_id][0].text)
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == set(range(1, len(answer.citations) + 1))


def test_out_of_scope_questions_abstain_with_a_reason(curbside):
    for question in ["tacrolimus trough target kidney transplant year 1",
                     "best suture material for a facial laceration in a toddler"]:
        answer = curbside.answer(question)
        assert answer.abstained, question
        assert answer.abstain_reason and answer.answer == "" and not answer.citations


def test_only_servable_cards_are_answered_from(tmp_path):
    content = tmp_path / "content"
    write_card(content, "served", condition="zorblax fever")
    write_card(content, "draft-card", condition="quellian pox", status="draft")
    write_card(content, "retired-card", condition="morvish palsy", status="retired")
    write_card(content, "expired-card", condition="tindle cough", review_due="2020-01-01")
    curbside = Curbside(Settings(home=tmp_path / "home", content_dir=content,
                                 database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    curbside.ingest_cards()
    assert curbside.answer("zorblax fever treatment quinaprofen").citations[0].doc_id == "served"
    for condition in ["quellian pox", "morvish palsy", "tindle cough"]:
        answer = curbside.answer(f"{condition} treatment quinaprofen")
        assert all(c.doc_id == "served" for c in answer.citations), condition


def test_specialty_filter_restricts_the_cards_searched(curbside):
    result = curbside.searcher().search("first line treatment", specialty="dermatology", k=5)
    docs = curbside.searcher().documents
    assert result.passages
    assert all("dermatology" in docs[p.doc_id][0].specialty for p in result.passages)
