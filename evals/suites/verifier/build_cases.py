"""Build the grounding-verifier suite (cases.jsonl) from the shipped content cards.

    cd /work/main && .venv/bin/python evals/suites/verifier/build_cases.py

Every case starts from a real card sentence (citation markers removed). Its evidence is
1-3 consecutive sentences of the same card section that include it; the claim is that
sentence, faithful or perturbed. Perturbations are plain string edits, so the label follows
from the edit and needs no judgement:

| perturbation   | edit                                                    | label        |
| faithful       | the sentence as written                                 | supported    |
| paraphrase     | hand-written rewording, or synonym/clause-order template | supported    |
| number_swap    | one number gets another value (not found in the evidence) | contradicted |
| unit_change    | one unit becomes another (mg -> mcg, hours -> days, ...) | contradicted |
| negation_flip  | "not" inserted after an auxiliary, or removed            | contradicted |
| drug_swap      | a drug becomes another of the same class                 | contradicted |
| added_fact     | a plausible clause the evidence does not contain is added | unsupported  |

The script is deterministic (fixed seed, sorted files) and must not import the verifier:
cases are built independently of the rules they test.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from retrieval.cards import parse_card  # noqa: E402
from retrieval.text import content_terms, split_sentences, strip_citation_marks  # noqa: E402

CONTENT = ROOT / "content"
OUT = Path(__file__).with_name("cases.jsonl")
SEED = 20261125
SECTIONS = ("Bottom line", "Key points", "Dosing", "Pitfalls")
KINDS = ("faithful", "paraphrase", "number_swap", "unit_change", "negation_flip", "drug_swap",
         "added_fact")
LABELS = {"faithful": "supported", "paraphrase": "supported", "number_swap": "contradicted",
          "unit_change": "contradicted", "negation_flip": "contradicted",
          "drug_swap": "contradicted", "added_fact": "unsupported"}

# Hand-written paraphrases: (card id, start of the source sentence) -> paraphrase. They keep
# every number, unit, drug and the polarity, but change wording and order.
HAND_PARAPHRASES: dict[tuple[str, str], str] = {
    ("doac-renal-dose-adjustment", "Rivaroxaban for DVT or PE treatment should be avoided"):
        "When creatinine clearance is below 15 mL/min, do not use rivaroxaban to treat DVT or PE.",
    ("doac-renal-dose-adjustment", "Dabigatran for nonvalvular AF is 150 mg"):
        "In nonvalvular AF, give dabigatran 150 mg twice daily if CrCl exceeds 30 mL/min, and "
        "75 mg twice daily if CrCl is between 15 and 30 mL/min.",
    ("anaphylaxis-epinephrine-dosing", "Epinephrine is the first-line treatment for anaphylaxis"):
        "For anaphylaxis, epinephrine comes first; antihistamines or glucocorticoids must not "
        "replace or delay it.",
    ("anaphylaxis-epinephrine-dosing", "The EpiPen label gives the 0.3 mg autoinjector"):
        "Per the EpiPen label, patients weighing 15 to 30 kg get the 0.15 mg EpiPen Jr, while "
        "those of 30 kg or more get the 0.3 mg autoinjector.",
    ("acetaminophen-overdose-nac", "Acetylcysteine is most effective against"):
        "Starting acetylcysteine within 8 hours of the acetaminophen ingestion gives the best "
        "protection against liver toxicity.",
    ("acetaminophen-overdose-nac", "Levels drawn earlier than 4 hours"):
        "An acetaminophen level taken less than 4 hours after an acute ingestion cannot be read "
        "on the nomogram, since absorption may not be complete.",
    ("gout-flare-treatment", "ACP notes prednisolone 35 mg daily"):
        "According to ACP, acute gout has been treated successfully with prednisolone 35 mg a "
        "day for 5 days.",
    ("gout-urate-lowering-therapy", "ACR strongly recommends a treat-to-target approach"):
        "The ACR strongly favours treating to target, measuring serum urate repeatedly with a "
        "goal below 6 mg/dL.",
    ("chlamydia-treatment-cdc", "Nonpregnant patients treated for chlamydia do not need"):
        "After chlamydia treatment, nonpregnant patients need no test of cure, but they should "
        "be retested around 3 months later because reinfection is a risk.",
    ("chlamydia-treatment-cdc", "Pregnant patients treated for chlamydia should have"):
        "After chlamydia treatment in pregnancy, do a test of cure at 4 weeks and retest within "
        "3 months.",
    ("gonorrhea-treatment-cdc", "People weighing 150 kg or more with gonorrhea"):
        "For gonorrhea in a person who weighs at least 150 kg, give 1 g of ceftriaxone IM.",
    ("hiv-postexposure-prophylaxis", "nPEP should begin as soon as possible"):
        "Start nPEP as early as possible after an exposure, preferably within 24 hours and at "
        "the latest by 72 hours.",
    ("hiv-postexposure-prophylaxis", "The first nPEP dose should not be delayed"):
        "Do not hold back the first nPEP dose while waiting for laboratory results.",
    ("influenza-antivirals-who-to-treat", "Decisions to start influenza antivirals"):
        "In priority groups, influenza antivirals should be started without waiting for "
        "laboratory confirmation.",
    ("lyme-tick-bite-prophylaxis-early-treatment", "Erythema migrans is treated with oral"):
        "Treat erythema migrans with 10 days of oral doxycycline or with 14 days of amoxicillin "
        "or cefuroxime axetil.",
    ("strep-pharyngitis-testing-treatment", "ACP/CDC advise antibiotics for adult pharyngitis"):
        "For pharyngitis in adults, ACP/CDC reserve antibiotics for confirmed streptococcal "
        "infection.",
    ("syphilis-staging-treatment", "CDC recommends benzathine penicillin G 2.4 million"):
        "For adults with primary, secondary or early latent syphilis, CDC advises a single IM "
        "dose of 2.4 million units of benzathine penicillin G.",
    ("uncomplicated-cystitis-women-antibiotics", "IDSA/ESCMID lists nitrofurantoin"):
        "In women with acute uncomplicated cystitis, a 5-day course of nitrofurantoin "
        "monohydrate/macrocrystals is first line per IDSA/ESCMID.",
    ("sepsis-recognition-initial-bundle", "For septic shock on vasopressors, SSC 2021"):
        "SSC 2021 prefers an initial mean arterial pressure goal of 65 mm Hg, rather than higher "
        "goals, in septic shock treated with vasopressors.",
    ("cap-outpatient-empiric-antibiotics", "Doxycycline is a conditional alternative"):
        "For healthy adults treated for CAP as outpatients, doxycycline is a conditionally "
        "recommended alternative.",
    ("cellulitis-abscess-empiric-therapy-mrsa", "The recommended duration for cellulitis"):
        "Cellulitis is treated for 5 days, with a longer course if the infection has not "
        "improved by then.",
    ("burns-fluid-resuscitation", "Half of the calculated burn resuscitation volume"):
        "Give half the calculated burn fluid in the first 8 hours and the rest over the "
        "following 16 hours, counting from the time of the burn, not from arrival.",
    ("hypothermia-heat-stroke-initial-management", "Cold-water immersion gives the fastest"):
        "For exertional heat stroke, cold-water immersion is the preferred way to cool because "
        "it cools fastest.",
    ("minor-head-injury-ct-rules", "Patients on anticoagulants or with a seizure"):
        "The Canadian CT Head Rule excluded patients taking anticoagulants or who had a "
        "post-injury seizure, so it should not be used to clear them.",
    ("ottawa-ankle-rules", "A patient with a negative Ottawa ankle rule assessment"):
        "When the Ottawa ankle rules are negative, the chance of a fracture is below 1%.",
    ("hfref-gdmt-four-pillars", "Patients whose LVEF has improved"):
        "In HFimpEF, where LVEF has risen from 40% or less to above 40%, HFrEF therapy should "
        "be continued.",
    ("hfref-gdmt-four-pillars", "Only three beta-blockers are recommended for HFrEF"):
        "The only beta-blockers recommended in HFrEF are bisoprolol, carvedilol and "
        "sustained-release metoprolol succinate.",
    ("statin-primary-prevention", "USPSTF finds the evidence insufficient (grade I)"):
        "For adults aged 76 years or older, USPSTF says evidence is insufficient (grade I) to "
        "start a statin for primary prevention.",
    ("warfarin-high-inr-reversal", "For warfarin patients with an INR above 10"):
        "CHEST 2012 suggests oral vitamin K (grade 2C) when a patient on warfarin has an INR "
        "above 10 without bleeding.",
    ("af-anticoagulation-cha2ds2-vasc", "DOACs are recommended over warfarin"):
        "In AF without moderate-to-severe rheumatic mitral stenosis or a mechanical heart "
        "valve, DOACs are preferred to warfarin.",
    ("antihypertensive-choice-by-comorbidity", "Beta-blockers are not first-line drugs"):
        "Under the 2025 AHA/ACC guideline, beta-blockers are not a first-line choice for "
        "uncomplicated hypertension.",
    ("bp-thresholds-targets-adults", "Antihypertensive drugs plus lifestyle change"):
        "All adults with an average blood pressure of 140/90 mm Hg or higher should get "
        "lifestyle change together with antihypertensive medication.",
    ("endocarditis-prophylaxis-dental", "Good oral health and regular dental care"):
        "To prevent viridans streptococcal endocarditis, good oral hygiene and regular dental "
        "care count for more than prophylaxis.",
    ("pe-perc-rule-out", "For suspected PE with high pretest probability, skip D-dimer"):
        "When pretest probability of PE is high, go directly to CT pulmonary angiography "
        "without a D-dimer (a VQ scan if CTPA is contraindicated or unavailable).",
    ("syncope-risk-stratification", "A resting 12-lead ECG is useful"):
        "In the first evaluation of syncope, a resting 12-lead ECG is useful (Class I).",
    ("acne-first-line-treatment", "Topical antibiotics for acne are strongly recommended"):
        "For acne, topical antibiotics are strongly recommended, though not on their own as "
        "monotherapy.",
    ("low-back-pain-red-flags-imaging", "The ACR recommends MRI for low back pain"):
        "For low back pain with red flags and severe or progressive neurologic deficits, the "
        "ACR recommends MRI.",
    ("animal-bites-antibiotics-rabies", "Immunocompromised persons receiving rabies PEP"):
        "People who are immunocompromised and receive rabies PEP should get a fifth dose of "
        "vaccine on day 28.",
    ("aki-kdigo-staging-initial-management", "KDIGO suggests not using diuretics"):
        "KDIGO advises against diuretics for treating AKI, except when they are needed for "
        "volume overload (2C).",
    ("ckd-staging-referral", "KDIGO 2024 treats a change in eGFR"):
        "Per KDIGO 2024, an eGFR change greater than 20% on a subsequent test exceeds expected "
        "variability and should be evaluated.",
    ("oxygen-targets-acute-illness", "For a COPD exacerbation, GOLD titrates"):
        "GOLD aims supplemental oxygen at a saturation of 88-92% during a COPD exacerbation.",
    ("cervical-cancer-screening-intervals", "USPSTF recommends against cervical cancer "
                                            "screening in women younger"):
        "USPSTF advises against screening women under 21 years for cervical cancer (grade D).",
    ("emergency-contraception-options", "Emergency contraceptive pills work by delaying"):
        "Emergency contraceptive pills act by postponing ovulation, so they do not work once "
        "ovulation has happened.",
    ("postpartum-hemorrhage-uterotonics", "ACOG advises avoiding methylergonovine"):
        "In patients with hypertension, preeclampsia or cardiovascular disease, ACOG says "
        "methylergonovine should not be used.",
    ("gestational-diabetes-screening", "USPSTF 2021 recommends screening for gestational"):
        "From 24 weeks of gestation onward, USPSTF 2021 recommends gestational diabetes "
        "screening for asymptomatic pregnant persons (grade B).",
    ("metformin-egfr-thresholds", "Metformin is contraindicated in patients with an eGFR"):
        "Do not use metformin when the eGFR is below 30 mL/min/1.73 m2.",
    ("levothyroxine-dosing-monitoring", "ATA advises checking TSH 4-6 weeks"):
        "After changing the levothyroxine dose or switching product, ATA advises a TSH check "
        "at 4-6 weeks.",
    ("upper-gi-bleeding-initial-management", "ACG suggests endoscopy within 24 hours"):
        "For patients admitted with upper GI bleeding, ACG suggests performing endoscopy "
        "within 24 hours of presentation.",
    ("rbc-transfusion-thresholds", "AABB 2023 extends the 7 g/dL threshold"):
        "Under AABB 2023, adult haematology and oncology inpatients also use the 7 g/dL "
        "threshold.",
    ("t2d-basal-insulin-start-titrate", "Metformin should be continued when insulin"):
        "When insulin is started in type 2 diabetes, keep metformin going unless it is "
        "contraindicated or not tolerated.",
}

# Template paraphrase: word-for-word synonyms applied in one pass (no chaining).
_SYNONYMS = {
    "patients": "people", "recommends": "advises", "suggests against": "advises against",
    "recommends against": "advises against", "recommend against": "advise against",
    "recommended": "advised",
    "suggests": "proposes", "should": "ought to", "at least": "a minimum of",
    "or more": "or higher", "or less": "or lower", "before": "prior to", "after": "following",
    "because": "since", "start": "initiate", "starting": "initiating", "started": "initiated",
    "stop": "discontinue", "reduce": "lower", "reduces": "lowers", "reduced": "lowered",
    "give": "administer", "given": "administered", "gives": "provides", "treatment": "therapy",
    "first-line": "first-choice", "about": "approximately", "every": "each",
    "preferred": "favoured", "may": "might", "guideline": "guidance", "advises": "recommends",
    "used": "employed", "use": "employ", "check": "measure", "checking": "measuring",
}
_SYNONYM_RX = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(_SYNONYMS, key=len, reverse=True)) + r")\b"
)
_CONDITION = re.compile(r"^(?P<main>[^,;:]{25,}?)\s+(?P<cue>when|if)\s+(?P<cond>[^;:]{10,})\.$")
_NOT_A_CONDITION = re.compile(r"\b(?:unless|except|because|but|whereas|while)\b")

# Number swaps and unit changes.
_NUMBER = re.compile(r"(?<![A-Za-z0-9.,/])(?<![A-Za-z]-)(\d+(?:,\d{3})*(?:\.\d+)?)(?![\d.,]?\d)"
                     r"(?![A-Za-z])(?!-[A-Za-z]*\d)")
_UNIT_CHANGES = {
    "mcg": "mg", "micrograms": "milligrams", "mg": "mcg", "g": "mg", "mL": "L", "L": "mL",
    "hours": "days", "hour": "day", "days": "weeks", "day": "week", "weeks": "months",
    "week": "month", "minutes": "hours", "months": "years", "month": "year",
    "years": "months", "year": "month", "kg": "lb", "units": "mg",
}
_UNIT_AFTER_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:-|to)\s?\d+(?:\.\d+)?)?)(\s?-?)("
    + "|".join(sorted(_UNIT_CHANGES, key=len, reverse=True)) + r")(?![A-Za-z])"
)

# Negation flips: remove an existing "not", or insert one after the first auxiliary.
_KEEP_NOT = re.compile(r"\b(?:no|not) (?:more|less|later|longer|only)\b|\bor not\b")
_REMOVE_NOT = re.compile(r"\b(do|does|did|should|must|may|can|is|are|was|were|will|need|needs)"
                         r" not\b")
_INSERT_NOT = re.compile(r"\b(is|are|should|must|may|will|can|does|do)\b(?! not)(?!n't)")
_INSERT_VERB = re.compile(r"\b(recommends|suggests|advises|requires|allows)\b")

# Drug classes used for swaps (kept here, independent of the verifier's lexicon).
DRUG_CLASSES = [
    ["apixaban", "rivaroxaban", "edoxaban", "dabigatran"],
    ["enoxaparin", "dalteparin"],
    ["lisinopril", "enalapril", "ramipril"],
    ["losartan", "valsartan", "candesartan"],
    ["metoprolol", "carvedilol", "bisoprolol", "atenolol", "propranolol"],
    ["amlodipine", "nifedipine", "felodipine"],
    ["diltiazem", "verapamil"],
    ["atorvastatin", "rosuvastatin", "simvastatin", "pravastatin"],
    ["amoxicillin", "ampicillin", "dicloxacillin"],
    ["cephalexin", "cefadroxil", "cefuroxime", "cefpodoxime", "cefdinir", "cefaclor", "cefixime"],
    ["ceftriaxone", "cefotaxime", "cefazolin", "cefepime", "ceftazidime"],
    ["azithromycin", "clarithromycin", "erythromycin"],
    ["doxycycline", "minocycline", "tetracycline"],
    ["ciprofloxacin", "levofloxacin", "moxifloxacin"],
    ["vancomycin", "linezolid", "daptomycin"],
    ["metronidazole", "tinidazole"],
    ["fluconazole", "itraconazole", "voriconazole"],
    ["acyclovir", "valacyclovir", "famciclovir"],
    ["oseltamivir", "zanamivir", "peramivir", "baloxavir"],
    ["empagliflozin", "dapagliflozin", "canagliflozin"],
    ["semaglutide", "liraglutide", "dulaglutide"],
    ["glipizide", "glyburide", "glimepiride"],
    ["omeprazole", "pantoprazole", "esomeprazole", "lansoprazole"],
    ["prednisone", "prednisolone", "methylprednisolone", "dexamethasone", "hydrocortisone"],
    ["lorazepam", "diazepam", "midazolam", "chlordiazepoxide"],
    ["levetiracetam", "fosphenytoin", "valproate"],
    ["sertraline", "fluoxetine", "escitalopram", "citalopram", "paroxetine"],
    ["venlafaxine", "duloxetine"],
    ["sumatriptan", "rizatriptan"],
    ["erenumab", "fremanezumab", "galcanezumab"],
    ["ibuprofen", "naproxen"],
    ["morphine", "hydromorphone", "oxycodone"],
    ["ipratropium", "tiotropium"],
    ["spironolactone", "eplerenone"],
    ["hydrochlorothiazide", "chlorthalidone", "indapamide"],
    ["furosemide", "bumetanide", "torsemide"],
    ["allopurinol", "febuxostat"],
    ["alendronate", "risedronate"],
    ["oxytocin", "carboprost", "methylergonovine", "misoprostol"],
    ["norepinephrine", "vasopressin", "dopamine", "phenylephrine"],
    ["rifampin", "rifapentine", "rifabutin"],
    ["gentamicin", "tobramycin", "amikacin"],
    ["meropenem", "imipenem", "ertapenem"],
    ["clopidogrel", "ticagrelor", "prasugrel"],
    ["alteplase", "tenecteplase"],
    ["dolutegravir", "bictegravir", "cabotegravir"],
    ["lamivudine", "emtricitabine"],
    ["varenicline", "bupropion"],
    ["buprenorphine", "methadone"],
    ["haloperidol", "quetiapine", "olanzapine"],
    ["ondansetron", "metoclopramide", "prochlorperazine"],
    ["levonorgestrel", "ulipristal"],
    ["nitrofurantoin", "fosfomycin"],
]
_CLASS_OF = {drug: group for group in DRUG_CLASSES for drug in group}
_DRUG_RX = re.compile(r"\b(" + "|".join(sorted(_CLASS_OF, key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)

# Added facts: plausible clinical clauses no card sentence states.
ADDED_FACTS = [
    ", and the same regimen is safe throughout pregnancy and breastfeeding",
    "; a baseline liver biopsy is required before starting",
    ", and the benefit is doubled in patients over 85 years",
    ", and it should be repeated every 6 months for life",
    "; genetic testing for CYP2C19 variants must guide the choice",
    ", and grapefruit juice should be avoided for 72 hours afterwards",
    ", and this lowers all-cause mortality by about 40%",
    "; an infectious disease consult is mandatory before discharge",
    ", and patients must fast for 12 hours beforehand",
    ", and a cardiology referral is required in every case",
    "; the same approach is endorsed for patients on hemodialysis",
    ", and vitamin D supplementation should be added routinely",
    "; a chest radiograph must be repeated at 6 weeks",
    ", and results must be confirmed with a urine drug screen",
    ", and intravenous magnesium 2 g should be given first",
    "; a specialist must countersign every prescription",
    ", and home glucose monitoring is required four times daily",
    ", and the regimen is safe in severe hepatic impairment",
    ", and it prevents recurrence in over 90% of cases",
    ", and an MRI of the brain should be obtained first",
    ", and smoking cessation doubles its effect",
    ", and the dose must be halved in patients of Asian ancestry",
    ", and daily aspirin 81 mg should be added",
    "; this does not apply to patients with epilepsy",
    ", which was confirmed by a 2022 Cochrane review of 40 trials",
]


def card_sections(path: Path) -> tuple[str, dict[str, list[str]]]:
    """Sentences of each body section, bullets split into sentences, markers removed."""
    front, body = parse_card(path)
    sections: dict[str, list[str]] = {}
    current = ""
    for line in body.splitlines():
        heading = re.match(r"^##\s+(.*)$", line)
        if heading:
            current = heading.group(1).strip()
            continue
        text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
        if text and current in SECTIONS:
            sections.setdefault(current, []).extend(split_sentences(strip_citation_marks(text)))
    return front.id, sections


def paraphrase(sentence: str) -> str | None:
    """A template paraphrase: clause moved to the front and/or synonyms; None if too close."""
    text, changes = sentence, 0
    match = _CONDITION.match(text)
    if match and text.count(",") == 0 and not _NOT_A_CONDITION.search(match.group("cond")):
        main = match.group("main")
        if not (len(main) > 1 and main[1].isupper()):
            main = main[0].lower() + main[1:]
        text = f"{match.group('cue').capitalize()} {match.group('cond')}, {main}."
        changes += 2
    text, n = _SYNONYM_RX.subn(lambda m: _SYNONYMS[m.group(1)], text)
    changes += n
    return text if changes >= 2 else None


def numbers_in(text: str) -> set[float]:
    return {float(m.replace(",", "")) for m in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text)}


def _format_like(value: float, original: str) -> str:
    decimals = len(original.split(".")[1]) if "." in original else 0
    text = f"{value:.{decimals}f}"
    if "," in original:
        text = f"{int(value):,}"
    return text


def number_swap(sentence: str, evidence: str, rng: random.Random) -> str | None:
    """Change one number to a value that appears nowhere in the evidence."""
    taken = numbers_in(evidence)
    spots = [m for m in _NUMBER.finditer(sentence)
             if not (1900 <= float(m.group(1).replace(",", "")) <= 2100)]
    rng.shuffle(spots)
    for match in spots:
        raw = match.group(1)
        value = float(raw.replace(",", ""))
        step = 1.0 if "." not in raw else 10 ** -len(raw.split(".")[1])
        options = [value * 2, value + step, value * 3, value + 5 * step, value / 2]
        options = [v for v in options
                   if v > 0 and v != value and float(_format_like(v, raw).replace(",", "")) not in
                   taken]
        if options:
            new = _format_like(rng.choice(options), raw)
            return sentence[: match.start(1)] + new + sentence[match.end(1):]
    return None


def unit_change(sentence: str, evidence: str, rng: random.Random) -> str | None:
    spots = list(_UNIT_AFTER_NUMBER.finditer(sentence))
    rng.shuffle(spots)
    for match in spots:
        new = f"{match.group(1)}{match.group(2)}{_UNIT_CHANGES[match.group(3)]}"
        if new not in evidence:
            return sentence[: match.start()] + new + sentence[match.end():]
    return None


def negation_flip(sentence: str) -> str | None:
    if _KEEP_NOT.search(sentence):
        return None
    if (match := _REMOVE_NOT.search(sentence)):
        return sentence[: match.end(1)] + sentence[match.end():]
    if re.search(r"\bcannot\b", sentence):
        return re.sub(r"\bcannot\b", "can", sentence, count=1)
    if re.search(r"\bnot\b|\bno\b|\bnever\b|\bavoid|\bwithout\b|contraindicat", sentence):
        return None  # other negations are rewritten by hand only
    if (match := _INSERT_NOT.search(sentence)):
        word = match.group(1)
        return sentence[: match.start()] + ("cannot" if word == "can" else f"{word} not") + \
            sentence[match.end():]
    if (match := _INSERT_VERB.search(sentence)):
        verb = match.group(1)[:-1]
        return sentence[: match.start()] + f"does not {verb}" + sentence[match.end():]
    return None


def drug_swap(sentence: str, evidence: str, rng: random.Random) -> str | None:
    spots = list(_DRUG_RX.finditer(sentence))
    rng.shuffle(spots)
    for match in spots:
        found = match.group(1)
        options = [d for d in _CLASS_OF[found.lower()]
                   if d != found.lower() and not re.search(rf"\b{d}\b", evidence, re.I)]
        if options:
            new = rng.choice(options)
            new = new.capitalize() if found[0].isupper() else new
            return sentence[: match.start()] + new + sentence[match.end():]
    return None


def added_fact(sentence: str, evidence: str, rng: random.Random) -> str | None:
    facts = ADDED_FACTS[:]
    rng.shuffle(facts)
    known = set(content_terms(evidence))
    for fact in facts:
        if len(set(content_terms(fact)) & known) <= 1 and not (numbers_in(fact) &
                                                               numbers_in(evidence)):
            return sentence.rstrip(".") + fact + "."
    return None


def build() -> list[dict]:
    rng = random.Random(SEED)
    cases: list[dict] = []
    paths = sorted(p for p in CONTENT.rglob("*.md") if p.parent != CONTENT)
    for path in paths:
        card, sections = card_sections(path)
        pool = [(name, i) for name, sents in sections.items() for i, s in enumerate(sents)
                if 30 <= len(s) <= 400]
        for name, i in pool:  # every hand-written paraphrase of this card
            text = next((t for (c, start), t in HAND_PARAPHRASES.items()
                         if c == card and sections[name][i].startswith(start)), None)
            if text:
                n = sum(c["id"].startswith(f"{card}:paraphrase-hand") for c in cases)
                evidence = _window(sections[name], i, rng)
                cases.append(_case(card, "paraphrase", f"hand{n + 1}", evidence, text))
        for kind in KINDS:
            order = pool[:]
            rng.shuffle(order)
            for name, i in order:
                sentence = sections[name][i]
                evidence = _window(sections[name], i, rng)
                claim = make_claim(kind, sentence, " ".join(evidence), rng)
                if claim and (claim != sentence or kind == "faithful"):
                    variant = "template" if kind == "paraphrase" else ""
                    cases.append(_case(card, kind, variant, evidence, claim))
                    break
    return cases


def _window(sentences: list[str], i: int, rng: random.Random) -> list[str]:
    """1-3 consecutive sentences of a section that include sentence i."""
    size = min(rng.choice([1, 2, 3]), len(sentences))
    lo = max(0, min(i - rng.randrange(size), len(sentences) - size))
    return sentences[lo: lo + size]


def _case(card: str, kind: str, variant: str, evidence: list[str], claim: str) -> dict:
    suffix = f"-{variant}" if variant else ""
    return {"id": f"{card}:{kind}{suffix}", "evidence": evidence, "claim": claim,
            "label": LABELS[kind], "perturbation": kind}


def make_claim(kind: str, sentence: str, evidence: str, rng: random.Random) -> str | None:
    if kind == "faithful":
        return sentence
    if kind == "paraphrase":
        return paraphrase(sentence)
    if kind == "number_swap":
        return number_swap(sentence, evidence, rng)
    if kind == "unit_change":
        return unit_change(sentence, evidence, rng)
    if kind == "negation_flip":
        return negation_flip(sentence)
    if kind == "drug_swap":
        return drug_swap(sentence, evidence, rng)
    return added_fact(sentence, evidence, rng)


def main() -> None:
    cases = build()
    with OUT.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for case in cases:
        counts[case["perturbation"]] = counts.get(case["perturbation"], 0) + 1
    hand = {c["claim"] for c in cases if "-hand" in c["id"]}
    missing = [key for key, text in HAND_PARAPHRASES.items() if text not in hand]
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}: {counts}")
    if missing:
        print(f"hand paraphrases whose source sentence was not found: {missing}")


if __name__ == "__main__":
    main()
