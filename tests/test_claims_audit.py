"""`curbside claims audit`: an ACCME-style audit of random claims, as an admin runs it.

Claims are made the way learners make them (ask, open a source, reflect and claim through
the HTTP API) in a real SQLite database; then records are damaged the way an accreditor's
sample would expose them, and the audit must name the claim and the criterion and exit
non-zero, while the untouched claims still pass.
"""

from __future__ import annotations

import json

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.cli import main
from app.main import create_app
from credit_capture import claims
from credit_capture.claim_audit import CRITERIA
from credit_capture.rules import DEFAULT_RULES_PATH
from tests.factories import make_user, sign_in

# Ten questions from three professions, so the sample spans every credit type a profession
# is offered by default (physician: AMA PRA Category 1; nurse: ANCC; pharmacist: participation).
QUESTIONS = {
    ("physician", "Ada", "Lovelace"): ["croup dexamethasone dose", "ottawa ankle rule",
                                       "anaphylaxis epinephrine dose", "gout flare treatment"],
    ("nurse", "Nia", "Okafor"): ["hyperkalemia with ECG changes calcium",
                                 "acetaminophen overdose acetylcysteine",
                                 "hypoglycemia treatment glucagon"],
    ("pharmacist", "Pat", "Moreno"): ["metformin egfr threshold", "warfarin high INR reversal",
                                      "levothyroxine starting dose"],
}


