"""Claim corrections an auditor can follow: a new record pointing at the claim, with the
reason and the admin, never an edit; the corrected figure everywhere the learner's credit
shows; clear refusals on the page (4xx) and in the CLI (exit 2)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.cli import main
from credit_capture import audit, claims, exports
from credit_capture.credit_errors import ClaimNotFound, InvalidCorrection
from credit_capture.rules import load_rules
from credit_capture.store import make_engine
from tests.factories import make_user, sign_in
from tests.test_cli import cli_env  # noqa: F401  (fixture)
from tests.test_credit_domain import T0, _profile, cycle, provider_rules
from tests.test_credit_pages import REFLECTION, _ask, _open


@pytest.fixture
def session(tmp_path):
    with Session(make_engine(f"sqlite:///{tmp_path}/t.db")) as s:
        yield s


@pytest.fixture
def rules():
    return load_rules()


def test_a_correction_is_a_new_record_and_every_report_shows_the_new_figure(session,
                                                                            tmp_path):
    rules = provider_rules(tmp_path)
    ep, original = cycle(session, rules, credit="abim_moc", board_consent=True)
    fix = claims.correct_claim(session, claim_id=original.id, actor="root@example.org",
                               reason="Only half the cycle was completed.", new_amount=0.25,
                               rules=rules, now=T0 + timedelta(days=3))
    assert (fix.corrects_claim_id, fix.amount, fix.issued_by, fix.status) == (
        original.id, -0.25, "root@example.org", "corrected")
    assert fix.reason == "Only half the cycle was completed."
    session.expire_all()
    assert session.get(claims.Claim, original.id).amount == 0.5  # never updated
    history = claims.claims_for(session, learner_id="learner-1")

    row = exports.transcript_rows(history, [ep], rules=rules)[0]
    assert row.amount == 0.25 and "corrected from 0.5" in row.status
    pdf = exports.certificate_pdf(learner_name="Ada Okafor", claims=history, rules=rules)
    text = " ".join(PdfReader(BytesIO(pdf)).pages[0].extract_text().split())
    assert "0.25 MOC points" in text and "0.5 MOC points" not in text
    pars = exports.pars_export(learners=[_profile("learner-1")], claims=history, rules=rules,
                               start=date(2026, 1, 1), end=date(2026, 12, 31))
    header, line = (r.split("\t") for r in pars.splitlines())
    assert dict(zip(header, line, strict=True))["MOC Points"] == "0.25"

    void = claims.correct_claim(session, claim_id=fix.id, actor="root@example.org",
                                reason="Learner asked for the claim to be withdrawn.",
                                new_amount=0, rules=rules, now=T0 + timedelta(days=4))
    assert void.corrects_claim_id == original.id and void.status == "voided"
    history = claims.claims_for(session, learner_id="learner-1")
    assert exports.transcript_rows(history, [ep], rules=rules) == []
    assert len(pars_rows := exports.pars_export(
        learners=[_profile("learner-1")], claims=history, rules=rules,
        start=date(2026, 1, 1), end=date(2026, 12, 31)).splitlines()) == 1, pars_rows

    events = [e for e in session.exec(select(audit.AuditEvent).order_by(audit.AuditEvent.seq))
              if e.action == "claim.corrected"]
    assert [(e.actor, e.payload["from"], e.payload["to"], e.payload["reason"])
            for e in events] == [
        ("root@example.org", 0.5, 0.25, "Only half the cycle was completed."),
        ("root@example.org", 0.25, 0.0, "Learner asked for the claim to be withdrawn.")]
    assert audit.verify_chain(session) == []


def test_corrections_are_refused_with_the_reason(session, rules):
    _, original = cycle(session, rules)
    with pytest.raises(ClaimNotFound):
        claims.correct_claim(session, claim_id="nope", actor="a", reason="a good reason")
    for reason in ("", "   ", "x"):
        with pytest.raises(InvalidCorrection, match="give the reason"):
            claims.correct_claim(session, claim_id=original.id, actor="a", reason=reason)
    with pytest.raises(InvalidCorrection, match="more than one learning cycle earns"):
        claims.correct_claim(session, claim_id=original.id, actor="a", reason="typo fix",
                             new_amount=5, rules=rules)
    with pytest.raises(InvalidCorrection, match="0 or more"):
        claims.correct_claim(session, claim_id=original.id, actor="a", reason="typo fix",
                             new_amount=-1, rules=rules)
    with pytest.raises(InvalidCorrection, match="already stands at 0.5"):
        claims.correct_claim(session, claim_id=original.id, actor="a", reason="typo fix",
                             new_amount=0.5, rules=rules)
    # nothing was written, and the write lock was released (a claim can still be made)
    assert claims.claims_for(session, learner_id="learner-1") == [original]
    cycle(session, rules, at=T0 + timedelta(days=1))


def test_raising_a_claim_back_is_capped_by_the_annual_limit(session, tmp_path):
    rules = provider_rules(tmp_path)
    kind = rules.credit_type("ama_pra_1").model_copy(update={"annual_cap": 1.0})
    capped = rules.model_copy(update={"credit_types": [kind, *rules.credit_types[1:]]})
    _, first = cycle(session, capped)
    claims.correct_claim(session, claim_id=first.id, actor="a", reason="entered in error",
                         new_amount=0, rules=capped)
    cycle(session, capped, at=T0 + timedelta(days=1))
    cycle(session, capped, at=T0 + timedelta(days=2))  # 1.0 of 1.0 held
    with pytest.raises(InvalidCorrection, match="annual cap"):
        claims.correct_claim(session, claim_id=first.id, actor="a", reason="restore it",
                             new_amount=0.5, rules=capped)


@pytest.fixture
def claimed(client):
    return _claim_as_ada(client)


def _claim_as_ada(client):
    """Ada's claim, and an admin account; returns (client, claim id)."""
    make_user(client.app.state.curbside, "ada@example.org")
    sign_in(client, "ada@example.org")
    body = _ask(client, "croup dexamethasone dose")
    _open(client, body)
    issued = client.post(f"/api/v1/episodes/{body['episode_id']}/claim", json=REFLECTION)
    claim_id = issued.json()[0]["id"]
    client.post("/logout")
    make_user(client.app.state.curbside, "root@example.org", role="admin", first_name="Site",
              last_name="Admin")
    return client, claim_id


