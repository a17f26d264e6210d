"""Expansions for the shorthand clinicians type on a phone ("CAP outpt pcn allergy abx?").

Queries are expanded, never rewritten: the original words stay, the expansion is appended,
so both the encoder and BM25 see the long form that vetted content is written in.
"""

from __future__ import annotations

import re

ABBREVIATIONS: dict[str, str] = {
    "abx": "antibiotics", "chads": "cha2ds2-vasc", "chadsvasc": "cha2ds2-vasc",
    "chads2": "cha2ds2-vasc", "anticoag": "anticoagulation", "w/": "with", "afib": "atrial fibrillation", "af": "atrial fibrillation",
    "aki": "acute kidney injury", "ckd": "chronic kidney disease", "hf": "heart failure",
    "hfref": "heart failure reduced ejection fraction", "chf": "heart failure",
    "cap": "community-acquired pneumonia", "uti": "urinary tract infection",
    "pcn": "penicillin", "outpt": "outpatient", "inpt": "inpatient", "pt": "patient",
    "pts": "patients", "hx": "history", "dx": "diagnosis", "tx": "treatment",
    "rx": "prescription treatment", "sx": "symptoms", "ddx": "differential diagnosis",
    "htn": "hypertension", "bp": "blood pressure", "dm": "diabetes", "t2dm": "type 2 diabetes",
    "dm2": "type 2 diabetes", "t1dm": "type 1 diabetes", "dka": "diabetic ketoacidosis",
    "copd": "chronic obstructive pulmonary disease", "dvt": "deep vein thrombosis",
    "pe": "pulmonary embolism", "vte": "venous thromboembolism", "mi": "myocardial infarction",
    "acs": "acute coronary syndrome", "cad": "coronary artery disease",
    "ascvd": "atherosclerotic cardiovascular disease", "tia": "transient ischemic attack",
    "cva": "stroke", "tpa": "alteplase thrombolysis", "gerd": "gastroesophageal reflux",
    "ppi": "proton pump inhibitor", "ugib": "upper gastrointestinal bleeding",
    "gib": "gastrointestinal bleeding", "sbp": "spontaneous bacterial peritonitis",
    "hcv": "hepatitis c", "hbv": "hepatitis b", "hiv": "hiv", "prep": "pre-exposure prophylaxis",
    "pep": "post-exposure prophylaxis", "ltbi": "latent tuberculosis infection",
    "tb": "tuberculosis", "mrsa": "methicillin-resistant staphylococcus aureus",
    "cdi": "clostridioides difficile infection", "cdiff": "clostridioides difficile",
    "c.diff": "clostridioides difficile", "gc": "gonorrhea",
    "sti": "sexually transmitted infection", "std": "sexually transmitted infection",
    "aom": "acute otitis media", "osa": "obstructive sleep apnea", "ssri": "ssri antidepressant",
    "mdd": "major depressive disorder", "gad": "generalized anxiety disorder",
    "oud": "opioid use disorder", "aud": "alcohol use disorder", "etoh": "alcohol",
    "nsaid": "nsaid", "nsaids": "nsaids", "apap": "acetaminophen", "asa": "aspirin",
    "doac": "direct oral anticoagulant", "doacs": "direct oral anticoagulants",
    "noac": "direct oral anticoagulant", "inr": "inr warfarin", "ffp": "fresh frozen plasma",
    "pcc": "prothrombin complex concentrate", "ivf": "intravenous fluids", "iv": "intravenous",
    "im": "intramuscular", "po": "oral", "sq": "subcutaneous", "sc": "subcutaneous",
    "ed": "emergency department", "er": "emergency department", "icu": "intensive care",
    "ob": "obstetric pregnancy", "preg": "pregnancy", "pregnant": "pregnancy",
    "pph": "postpartum hemorrhage", "gdm": "gestational diabetes", "ec": "emergency contraception",
    "hrt": "menopause hormone therapy", "mht": "menopause hormone therapy",
    "peds": "pediatric children", "kid": "child", "kids": "children", "yo": "year old",
    "ams": "altered mental status", "loc": "loss of consciousness", "sob": "dyspnea",
    "cp": "chest pain", "ha": "headache", "lbp": "low back pain", "ua": "urinalysis",
    "cbc": "complete blood count", "bmp": "basic metabolic panel", "a1c": "a1c hba1c",
    "hba1c": "a1c", "egfr": "egfr kidney function", "crcl": "creatinine clearance",
    "k": "potassium", "na": "sodium", "hyperk": "hyperkalemia", "hypok": "hypokalemia",
    "hypona": "hyponatremia", "tsh": "tsh thyroid", "ibd": "inflammatory bowel disease",
    "ra": "rheumatoid arthritis", "hit": "heparin-induced thrombocytopenia",
    "ida": "iron deficiency anemia", "prbc": "red blood cell transfusion",
    "rbc": "red blood cell", "fn": "febrile neutropenia", "anc": "absolute neutrophil count",
    "aaa": "abdominal aortic aneurysm", "psa": "prostate-specific antigen",
    "crc": "colorectal cancer", "ldct": "low-dose ct lung cancer screening",
    "hpv": "human papillomavirus", "pap": "cervical cytology", "mammo": "mammography",
    "nac": "n-acetylcysteine", "ciwa": "ciwa-ar alcohol withdrawal", "bzd": "benzodiazepine",
    "benzo": "benzodiazepine", "benzos": "benzodiazepines", "sz": "seizure",
    "hep": "hepatitis",
    "vax": "vaccine", "vaccine": "vaccine immunization", "imm": "immunization",
    "ppx": "prophylaxis", "abd": "abdominal", "sepsis": "sepsis", "bb": "beta blocker",
    "acei": "ace inhibitor", "arb": "angiotensin receptor blocker", "ccb": "calcium channel blocker",
    "sglt2": "sglt2 inhibitor", "sglt2i": "sglt2 inhibitor", "glp1": "glp-1 receptor agonist",
    "glp-1": "glp-1 receptor agonist", "mra": "mineralocorticoid receptor antagonist",
    "arni": "sacubitril valsartan", "lvef": "ejection fraction", "ef": "ejection fraction",
    "ssti": "skin soft tissue infection", "rsv": "respiratory syncytial virus",
    "flu": "influenza", "ili": "influenza-like illness", "gbs": "group b streptococcus",
    "gas": "group a streptococcus", "strep": "streptococcal", "wt": "weight", "kg": "kg",
    "mg/kg": "mg/kg dose", "q": "every", "bid": "twice daily", "tid": "three times daily",
    "qid": "four times daily", "qd": "once daily", "prn": "as needed",
}
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9./-]*")


def expand_abbreviations(question: str) -> str:
    """The question followed by the long forms of any shorthand it contains."""
    extra: list[str] = []
    for token in _TOKEN.findall(question):
        expansion = _expansion(token)
        if expansion and expansion not in extra:
            extra.append(expansion)
    return f"{question} ({'; '.join(extra)})" if extra else question


def replace_abbreviations(question: str) -> str:
    """The question with shorthand replaced by long forms (for term-coverage checks)."""
    return _TOKEN.sub(lambda m: _expansion(m.group(0)) or m.group(0), question)


def _expansion(token: str) -> str | None:
    key = token.lower().rstrip(".?,;:")
    expansion = ABBREVIATIONS.get(key)
    return expansion if expansion and expansion != key else None
