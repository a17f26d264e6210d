"""The credit cycle a learner relies on: question -> sources -> reflection -> credit.

Real SQLite in tmp_path; no web app involved (the domain package never imports it).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import yaml
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import Session, select

# Imported before make_engine so their tables are in SQLModel.metadata.
from credit_capture import audit, claims, episodes, exports
from credit_capture.credit_errors import (
    AnonymousInquiry,
    CapExceeded,
    ConsentRequired,
    InvalidExport,
    InvalidReflection,
    InvalidRules,
    NotYourEpisode,
    ReflectionRequired,
    SourcesRequired,
    UnknownCreditType,
    WindowClosed,
)
from credit_capture.errors import CreditError
from credit_capture.models import Inquiry
from credit_capture.rules import DEFAULT_RULES_PATH, load_rules
from credit_capture.store import make_engine, save_inquiry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CITATIONS = [
    {"doc_id": "cap-outpatient-empiric-antibiotics", "title": "Empiric antibiotics for CAP",
     "url": "https://example.org/cap", "version": "a1b2c3d4e5f6a7b8", "score": 0.83},
]
GOOD_REFLECTION = {
    "reason": "Unsure of first-line therapy for a penicillin-allergic adult.",
    "relevance": "totally",
    "outcome": "changed",
    "change_types": ["drug_therapy"],
    "patient_use": "yes",
    "health_benefit": "yes",
    "practice_change": "Prescribe doxycycline instead of a macrolide for this patient.",
}


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path}/t.db")


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture
def rules():
    return load_rules()


def provider_rules(tmp_path, **changes):
    """The shipped rules with an accredited provider configured (and ``changes``)."""
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["provider"] = {"name": "Example Health CME",
                       "accreditation": "Example Health CME is accredited by the ACCME to "
                                        "provide continuing medical education for physicians.",
                       "accredited_by": ["ACCME", "ANCC"]}
    raw["activity_id"] = "EXH-POC-2026"
    raw.pop("demo_content_creditable")
    raw.update(changes)
    path = tmp_path / "provider.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_rules(path)


@pytest.fixture
def accredited(tmp_path):
    return provider_rules(tmp_path)


def claim_for(session, *, profession="physician", **kw):
    """claims.claim_credit for a learner of ``profession`` (physician unless told)."""
    return claims.claim_credit(session, profession=profession, **kw)


def ask(session, learner="learner-1", *, abstained=False, at=T0) -> Inquiry:
    return save_inquiry(session, Inquiry(
        question="First-line outpatient CAP antibiotic with penicillin allergy?",
        answer="" if abstained else "Doxycycline 100 mg twice daily.",
        abstained=abstained, learner_id=learner, created_at=at,
        citations=[] if abstained else CITATIONS,
    ))


def cycle(session, rules, learner="learner-1", *, at=T0, credit="ama_pra_1", **claim_kw):
    """Inquiry -> episode -> reflection -> claim; returns (episode, claim)."""
    inquiry = ask(session, learner, at=at)
    ep = episodes.open_episode(session, inquiry=inquiry, window_days=30, now=at)
    episodes.record_reflection(session, episode_id=ep.id, learner_id=learner,
                               data=episodes.ReflectionIn(**GOOD_REFLECTION),
                               now=at + timedelta(days=2))
    claim = claim_for(session, episode_id=ep.id, learner_id=learner,
                      credit_type=credit, rules=rules, now=at + timedelta(days=2),
                      **claim_kw)
    return ep, claim


def total(session, learner="learner-1", credit="ama_pra_1", year=2026) -> float:
    return claims.claimed_in_year(session, learner_id=learner, credit_type=credit, year=year)


def test_full_cycle_earns_half_a_credit(session, rules):
    inquiry = ask(session)
    ep = episodes.open_episode(session, inquiry=inquiry, window_days=rules.reflection_window_days,
                               now=T0)
    assert ep.status == "open"
    assert ep.sources[0]["version"] == "a1b2c3d4e5f6a7b8"
    assert audit.as_utc(ep.due_at) == T0 + timedelta(days=30)
    assert episodes.open_episode(session, inquiry=inquiry, window_days=30).id == ep.id

    ref = episodes.record_reflection(session, episode_id=ep.id, learner_id="learner-1",
                                     data=GOOD_REFLECTION, now=T0 + timedelta(days=1))
    assert ref.fields_touched == 7  # every IAM answer plus what changed, typed
    claim = claim_for(session, episode_id=ep.id, learner_id="learner-1",
                      credit_type="ama_pra_1", rules=rules,
                      now=T0 + timedelta(days=1, hours=2))
    assert (claim.amount, claim.status, claim.year) == (0.5, "issued", 2026)
    assert claim.seconds_to_claim == 26 * 3600
    assert session.get(episodes.Episode, ep.id).status == "claimed"
    assert [e.id for e in episodes.list_episodes(session, learner_id="learner-1")] == [ep.id]
    assert [c.id for c in claims.claims_for(session, learner_id="learner-1",
                                            start=date(2026, 3, 1), end=date(2026, 3, 3))] \
        == [claim.id]
    assert claims.claims_for(session, learner_id="learner-1", start=date(2026, 3, 4)) == []


def test_duplicate_claim_returns_same_claim_and_no_double_credit(session, rules):
    ep, first = cycle(session, rules)
    again = claim_for(session, episode_id=ep.id, learner_id="learner-1",
                      credit_type="ama_pra_1", rules=rules,
                      now=T0 + timedelta(days=3))
    assert again.id == first.id
    assert total(session) == 0.5
    assert len(claims.claims_for(session, learner_id="learner-1")) == 1


def test_annual_cap_rejected_with_clear_message(session, tmp_path):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["credit_types"][0]["annual_cap"] = 1.0
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    capped = load_rules(path)
    cycle(session, capped)
    cycle(session, capped)
    with pytest.raises(CapExceeded) as err:
        cycle(session, capped)
    assert "Annual limit reached" in str(err.value)
    assert "1 of the 1 AMA PRA Category 1 Credit™ allowed for 2026" in str(err.value)
    assert total(session) == 1.0
    # a new calendar year starts a new allowance
    _, claim = cycle(session, capped, at=datetime(2027, 1, 5, tzinfo=UTC))
    assert claim.year == 2027


def test_claim_without_reflection_rejected(session, rules):
    ep = episodes.open_episode(session, inquiry=ask(session), window_days=30, now=T0)
    with pytest.raises(ReflectionRequired, match="reflection"):
        claim_for(session, episode_id=ep.id, learner_id="learner-1",
                  credit_type="ama_pra_1", rules=rules, now=T0)
    assert total(session) == 0


def test_reflection_after_window_rejected(session):
    ep = episodes.open_episode(session, inquiry=ask(session), window_days=30, now=T0)
    with pytest.raises(WindowClosed, match="closed on 2026-04-01"):
        episodes.record_reflection(session, episode_id=ep.id, learner_id="learner-1",
                                   data=GOOD_REFLECTION, now=T0 + timedelta(days=31))
    assert episodes.get_reflection(session, episode_id=ep.id) is None


def test_anonymous_inquiry_rejected(session):
    inquiry = ask(session, learner=None)
    with pytest.raises(AnonymousInquiry, match="without signing in"):
        episodes.open_episode(session, inquiry=inquiry, window_days=30)
    assert session.exec(select(episodes.Episode)).all() == []


def test_abstained_inquiry_claimable_only_with_own_sources(session, rules):
    inquiry = ask(session, abstained=True)
    ep = episodes.open_episode(session, inquiry=inquiry, window_days=30, now=T0)
    assert ep.abstained and ep.sources == []
    with pytest.raises(SourcesRequired, match="own_sources"):
        episodes.record_reflection(session, episode_id=ep.id, learner_id="learner-1",
                                   data=GOOD_REFLECTION, now=T0)
    with pytest.raises(ReflectionRequired):
        claim_for(session, episode_id=ep.id, learner_id="learner-1",
                  credit_type="ama_pra_1", rules=rules, now=T0)
    data = {**GOOD_REFLECTION, "own_sources": ["IDSA CAP guideline 2019", "  "]}
    ref = episodes.record_reflection(session, episode_id=ep.id, learner_id="learner-1",
                                     data=data, now=T0)
    assert ref.own_sources == ["IDSA CAP guideline 2019"]
    claim = claim_for(session, episode_id=ep.id, learner_id="learner-1",
                      credit_type="ama_pra_1", rules=rules, now=T0)
    assert claim.amount == 0.5


def test_moc_needs_board_consent(session, rules):
    with pytest.raises(ConsentRequired, match="consent"):
        cycle(session, rules, credit="abim_moc")
    ep = episodes.list_episodes(session, learner_id="learner-1")[0]
    claim = claim_for(session, episode_id=ep.id, learner_id="learner-1",
                      credit_type="abim_moc", rules=rules, now=T0,
                      board_consent=True)
    assert claim.amount == 0.5 and claim.fields_touched == 7 + 2
    with pytest.raises(UnknownCreditType,
                       match="ama_pra_1, participation, ancc_contact_hours, abim_moc"):
        claim_for(session, episode_id=ep.id, learner_id="learner-1",
                  credit_type="ama_pra_2", rules=rules, now=T0)


def test_other_learner_cannot_reflect_or_claim(session, rules):
    ep = episodes.open_episode(session, inquiry=ask(session), window_days=30, now=T0)
    with pytest.raises(NotYourEpisode):
        episodes.record_reflection(session, episode_id=ep.id, learner_id="intruder",
                                   data=GOOD_REFLECTION, now=T0)
    with pytest.raises(NotYourEpisode):
        claim_for(session, episode_id=ep.id, learner_id="intruder",
                  credit_type="ama_pra_1", rules=rules, now=T0)


def test_reflection_fields_validated_with_clear_messages(session):
    ep = episodes.open_episode(session, inquiry=ask(session), window_days=30, now=T0)
    bad = {**GOOD_REFLECTION, "answered": "maybe", "change_types": ["vibes"]}
    with pytest.raises(InvalidReflection) as err:
        episodes.record_reflection(session, episode_id=ep.id, learner_id="learner-1",
                                   data=bad, now=T0)
    assert "answered: must be one of yes, partly, no (got 'maybe')" in str(err.value)
    assert "change_types: must be one of drug_therapy" in str(err.value)
    with pytest.raises(InvalidReflection, match="change_types: pick what changed"):
        episodes.parse_reflection({**GOOD_REFLECTION, "change_types": []})
    assert isinstance(err.value, CreditError)


def test_due_soon_lists_open_episodes_near_their_deadline(session):
    soon = episodes.open_episode(session, inquiry=ask(session), window_days=30, now=T0)
    episodes.open_episode(session, inquiry=ask(session, "learner-2"), window_days=30,
                          now=T0 + timedelta(days=20))
    now = T0 + timedelta(days=25)
    assert [e.id for e in episodes.due_soon(session, within_days=7, now=now)] == [soon.id]
    episodes.record_reflection(session, episode_id=soon.id, learner_id="learner-1",
                               data=GOOD_REFLECTION, now=now)
    assert episodes.due_soon(session, within_days=7, now=now) == []


def test_correction_is_a_new_record_and_original_unchanged(session, rules):
    ep, original = cycle(session, rules)
    fix = claims.correct_claim(session, claim_id=original.id, actor="admin@example.org",
                               reason="Duplicate of a claim made on paper.",
                               now=T0 + timedelta(days=5))
    assert fix.id != original.id and fix.corrects_claim_id == original.id
    assert fix.amount == -0.5
    session.expire_all()
    reread = session.get(claims.Claim, original.id)
    assert (reread.amount, reread.status, reread.corrects_claim_id) == (0.5, "issued", None)
    assert total(session) == 0
    history = claims.claims_for(session, learner_id="learner-1")
    assert [n.amount for n in claims.net_claims(history)] == [0]
    assert exports.transcript_rows(history, [ep]) == []
    # idempotent claim still returns the original, never re-issues credit
    again = claim_for(session, episode_id=ep.id, learner_id="learner-1",
                      credit_type="ama_pra_1", rules=rules, now=T0)
    assert again.id == original.id and total(session) == 0


def test_audit_chain_verifies_and_detects_tampering(engine, session, rules):
    _, claim = cycle(session, rules)
    claims.correct_claim(session, claim_id=claim.id, actor="admin", reason="test fix",
                         new_amount=0.25)
    actions = [e.action for e in session.exec(select(audit.AuditEvent).order_by(
        audit.AuditEvent.seq))]
    assert actions == ["episode.opened", "reflection.recorded", "claim.issued",
                       "claim.corrected"]
    assert audit.verify_chain(session) == []

    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET payload = :p WHERE seq = 3"),
                     {"p": '{"amount": 5.0, "credit_type": "ama_pra_1"}'})
    problems = audit.verify_chain(session)
    assert len(problems) == 1 and "altered event at seq 3" in problems[0]

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    problems = audit.verify_chain(session)
    assert any("gap in seq: expected 2, found 3" in p for p in problems)
    assert any("broken link at seq 3" in p for p in problems)


def _profile(learner_id, **kw):
    base = dict(learner_id=learner_id, first_name="Ada", last_name="Okafor", board="ABIM",
                board_id="123456", birth_month=4, birth_day=29, consent=True)
    return exports.LearnerProfile(**{**base, **kw})


def test_pars_export_only_consenting_learners_and_validates(session, accredited):
    rules = accredited
    cycle(session, rules, "learner-1", credit="abim_moc", board_consent=True)
    cycle(session, rules, "learner-2", credit="abim_moc", board_consent=True)
    cycle(session, rules, "learner-3", credit="ancc_contact_hours",  # not reported to PARS
          profession="nurse")
    every = [c for who in ("learner-1", "learner-2", "learner-3")
             for c in claims.claims_for(session, learner_id=who)]
    learners = [_profile("learner-1"),
                _profile("learner-2", first_name="Bo", consent=False),
                _profile("learner-3", first_name="Cy")]
    out = exports.pars_export(learners=learners, claims=every, rules=rules,
                              start=date(2026, 1, 1), end=date(2026, 12, 31))
    lines = out.splitlines()
    assert lines[0].split("\t") == list(exports.PARS_HEADER)
    assert lines[1:] == ["03/04/2026\t123456\tAda\tOkafor\t4\t29\tEXH-POC-2026\tABIM\t0\t0.5"]
    outside = exports.pars_export(learners=learners, claims=every, rules=rules,
                                  start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert outside.splitlines()[1:] == []

    with pytest.raises(InvalidExport) as err:
        exports.pars_export(learners=[_profile("learner-1", birth_month=13)], claims=every,
                            rules=rules, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert "learner-1" in str(err.value) and "birth_month must be 1-12" in str(err.value)
    with pytest.raises(InvalidExport, match="last_name is missing"):
        exports.pars_export(learners=[_profile("learner-1", last_name=" ")], claims=every,
                            rules=rules, start=date(2026, 1, 1), end=date(2026, 12, 31))


def test_xapi_statements_validate(session, rules):
    ep, claim = cycle(session, rules)
    stmts = exports.xapi_statements(claims=[claim], episodes=[ep],
                                    learner_email="ada@example.org", learner_name="Ada Okafor")
    assert len(stmts) == 1
    s = stmts[0]
    assert exports.validate_xapi(s) == []
    assert uuid.UUID(s["id"]) and s["actor"]["mbox"] == "mailto:ada@example.org"
    assert s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert s["object"]["id"].endswith(ep.id)
    assert s["result"]["extensions"][exports.EXT_CREDIT]["amount"] == 0.5
    assert s["timestamp"] == "2026-03-04T09:00:00Z"
    # same claim -> same statement id (safe re-send); broken statements are caught
    again = exports.xapi_statements(claims=[claim], episodes=[ep],
                                    learner_email="ada@example.org", learner_name="Ada")
    assert again[0]["id"] == s["id"]
    broken = {**s, "actor": {"mbox": "ada@example.org"}, "timestamp": "yesterday"}
    assert len(exports.validate_xapi(broken)) == 2


def test_certificate_pdf_has_name_amount_and_designation(session, accredited):
    rules = accredited
    _, claim = cycle(session, rules)
    assert claim.accredited
    pdf = exports.certificate_pdf(learner_name="Zoë Ngata", claims=[claim], rules=rules,
                                  period=(date(2026, 1, 1), date(2026, 12, 31)))
    assert pdf.startswith(b"%PDF")
    page_text = " ".join(PdfReader(BytesIO(pdf)).pages[0].extract_text().split())
    designation = exports.pdf_safe(rules.designation("ama_pra_1"))
    assert designation.startswith("Example Health CME designates")
    assert "accredited by the ACCME" in page_text and "Demonstration" not in page_text
    assert "Zoë Ngata" in page_text
    assert "0.5 credits" in page_text and "Total: 0.5 credits" in page_text
    assert "EXH-POC-2026" in page_text
    assert " ".join(designation.split()) in page_text
    assert "AMA PRA Category 1 Credit(TM)" in page_text


def test_transcript_csv_rows(session, rules):
    ep1, c1 = cycle(session, rules)
    ep2, c2 = cycle(session, rules, at=T0 + timedelta(days=10))
    rows = exports.transcript_rows([c2, c1], [ep1, ep2], rules=rules)
    parsed = list(csv.reader(io.StringIO(exports.transcript_csv(rows))))
    assert parsed[0] == ["date", "question", "sources", "credit_type", "amount", "status"]
    assert [r[0] for r in parsed[1:]] == ["2026-03-04", "2026-03-14"]
    assert parsed[1][1] == ep1.question
    assert parsed[1][2] == "Empiric antibiotics for CAP [a1b2c3d4e5f6]"
    assert parsed[1][3:] == ["AMA PRA Category 1 Credit™", "0.5",
                             "Demonstration: not valid for credit"]


def test_bad_rules_file_names_the_problem(tmp_path):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw["credit_types"][2]["amount"] = -1
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InvalidRules, match=r"credit_types\.2\.amount"):
        load_rules(path)
    with pytest.raises(InvalidRules, match="cannot be read"):
        load_rules(tmp_path / "missing.yaml")
    rules = load_rules()
    assert rules.credit_type("ama_pra_1").annual_cap == 20.0
    assert rules.credit_type("abim_moc").requires_board_consent
    assert not rules.accredited  # the shipped file is a demonstration
    raw["credit_types"][2]["amount"] = 0.5
    raw["professions"]["nurse"]["credit_types"] = ["ancc_hours"]
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InvalidRules, match="professions.nurse: unknown credit types ancc_hours"):
        load_rules(path)
