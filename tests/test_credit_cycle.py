"""Credit an accreditor would accept: real reflections, sources opened, one cycle per
question, credit by profession, demonstration content and honest certificates, and
concurrent claims that respect the cap. Real SQLite files in tmp_path; no web app."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import yaml
from pypdf import PdfReader
from sqlmodel import Session, select

from credit_capture import audit, claims, episodes, exports
from credit_capture.credit_errors import (
    CapExceeded,
    DemoContentOnly,
    InvalidReflection,
    NameRequired,
    NotForProfession,
    ProfessionRequired,
    ProviderNotConfigured,
    SourcesNotOpened,
)
from credit_capture.models import Inquiry
from credit_capture.rules import DEFAULT_RULES_PATH, load_rules
from credit_capture.store import make_engine, save_inquiry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEMO = {"doc_id": "croup-dexamethasone-dosing", "title": "Croup: dexamethasone",
        "url": "https://example.org/croup", "version": "c0ffee", "score": 0.8, "demo": True}
APPROVED = {"doc_id": "cap-outpatient-empiric-antibiotics", "title": "CAP antibiotics",
            "url": "https://example.org/cap", "version": "a1b2c3", "score": 0.7, "demo": False}
REFLECTION = {
    "reason": "Managing a current patient", "relevance": "totally", "outcome": "confirmed",
    "patient_use": "yes", "health_benefit": "yes",
    "practice_change": "Nothing changed: the card confirmed the single oral dose I planned.",
}


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path}/credit.db")


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


def rules_file(tmp_path, *, provider: bool = True, **changes):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    if provider:  # a configured provider's file: demo content left at its default
        raw["provider"] = {"name": "Example Health CME", "accredited_by": ["ACCME", "ANCC"],
                           "accreditation": "Example Health CME is accredited by the ACCME "
                                            "to provide CME for physicians."}
        raw.pop("demo_content_creditable")
    raw.update(changes)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_rules(path)


def episode(session, question="croup dexamethasone dose", *, learner="ada", sources=(APPROVED,),
            at=T0, opened=True, **kw):
    inquiry = save_inquiry(session, Inquiry(question=question, answer="…", learner_id=learner,
                                            created_at=at, citations=list(sources)))
    ep = episodes.open_episode(session, inquiry=inquiry, window_days=30, now=at, **kw)
    if opened and ep.inquiry_id == inquiry.id:
        for source in sources:
            episodes.record_opened(session, inquiry_id=inquiry.id, learner_id=learner,
                                   doc_id=source["doc_id"], via="chip", now=at)
    return ep


def reflect(session, ep, learner="ada", **changes):
    return episodes.record_reflection(session, episode_id=ep.id, learner_id=learner,
                                      data={**REFLECTION, **changes}, now=T0, require_opened=True)


# ------------------------------------------------------------------ a real reflection

@pytest.mark.parametrize("typed", ["", "asdf", "n/a", "ok", "ok ok ok", "qwerty asdf zxcv"])
def test_token_answers_are_refused_with_a_clear_message(session, typed):
    ep = episode(session)
    with pytest.raises(InvalidReflection) as err:
        reflect(session, ep, practice_change=typed)
    assert "practice_change: say what you will do or did differently" in str(err.value)
    assert episodes.get_reflection(session, episode_id=ep.id) is None


def test_unanswered_choices_are_listed_not_defaulted(session):
    ep = episode(session)
    with pytest.raises(InvalidReflection) as err:
        episodes.record_reflection(session, episode_id=ep.id, learner_id="ada",
                                   data={"reason": "Managing a current patient",
                                         "practice_change": "Will give one oral dose."})
    message = str(err.value)
    for field in ("relevance: choose", "outcome: choose", "patient_use: choose"):
        assert field in message
    with pytest.raises(InvalidReflection, match="health_benefit"):
        reflect(session, ep, health_benefit=None)


def test_iam_answers_are_stored_and_feed_the_outcome(session):
    ep = episode(session)
    stored = reflect(session, ep, relevance="partially", outcome="learned", patient_use="no",
                     health_benefit=None, practice_change="Will read the AAP guideline tonight")
    assert (stored.answered, stored.outcome, stored.patient_use) == ("partly", "learned", "no")
    assert stored.practice_change == "Will read the AAP guideline tonight"


def test_reflection_needs_a_source_opened_and_only_the_answers_sources_count(session):
    ep = episode(session, opened=False)
    with pytest.raises(SourcesNotOpened, match="Open at least one"):
        reflect(session, ep)
    assert not episodes.record_opened(session, inquiry_id=ep.inquiry_id, learner_id="ada",
                                      doc_id="some-other-card", via="card")
    assert episodes.record_opened(session, inquiry_id=ep.inquiry_id, learner_id="ada",
                                  doc_id=APPROVED["doc_id"], via="card")
    assert not episodes.record_opened(session, inquiry_id=ep.inquiry_id, learner_id="ada",
                                      doc_id=APPROVED["doc_id"], via="card")  # once each
    assert reflect(session, ep).episode_id == ep.id
    actions = [e.action for e in audit.events_for(session, entity="episode", entity_id=ep.id)]
    assert actions == ["episode.opened", "episode.source_opened"]


# ------------------------------------------------------------------ one cycle per question

def test_a_repeated_question_joins_its_episode_within_the_window(session):
    first = episode(session, "Croup: dexamethasone dose?", duplicate_days=30)
    again = episode(session, "dexamethasone dose croup", at=T0 + timedelta(days=3),
                    sources=(APPROVED, DEMO), duplicate_days=30)
    assert again.id == first.id and len(again.joined) == 1
    assert [s["doc_id"] for s in again.sources] == [APPROVED["doc_id"], DEMO["doc_id"]]
    other = episode(session, "croup nebulised epinephrine", duplicate_days=30)
    later = episode(session, "dexamethasone dose croup", at=T0 + timedelta(days=40),
                    duplicate_days=30)
    assert len({first.id, other.id, later.id}) == 3
    # the joined inquiry maps to the first episode (for sources opened from it)
    assert episodes.episode_for_inquiry(session, inquiry_id=again.joined[0],
                                        learner_id="ada").id == first.id


def test_similar_wording_joins_by_the_similarity_threshold(session):
    scores = {"dexamethasone for croup, what dose": 0.95, "croup epinephrine": 0.6}

    def similarity(question, earlier):
        return [scores[question] for _ in earlier]

    first = episode(session, "croup dexamethasone dose", duplicate_days=30)
    near = episode(session, "dexamethasone for croup, what dose", duplicate_days=30,
                   similarity=similarity, threshold=0.9)
    far = episode(session, "croup epinephrine", duplicate_days=30, similarity=similarity,
                  threshold=0.9)
    assert near.id == first.id and far.id != first.id
    other_learner = episode(session, "croup dexamethasone dose", learner="bo",
                            duplicate_days=30)
    assert other_learner.id != first.id


# ------------------------------------------------------------------ credit by profession

def test_credit_types_follow_the_profession(session, tmp_path):
    rules = rules_file(tmp_path)
    ep = episode(session)
    reflect(session, ep)
    common = dict(episode_id=ep.id, learner_id="ada", rules=rules, now=T0)
    with pytest.raises(ProfessionRequired, match="profession"):
        claims.claim_credit(session, credit_type="ama_pra_1", profession="", **common)
    with pytest.raises(NotForProfession, match="ANCC nursing contact hours is not offered"):
        claims.claim_credit(session, credit_type="ancc_contact_hours", profession="physician",
                            **common)
    issued = claims.claim_credit(session, credit_type="ama_pra_1", profession="Physician",
                                 **common)
    assert (issued.profession, issued.accredited) == ("physician", True)
    assert [t.key for t in rules.types_for("nurse")] == ["ancc_contact_hours"]
    assert [t.key for t in rules.types_for("pharmacist")] == ["participation"]
    nurse_ep = episode(session, "hyperkalemia calcium", learner="cy")
    reflect(session, nurse_ep, learner="cy")
    with pytest.raises(NotForProfession):
        claims.claim_credit(session, episode_id=nurse_ep.id, learner_id="cy", rules=rules,
                            credit_type="ama_pra_1", profession="nurse", now=T0)


# ------------------------------------------------------------------ demonstration content

def test_demo_content_earns_no_credit_unless_the_rules_say_so(session, tmp_path):
    rules = rules_file(tmp_path)
    assert rules.demo_content_creditable is False
    ep = episode(session, sources=(DEMO,))
    reflect(session, ep)
    with pytest.raises(DemoContentOnly, match="demonstration content"):
        claims.claim_credit(session, episode_id=ep.id, learner_id="ada", rules=rules,
                            credit_type="ama_pra_1", profession="physician", now=T0)
    # the sources consulted decide: opening only the demo card of a mixed answer is demo
    mixed = episode(session, "cap penicillin allergy", sources=(APPROVED, DEMO), opened=False)
    episodes.record_opened(session, inquiry_id=mixed.inquiry_id, learner_id="ada",
                           doc_id=DEMO["doc_id"], via="chip")
    reflect(session, mixed)
    with pytest.raises(DemoContentOnly):
        claims.claim_credit(session, episode_id=mixed.id, learner_id="ada", rules=rules,
                            credit_type="ama_pra_1", profession="physician", now=T0)
    allowed = rules_file(tmp_path, demo_content_creditable=True)
    issued = claims.claim_credit(session, episode_id=ep.id, learner_id="ada", rules=allowed,
                                 credit_type="ama_pra_1", profession="physician", now=T0)
    assert issued.demo_content and issued.accredited
    row = exports.transcript_rows([issued], [ep], rules=allowed)[0]
    assert row.status == "credit (demonstration content)"


# ------------------------------------------------------------------ honest certificates

def test_unconfigured_provider_issues_a_demonstration_record_and_no_pars(session, tmp_path):
    rules = load_rules()  # the shipped demonstration file
    ep = episode(session)
    reflect(session, ep)
    claim = claims.claim_credit(session, episode_id=ep.id, learner_id="ada", rules=rules,
                                credit_type="ama_pra_1", profession="physician", now=T0)
    assert not claim.accredited
    pdf = exports.certificate_pdf(learner_name="Ada Okafor", claims=[claim], rules=rules)
    text = " ".join(PdfReader(BytesIO(pdf)).pages[0].extract_text().split())
    assert "Record of Participation" in text and "Demonstration: not valid for credit" in text
    assert "accredited by" not in text and "designates" not in text
    for bad_name in ("", "  ", "ada@example.org"):
        with pytest.raises(NameRequired, match="never your e-mail"):
            exports.certificate_pdf(learner_name=bad_name, claims=[claim], rules=rules)
    with pytest.raises(ProviderNotConfigured, match="not valid for credit"):
        exports.pars_export(learners=[], claims=[claim], rules=rules, start=date(2026, 1, 1),
                            end=date(2026, 12, 31))
    # configuring a provider later never turns a demonstration record into credit
    configured = rules_file(tmp_path)
    later = exports.certificate_pdf(learner_name="Ada Okafor", claims=[claim], rules=configured)
    assert "Demonstration" in PdfReader(BytesIO(later)).pages[0].extract_text()


# ------------------------------------------------------------------ concurrency

def test_concurrent_claims_never_pass_the_cap_nor_share_an_audit_seq(engine, tmp_path):
    rules = rules_file(tmp_path, credit_types=[
        {**t, "annual_cap": 2.0} for t in yaml.safe_load(
            DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["credit_types"]])
    with Session(engine) as session:
        ids = []
        for n in range(20):
            ep = episode(session, f"question {n} about croup dosing")
            reflect(session, ep)
            ids.append(ep.id)
    outcomes: list[str] = []
    barrier = threading.Barrier(len(ids))

    def claim(episode_id: str) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                claims.claim_credit(own, episode_id=episode_id, learner_id="ada", rules=rules,
                                    credit_type="ama_pra_1", profession="physician",
                                    now=T0 + timedelta(days=1))
                outcomes.append("issued")
            except CapExceeded:
                outcomes.append("capped")
            except Exception as exc:  # noqa: BLE001 - any other failure fails the test
                outcomes.append(f"error: {exc!r}")

    threads = [threading.Thread(target=claim, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["capped"] * 16 + ["issued"] * 4, outcomes
    with Session(engine) as session:
        assert claims.claimed_in_year(session, learner_id="ada", credit_type="ama_pra_1",
                                      year=2026) == 2.0
        seqs = [e.seq for e in session.exec(select(audit.AuditEvent))]
        assert seqs == list(range(1, len(seqs) + 1))
        assert audit.verify_chain(session) == []
