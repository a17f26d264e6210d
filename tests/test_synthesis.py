"""Model-written answers behind the grounding guard, driven through the real `openai` and
LangChain clients against a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from scripted_llm import ScriptedServer

from app.main import create_app
from app.services import Curbside
from prompts import NOT_COVERED, load_prompt
from retrieval.synthesis.claims import ClaimStream, split_claims

QUESTION = "croup dexamethasone dose"


@pytest.fixture(scope="module")
def llm_server():
    with ScriptedServer() as server:
        yield server


def _llm(settings, server, model, **limits):
    return settings.model_copy(update={
        "llm": "openai", "llm_model": model, "openai_base_url": server.base_url,
        "synthesis": settings.synthesis.model_copy(update={"timeout_s": 20.0, **limits}),
    })


def _ask(settings, server, model, question=QUESTION, **limits):
    curbside = Curbside(_llm(settings, server, model, **limits))
    return curbside, curbside.ask(question)


def test_faithful_paraphrases_are_all_kept_and_citations_repointed(settings, llm_server):
    curbside, outcome = _ask(settings, llm_server, "paraphrase")
    answer = outcome.answer
    assert answer.mode == "synthesis" and answer.notice is None
    record = curbside.inquiry(outcome.inquiry.id).signals["synthesis"]
    assert record["prompt"] == {"id": "grounded-answer", "version": 1}
    assert [d["kept"] for d in record["decisions"]] == [True, True, True]  # 0 faithful dropped
    miscited = record["decisions"][2]
    assert miscited["cited"] == ["P9"] and miscited["repointed"] and miscited["passage"] != "P9"
    assert answer.answer.startswith("Every child with croup, including mild cases")
    assert all(line.rstrip().endswith("[1]") for line in answer.answer.split("\n"))
    assert [c.doc_id for c in answer.citations] == ["croup-dexamethasone-dosing"]
    assert "0.15 mg/kg" in answer.citations[0].snippet  # the passage the claims rest on


def test_planted_claims_never_reach_the_clinician(settings, llm_server):
    curbside, outcome = _ask(settings, llm_server, "planted")
    text = outcome.answer.answer
    assert outcome.answer.mode == "synthesis"
    assert "Zorbanexin" not in text and "always works" not in text
    assert not re.search(r"(?<![\d.])6 mg/kg", text)  # the tenfold dose (0.6 -> 6)
    decisions = curbside.inquiry(outcome.inquiry.id).signals["synthesis"]["decisions"]
    dropped = {d["claim"]: d for d in decisions if not d["kept"]}
    assert len(dropped) == 3 and all(d["reasons"] for d in dropped.values())
    dose = next(d for claim, d in dropped.items() if claim.startswith("Dexamethasone 6 mg/kg"))
    assert dose["label"] == "contradicted" and "6 mg/kg" in dose["reasons"][0]
    kept = [d["claim"] for d in decisions if d["kept"]]
    assert kept and all(claim in text for claim in kept)


@pytest.mark.parametrize("model", ["hallucinated", "sentinel"])
def test_too_little_verified_shows_the_extractive_answer_with_a_notice(
    settings, llm_server, model
):
    extractive = Curbside(settings).answer(QUESTION)
    curbside, outcome = _ask(settings, llm_server, model)
    assert outcome.answer.mode == "extractive" and outcome.answer.notice
    assert outcome.answer.answer == extractive.answer
    record = curbside.inquiry(outcome.inquiry.id).signals["synthesis"]
    assert record["fallback"]
    assert ("do not cover" in record["fallback"]) == (model == "sentinel")


@pytest.mark.parametrize(
    ("model", "kind"),
    [("error500", "server_error"), ("ratelimit", "rate_limited"), ("malformed", "malformed"),
     ("slow", "timeout"), ("dribble", "timeout"), ("keepalive", "timeout"),
     ("runaway", "too_long")],
)
def test_model_failures_end_in_the_extractive_answer_within_the_deadline(
    settings, llm_server, model, kind
):
    curbside = Curbside(_llm(settings, llm_server, model, timeout_s=1.5, max_tokens=64))
    curbside.warm_up()
    started = time.perf_counter()
    outcome = curbside.ask(QUESTION)
    assert time.perf_counter() - started < 5.0  # 1.5 s deadline plus search and checks
    assert outcome.answer.mode == "extractive" and not outcome.answer.abstained
    assert "unavailable" in outcome.answer.notice
    assert outcome.answer.signals["synthesis"]["error"]["kind"] == kind


def test_unreachable_server_is_a_notice_not_a_500(settings):
    unreachable = settings.model_copy(update={
        "llm": "openai", "openai_base_url": "http://127.0.0.1:9/v1"})
    with TestClient(create_app(unreachable)) as client:
        body = client.post("/api/v1/ask", json={"question": QUESTION}).json()
    assert body["mode"] == "extractive" and "unavailable (connection)" in body["notice"]


def test_the_model_is_never_asked_when_curbside_abstains(settings, llm_server):
    before = len(llm_server.requests)
    _, outcome = _ask(settings, llm_server, "faithful",
                      question="tacrolimus trough target after kidney transplant")
    assert outcome.answer.abstained and len(llm_server.requests) == before
    assert "synthesis" not in outcome.answer.signals


def test_only_the_scrubbed_question_is_sent_with_passages_fenced(settings, llm_server):
    _ask(settings, llm_server, "faithful",
         question="John Smith MRN 48213377 croup dexamethasone dose")
    body = llm_server.requests[-1]
    sent = json.dumps(body)
    assert "Smith" not in sent and "48213377" not in sent
    system, user = (m["content"] for m in body["messages"])
    assert NOT_COVERED in system and "<!--" not in system + user
    assert '<passage id="P1"' in user and user.rstrip().endswith("croup dexamethasone dose")
    assert body["max_tokens"] == 300 and body["max_completion_tokens"] == 300
    assert body["stream"] is True


def test_quoted_passages_send_only_the_quoted_sentences_and_still_verify(
    settings, llm_server
):
    """The short prompt `make serve-llm` uses for a tiny model: each fenced passage is the
    sentences the extractive answer quoted from its card, nothing else of the section."""
    extractive = Curbside(settings).answer(QUESTION)
    curbside, outcome = _ask(settings, llm_server, "faithful", passage_text="quoted")
    _, user = (m["content"] for m in llm_server.requests[-1]["messages"])
    fenced = re.findall(r'<passage id="P\d+"[^>]*>\n(.*?)\n</passage>', user, re.S)
    quoted = [sentence for sentence, _ in extractive.sentences]
    assert fenced and " ".join(fenced) == " ".join(quoted)
    assert outcome.answer.mode == "synthesis"
    record = curbside.inquiry(outcome.inquiry.id).signals["synthesis"]
    assert record["kept"] >= 1 and record["dropped"] == 0  # faithful claims all kept


def test_stream_sends_verified_sentences_then_the_answer(settings, llm_server):
    app = create_app(_llm(settings, llm_server, "planted"))
    with TestClient(app) as client, client.stream(
        "POST", "/api/v1/ask/stream", json={"question": QUESTION}
    ) as r:
        assert r.status_code == 200
        events = _events(r.iter_lines())
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"sentence"}
    answer = events[-1][1]
    sentences = [data for kind, data in events if kind == "sentence"]
    assert [f"{s['text']} [{s['citation']}]" for s in sentences] == [
        line.removeprefix("- ") for line in answer["answer"].split("\n")]
    assert not any("Zorbanexin" in s["text"] or "always" in s["text"] for s in sentences)
    assert answer["mode"] == "synthesis" and answer["inquiry_id"]


def test_stream_in_extractive_mode_and_bad_questions(client):
    with client.stream("POST", "/api/v1/ask/stream", json={"question": QUESTION}) as r:
        events = _events(r.iter_lines())
    answer = events[-1][1]
    assert answer["mode"] == "extractive" and len(events) == len(answer["answer"].split("\n")) + 1
    response = client.post("/api/v1/ask/stream", json={"question": " "})
    assert response.status_code == 422 and "empty" in response.json()["detail"]


def test_prompt_is_a_reviewed_versioned_template():
    prompt = load_prompt("grounded_answer")
    assert (prompt.id, prompt.version) == ("grounded-answer", 1)
    system, user = prompt.render(sentinel=NOT_COVERED, max_sentences="4", thread="",
                                 passages="<passage>", question="q")
    assert "why:" not in system + user and NOT_COVERED in system and "[P1]" in system


def test_claims_split_the_same_streamed_or_whole():
    draft = ("Give 0.6 mg/kg once [P1]. The maximum is 10 mg. [P2] Not for adults (P3).\n"
             "- Epinephrine helps [P1][P2]")
    stream = ClaimStream()
    pieces = [c for word in re.findall(r"\S+\s*", draft) for c in stream.feed(word)]
    pieces += stream.close()
    assert pieces == split_claims(draft)
    assert [(c.text, c.cited) for c in pieces] == [
        ("Give 0.6 mg/kg once.", ["P1"]), ("The maximum is 10 mg.", ["P2"]),
        ("Not for adults.", ["P3"]), ("Epinephrine helps", ["P1", "P2"])]


def _events(lines) -> list[tuple[str, dict]]:
    events, kind = [], None
    for line in lines:
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            events.append((kind, json.loads(line.split(":", 1)[1])))
    return events


def test_eval_report_shows_the_guards_decisions(settings, llm_server):
    from app.evaluation import Evaluation
    from evals.harness import CaseResult, Run
    from evals.report import render_html

    output = Evaluation(Curbside(_llm(settings, llm_server, "planted"))).ask(
        {"question": QUESTION})
    assert output["mode"] == "synthesis"
    assert all(v["label"] == "supported" for v in output["verdicts"])  # what is shown holds
    run = Run(id="r1", created_at="2026-12-07", suites=["answerable"], content_version="x",
              settings={}, seconds=1.0, metrics={}, per_suite={},
              cases=[CaseResult("answerable", "c1", {"question": QUESTION}, output, {})])
    page = render_html(run)
    assert "claims dropped" in page and "Zorbanexin" in page and "dropped\n(contradicted)" in page


def test_chat_page_shows_the_fallback_notice_without_javascript(settings, llm_server):
    with TestClient(create_app(_llm(settings, llm_server, "hallucinated"))) as client:
        page = client.post("/", data={"question": QUESTION}).text
    assert 'class="notice"' in page and "could be verified" in page
    assert "Zorbanexin" not in page


def test_a_follow_up_is_its_own_inquiry_with_the_thread_as_context(settings, llm_server):
    curbside = Curbside(_llm(settings, llm_server, "faithful"))
    first = curbside.ask(QUESTION)
    follow = curbside.ask("and if stridor at rest?", follow_up_to=first.inquiry.id)
    assert follow.answer.mode == "synthesis"
    user = llm_server.requests[-1]["messages"][1]["content"]
    assert f"Earlier question in this thread: {QUESTION}" in user
    assert user.rstrip().endswith("Question: and if stridor at rest?")
    stored = curbside.inquiry(follow.inquiry.id)
    assert stored.signals["follow_up_of"] == first.inquiry.id
    assert stored.signals["synthesis"]["prompt"]["id"] == "grounded-answer"


def test_a_fragment_is_never_shown_even_when_its_words_are_in_a_passage(settings):
    from retrieval.synthesis.claims import Claim
    from retrieval.synthesis.fencing import Fenced
    from retrieval.synthesis.guard import Guard
    from retrieval.verifier import GroundingVerifier

    curbside = Curbside(settings)
    passage = curbside.searcher().search(curbside_question(QUESTION), k=1).passages[0]
    guard = Guard(GroundingVerifier(curbside.files.embedder()), [Fenced("P1", passage)])
    assert not guard.check(Claim("Croup:", ["P1"])).kept
    assert guard.check(Claim(passage.text.split(". ")[0] + ".", ["P1"])).kept


def curbside_question(text: str):
    from retrieval.query import understand

    return understand(text)


def test_eval_llm_flag_runs_suites_through_the_model_and_records_the_prompt(
    settings, llm_server, tmp_path, monkeypatch, capsys
):
    from app.cli import main
    from evals.harness import load_run

    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CURBSIDE_LLM_MODEL", "planted")
    suite = tmp_path / "mini.jsonl"
    suite.write_text(json.dumps({"id": "a1", "question": QUESTION,
                                 "expected_doc_ids": ["croup-dexamethasone-dosing"]}) + "\n")

    # Without a server to talk to, --llm is a one-line error, not a run of fallbacks.
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["eval", str(suite), "--llm"]) == 2
    assert "OPENAI_BASE_URL" in capsys.readouterr().err

    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.base_url)
    assert main(["eval", str(suite), "--llm", "--json",
                 "--fail-under", "unsupported_claim_rate<=0"]) == 0
    llm = json.loads(capsys.readouterr().out)
    assert llm["answering"] == {"mode": "llm", "model": "planted",
                                "prompt": {"id": "grounded-answer", "version": 1},
                                "drafts": 1, "kept": 2, "dropped": 3, "fallbacks": 0}
    stored = load_run(settings.home / "evals" / "runs", llm["run_id"])
    assert stored.settings["answering"]["prompt"]["version"] == 1
    assert stored.cases[0].output["mode"] == "synthesis"

    # The same suite with --llm none is extractive although the model is configured.
    monkeypatch.setenv("CURBSIDE_LLM", "openai")
    assert main(["eval", str(suite), "--llm", "none", "--json"]) == 0
    extractive = json.loads(capsys.readouterr().out)
    assert extractive["answering"] == {"mode": "extractive"}
    report = tmp_path / "llm.html"
    assert main(["eval", str(suite), "--llm", "--report", str(report)]) == 0
    assert "answering: model planted, prompt grounded-answer v1" in capsys.readouterr().out
    assert "answers by model planted, prompt grounded-answer\nv1" in report.read_text()
