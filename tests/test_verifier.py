"""The grounding verifier: the checks a clinician-facing answer relies on (DESIGN.md section 4).

Uses the real encoder, loaded once per module. The last test runs the whole card suite
(evals/suites/verifier/cases.jsonl) and holds the verifier to its targets.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.index import shared_embedder  # noqa: E402
from retrieval.verifier import GroundingVerifier, Verdict  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "evals" / "suites" / "verifier" / "cases.jsonl"

EPINEPHRINE = [
    "For anaphylaxis in adults and children weighing 30 kg or more, the FDA label dose of "
    "epinephrine 1 mg/mL is 0.3 to 0.5 mg IM or subcutaneously into the anterolateral thigh [1].",
    "Epinephrine is the first-line treatment for anaphylaxis, and antihistamines or "
    "glucocorticoids should not delay or replace it [2].",
]
DOAC = [
    "Rivaroxaban for nonvalvular AF is 20 mg once daily with the evening meal when CrCl is "
    "above 50 mL/min, and 15 mg once daily with the evening meal when CrCl is 50 mL/min or "
    "less [2].",
    "Dabigatran for nonvalvular AF is 150 mg twice daily when CrCl is above 30 mL/min and 75 mg "
    "twice daily when CrCl is 15 to 30 mL/min [3].",
]


@pytest.fixture(scope="module")
def verifier() -> GroundingVerifier:
    return GroundingVerifier(shared_embedder(Path.home() / ".cache" / "curbside", True))


def test_faithful_quote_is_supported(verifier):
    verdict = verifier.verify(
        "Epinephrine is the first-line treatment for anaphylaxis, and antihistamines or "
        "glucocorticoids should not delay or replace it.",
        EPINEPHRINE,
    )
    assert verdict.label == "supported"
    assert verdict.score >= 0.9


def test_paraphrase_with_equal_amounts_is_supported(verifier):
    verdict = verifier.verify(
        "Adults with anaphylaxis get 0.3mg to 0.5mg of epinephrine 1 mg/mL IM into the "
        "anterolateral thigh.",
        EPINEPHRINE,
    )
    assert verdict.label == "supported", verdict.reasons


def test_changed_dose_is_contradicted_and_the_reason_names_the_number(verifier):
    verdict = verifier.verify(
        "Dabigatran for nonvalvular AF is 110 mg twice daily when CrCl is above 30 mL/min.", DOAC
    )
    assert verdict.label == "contradicted"
    assert any("110 mg" in reason and "150 mg" in reason for reason in verdict.reasons)
    assert verdict.score < 0.5


def test_unit_change_is_contradicted(verifier):
    verdict = verifier.verify(
        "For anaphylaxis in adults and children weighing 30 kg or more, the FDA label dose of "
        "epinephrine 1 mg/mL is 0.3 to 0.5 mcg IM or subcutaneously into the anterolateral "
        "thigh.",
        EPINEPHRINE,
    )
    assert verdict.label == "contradicted"
    assert any("mcg" in reason for reason in verdict.reasons)


def test_negation_flip_is_contradicted(verifier):
    verdict = verifier.verify(
        "Epinephrine is the first-line treatment for anaphylaxis, and antihistamines or "
        "glucocorticoids should delay or replace it.",
        EPINEPHRINE,
    )
    assert verdict.label == "contradicted"
    assert any("negation" in reason for reason in verdict.reasons)


def test_swapped_drug_is_contradicted(verifier):
    verdict = verifier.verify(
        "Apixaban for nonvalvular AF is 150 mg twice daily when CrCl is above 30 mL/min and "
        "75 mg twice daily when CrCl is 15 to 30 mL/min.",
        DOAC,
    )
    assert verdict.label == "contradicted"
    assert any("apixaban" in reason and "dabigatran" in reason for reason in verdict.reasons)


def test_unrelated_claim_is_unsupported(verifier):
    verdict = verifier.verify(
        "Metformin is contraindicated when eGFR is below 30 mL/min/1.73 m2.", EPINEPHRINE
    )
    assert verdict.label == "unsupported"
    assert verdict.score < 0.5


def test_added_fact_is_unsupported(verifier):
    verdict = verifier.verify(
        "Epinephrine is the first-line treatment for anaphylaxis, and it is safe to double the "
        "dose in patients taking beta-blockers.",
        EPINEPHRINE,
    )
    assert verdict.label == "unsupported"


def test_no_evidence_is_unsupported(verifier):
    assert verifier.verify("Epinephrine is first-line for anaphylaxis.", []).label == "unsupported"


def test_verdicts_are_deterministic(verifier):
    claim = "Dabigatran for nonvalvular AF is 75 mg twice daily when CrCl is 15 to 30 mL/min."
    first = verifier.verify(claim, DOAC)
    fresh = GroundingVerifier(shared_embedder(Path.home() / ".cache" / "curbside", True))
    assert isinstance(first, Verdict)
    assert first == verifier.verify(claim, DOAC) == fresh.verify(claim, DOAC)


def test_card_suite_meets_targets(verifier):
    """Recall >= 0.95 on number swaps, unit changes and negation flips, with precision
    >= 0.9 for "contradicted"; faithful quotes and paraphrases mostly supported."""
    cases = [json.loads(line) for line in CASES.read_text().splitlines() if line.strip()]
    assert len(cases) >= 300
    hits: dict[str, list[bool]] = defaultdict(list)
    predicted_contradicted = correct_contradicted = 0
    for case in cases:
        label = verifier.verify(case["claim"], case["evidence"]).label
        hits[case["perturbation"]].append(label == case["label"])
        if label == "contradicted":
            predicted_contradicted += 1
            correct_contradicted += case["label"] == "contradicted"
    recall = {kind: sum(v) / len(v) for kind, v in hits.items()}
    for kind in ("number_swap", "unit_change", "negation_flip"):
        assert recall[kind] >= 0.95, recall
    assert correct_contradicted / predicted_contradicted >= 0.9
    assert recall["faithful"] >= 0.95, recall
    assert recall["paraphrase"] >= 0.8, recall
    assert recall["drug_swap"] >= 0.8, recall
    assert recall["added_fact"] >= 0.8, recall


def test_a_quote_beside_a_negated_clause_is_still_a_faithful_quote(verifier):
    evidence = ["Do not start metformin at an eGFR of 30-45 unless hyperglycaemia is "
                "unequivocal. If eGFR falls below 45 in a patient already taking metformin, "
                "assess the benefit and risk of continuing it."]
    quote = ("If eGFR falls below 45 in a patient already taking metformin, assess the "
             "benefit and risk of continuing it.")
    assert verifier.verify(quote, evidence).label == "supported"
    flipped = verifier.verify("Start metformin at an eGFR of 30-45.", evidence)
    assert flipped.label != "supported"


def test_kqa_split_keeps_calibrate_and_test_apart():
    """The paraphrase figures are fitted on calibrate and reported on test: no K-QA pair may
    be on both sides (`python -m evals.splits.make_splits` splits by patient question, so a
    question's pairs, which share one answer text, always land together)."""
    import json
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    split = json.loads((repo / "evals" / "splits" / "kqa_nli.json").read_text())
    calibrate, test = set(split["calibrate"]), set(split["test"])
    assert calibrate and test and not calibrate & test