@pytest.fixture
def cli_env(settings, monkeypatch):
    """`curbside` commands in this process read the test's index and database."""
    monkeypatch.setenv("CURBSIDE_HOME", str(settings.home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CURBSIDE_CONTENT_DIR", str(settings.content_dir))


def _reflection(question: str) -> dict:
    return {"reason": "Managing a current patient", "relevance": "totally",
            "outcome": "confirmed", "patient_use": "yes", "health_benefit": "yes",
            "practice_change": f"No change: the card on {question} confirmed my plan."}


def _rules(tmp_path, name: str, **changes):
    raw = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    raw.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _claim_as_learners(settings, questions=QUESTIONS, *, rules_path=None,
                       credit_types=None) -> list[dict]:
    """Each learner asks, opens the first cited source, then reflects and claims."""
    if rules_path is not None:
        settings = settings.model_copy(update={"credit_rules": rules_path})
    issued = []
    with TestClient(create_app(settings)) as client:
        for (profession, first, last), asked in questions.items():
            email = f"{first.lower()}@example.org"
            make_user(client.app.state.curbside, email, profession=profession,
                      first_name=first, last_name=last)
            sign_in(client, email)
            for question in asked:
                body = client.post("/api/v1/ask", json={"question": question}).json()
                assert body["episode_id"] and body["citations"], question
                opened = client.post(f"/api/v1/inquiries/{body['inquiry_id']}/opened",
                                     json={"doc_id": body["citations"][0]["doc_id"],
                                           "via": "chip"})
                assert opened.status_code == 204
                claimed = client.post(f"/api/v1/episodes/{body['episode_id']}/claim",
                                      json={**_reflection(question),
                                            "credit_types": credit_types})
                assert claimed.status_code == 200, claimed.text
                issued += claimed.json()
            client.post("/logout")
    return issued


def _audit(capsys, *argv: str) -> tuple[int, dict]:
    status = main(["claims", "audit", *argv, "--json"])
    return status, json.loads(capsys.readouterr().out)


def _by_claim(report: dict) -> dict[str, dict[str, dict]]:
    return {c["claim_id"]: {check["criterion"]: check for check in c["checks"]}
            for c in report["claims"]}


def test_ten_random_claims_made_by_learners_all_pass(cli_env, settings, capsys):
    issued = _claim_as_learners(settings)
    assert main(["claims", "audit", "--sample", "10", "--seed", "11"]) == 0
    out = capsys.readouterr().out
    assert out.count("\nclaim ") + out.startswith("claim ") == 10
    assert out.count("  pass  ") == 10 * len(CRITERIA) and "FAIL" not in out
    for name in ("Ada Lovelace", "Nia Okafor", "Pat Moreno", "ANCC nursing contact hours",
                 "AMA PRA Category 1 Credit™", "demonstration watermark"):
        assert name in out
    assert out.strip().splitlines()[-1] == (
        "audited 10 of 10 claims, seed 11: 10 passed, 0 failed")

    status, report = _audit(capsys, "--sample", "10", "--seed", "11")
    assert status == 0 and report["passed"] and report["failed"] == []
    assert {c["claim_id"] for c in report["claims"]} == {c["id"] for c in issued}
    for audited in report["claims"]:
        assert [c["criterion"] for c in audited["checks"]] == list(CRITERIA)
        assert all(c["passed"] for c in audited["checks"]), audited
    assert report["chain_problems"] == []


def test_the_seed_redraws_the_same_sample(cli_env, settings, capsys):
    issued = {c["id"] for c in _claim_as_learners(settings)}
    first = _audit(capsys, "--sample", "4", "--seed", "5")[1]
    again = _audit(capsys, "--sample", "4", "--seed", "5")[1]
    drawn = [c["claim_id"] for c in first["claims"]]
    assert drawn == [c["claim_id"] for c in again["claims"]]
    assert len(set(drawn)) == 4 and set(drawn) <= issued and first["total_claims"] == 10
    others = {tuple(c["claim_id"] for c in _audit(capsys, "--sample", "4", "--seed",
                                                   str(seed))[1]["claims"])
              for seed in range(6, 12)}
    assert len(others | {tuple(drawn)}) > 1  # the seed decides the draw
    unseeded = _audit(capsys, "--sample", "2")[1]  # a seed is chosen and reported
    assert isinstance(unseeded["seed"], int) and len(unseeded["claims"]) == 2


PLANTED = {
    # what an accreditor would find, how the record was damaged, the words that must show
    "real reflection": ("UPDATE reflection SET practice_change = 'asdf' WHERE episode_id = "
                        ":episode", "'asdf' is not an answer"),
    "clinical question": ("UPDATE inquiry SET question = 'hi there' WHERE id = (SELECT "
                          "inquiry_id FROM episode WHERE id = :episode)",
                          "is not a clinical question"),
    "sources opened": ("UPDATE episode SET opened = '[]' WHERE id = :episode",
                       "was opened"),
}


@pytest.mark.parametrize("criterion", list(PLANTED))
def test_a_damaged_record_fails_its_criterion_and_only_that_claim(
        cli_env, settings, curbside, capsys, criterion):
    issued = _claim_as_learners(settings)
    planted = issued[4]
    statement, words = PLANTED[criterion]
    with Session(curbside.engine) as session:
        session.execute(text(statement), {"episode": planted["episode_id"]})
        session.commit()
    status, report = _audit(capsys, "--sample", "50", "--seed", "1")
    assert status == 1 and report["failed"] == [planted["id"]]
    found = _by_claim(report)[planted["id"]]
    assert not found[criterion]["passed"] and words in found[criterion]["detail"]
    assert [c for c, check in found.items() if not check["passed"]] == [criterion]
    assert main(["claims", "audit", "--sample", "50", "--seed", "1"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  {criterion}" in out
    assert out.strip().splitlines()[-1].endswith(
        f"9 passed, 1 failed: {planted['id'][:8]} {criterion}")


def test_a_credit_type_the_rules_do_not_give_the_profession_fails(
        cli_env, settings, capsys, tmp_path):
    """A claim issued while a misconfigured rules file offered physicians nursing hours is
    found when audited against the provider's rules."""
    loose = _rules(tmp_path, "loose.yaml", professions={
        "physician": {"label": "Physician (MD, DO)",
                      "credit_types": ["ama_pra_1", "ancc_contact_hours"]}})
    _claim_as_learners(settings)
    wrong = _claim_as_learners(settings, {("physician", "Ben", "Adeyemi"): [
        "croup dexamethasone dose"]}, rules_path=loose, credit_types=["ancc_contact_hours"])
    status, report = _audit(capsys, "--sample", "11", "--seed", "2")
    assert status == 1 and report["failed"] == [wrong[0]["id"]]
    found = _by_claim(report)[wrong[0]["id"]]
    assert not found["credit type"]["passed"]
    assert "ancc_contact_hours is not offered to Physician" in found["credit type"]["detail"]
    assert all(check["passed"] for name, check in found.items() if name != "credit type")


def test_a_claim_missing_from_the_audit_chain_fails(cli_env, settings, curbside, capsys):
    issued = _claim_as_learners(settings)
    with Session(curbside.engine) as session:  # a row added outside Curbside: no event issued it
        copy = session.get(claims.Claim, issued[0]["id"]).model_dump()
        smuggled = claims.Claim(**{**copy, "id": "f" * 32, "credit_type": "abim_moc"})
        session.add(smuggled)
        session.commit()
    status, report = _audit(capsys, "--sample", "11", "--seed", "4")
    assert status == 1 and report["failed"] == ["f" * 32]
    chain = _by_claim(report)["f" * 32]["audit chain"]
    assert not chain["passed"] and "not in the audit chain" in chain["detail"]
    assert any("unrecorded claim " + "f" * 32 in p for p in report["chain_problems"])
    assert main(["audit", "verify"]) == 1  # the same finding as the audit log's own check
    capsys.readouterr()


def test_corrected_claims_are_audited_as_they_now_stand(cli_env, settings, curbside,
                                                       capsys):
    issued = _claim_as_learners(settings)
    make_user(curbside, "root@example.org", role="admin",
              first_name="Site", last_name="Admin")
    halved, voided = issued[0]["id"], issued[1]["id"]
    assert main(["claims", "correct", halved, "--credits", "0.25",
                 "--reason", "Half the cycle only."]) == 0
    assert main(["claims", "correct", voided, "--void", "--reason", "Entered in error."]) == 0
    capsys.readouterr()
    status, report = _audit(capsys, "--sample", "10", "--seed", "9")
    assert status == 0 and len(report["claims"]) == 10  # corrections are not drawn as claims
    by_id = {c["claim_id"]: c for c in report["claims"]}
    assert (by_id[halved]["standing"], by_id[voided]["standing"]) == (0.25, 0)
    certificate = _by_claim(report)[halved]["certificate"]["detail"]
    assert "0.25 credits (corrected from 0.5)" in certificate
    assert "voided" in _by_claim(report)[voided]["certificate"]["detail"]
    assert "1 correction(s) sealed" in _by_claim(report)[halved]["audit chain"]["detail"]


def test_a_configured_provider_certificate_carries_its_accreditation(
        cli_env, settings, capsys, tmp_path, monkeypatch):
    statement = "Example Health CME is accredited by the ACCME to provide CME for physicians."
    provider = _rules(tmp_path, "provider.yaml", demo_content_creditable=True, provider={
        "name": "Example Health CME", "accreditation": statement, "accredited_by": ["ACCME"]})
    monkeypatch.setenv("CURBSIDE_CREDIT_RULES", str(provider))
    _claim_as_learners(settings, {("physician", "Ada", "Lovelace"): [
        "croup dexamethasone dose", "ottawa ankle rule"]}, rules_path=provider)
    status, report = _audit(capsys, "--sample", "2", "--seed", "1")
    assert status == 0
    for checks in _by_claim(report).values():
        assert "accreditation statement" in checks["certificate"]["detail"]


def test_no_claims_and_bad_arguments_get_a_clear_message(cli_env, capsys):
    assert main(["claims", "audit"]) == 2
    err = capsys.readouterr().err
    assert "curbside: error: no credit claims to audit yet" in err and "Traceback" not in err
    for argv, message in ((["--sample", "0"], "not a number from 1 to 10000"),
                          (["--sample", "ten"], "not a number from 1 to 10000"),
                          (["--seed", "-3"], "not a whole number")):
        with pytest.raises(SystemExit) as exit_:
            main(["claims", "audit", *argv])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