def test_admin_corrects_a_claim_on_the_page_and_the_learner_sees_it(claimed):
    client, claim_id = claimed
    sign_in(client, "ada@example.org")
    assert client.get("/admin/claims").status_code == 403  # admins only
    client.post("/logout")
    sign_in(client, "root@example.org")
    page = client.get("/admin/claims", params={"q": "ada@"}).text
    assert "Ada Lovelace" in page and claim_id in page and "croup dexamethasone" in page
    url = f"/admin/claims/{claim_id}/corrections"

    empty = client.post(url, data={"credits": "0.25", "reason": " "})
    assert empty.status_code == 422 and "give the reason" in empty.text
    assert 'value="0.25"' in empty.text  # what was typed is kept
    over = client.post(url, data={"credits": "3", "reason": "Entered in error."})
    assert over.status_code == 422 and "more than one learning cycle earns" in over.text
    bad = client.post(url, data={"credits": "lots", "reason": "Entered in error."})
    assert bad.status_code == 422 and "not a number" in bad.text
    assert client.post("/admin/claims/nope/corrections",
                       data={"void": "yes", "reason": "Entered in error."}).status_code == 404

    done = client.post(url, data={"credits": "0.25", "reason": "Half the cycle only."},
                       follow_redirects=True)
    assert done.status_code == 200 and "Correction recorded" in done.text
    assert "now 0.25" in done.text and "by root@example.org: Half the cycle only." in done.text
    client.post("/logout")
    sign_in(client, "ada@example.org")
    transcript = client.get("/learning/transcript").text
    assert "<td>0.25</td>" in transcript and "corrected from 0.5" in transcript
    assert "Half the cycle only." in client.get("/learning").text
    with Session(client.app.state.curbside.engine) as session:
        assert session.get(claims.Claim, claim_id).amount == 0.5
        assert audit.verify_chain(session) == []


def test_cli_corrects_and_voids_with_clear_errors(cli_env, settings, capsys):  # noqa: F811
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings)) as client:
        _, claim_id = _claim_as_ada(client)
    assert main(["claims", "list", "ada"]) == 0
    assert claim_id in capsys.readouterr().out
    assert main(["claims", "correct", claim_id, "--credits", "0.25",
                 "--reason", "Half the cycle only."]) == 0  # the only admin by default
    assert "now stands at 0.25" in capsys.readouterr().out
    for argv, message in (
        (["claims", "correct", "nope", "--void", "--reason", "Entered in error."],
         "No credit claim with id 'nope'"),
        (["claims", "correct", claim_id, "--void", "--reason", ""], "give the reason"),
        (["claims", "correct", claim_id, "--credits", "9", "--reason", "Entered in error."],
         "more than one learning cycle earns"),
        (["claims", "correct", claim_id, "--void", "--reason", "Entered in error.",
          "--by", "ada@example.org"], "not an active admin"),
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    assert main(["claims", "correct", claim_id, "--void", "--reason", "Withdrawn.",
                 "--by", "root@example.org"]) == 0
    assert main(["claims", "list", claim_id[:8], "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.splitlines()[-1])["claims"][0]
    assert listed["standing"] == 0 and [c["reason"] for c in listed["corrections"]] == [
        "Half the cycle only.", "Withdrawn."]
    assert main(["audit", "verify"]) == 0
