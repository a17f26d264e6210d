"""The strict, rule-based half of the grounding verifier: numbers, drugs, routes, negation.

An embedding says two sentences are "about the same thing"; it barely moves when 0.3 mg
becomes 0.3 mcg, when "not" is inserted, or when apixaban becomes rivaroxaban. Those are
exactly the changes that hurt a patient, so they are checked here with plain rules that a
reviewer can read. Everything is deterministic and dependency-free apart from the stemmer
the lexical index already uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from retrieval.lexical import terms
from retrieval.text import STOPWORDS, strip_citation_marks, words

# ---------------------------------------------------------------------------- quantities

# alias -> (canonical unit, factor to the canonical unit). One canonical unit per
# dimension, so "1 g" meets "1,000 mg" and "24 hours" meets "1 day", while 0.3 mg and
# 0.3 mcg differ by a factor of 1000 and never match.
_UNITS: dict[str, tuple[str, float]] = {}


def _add(canonical: str, factor: float, aliases: str) -> None:
    for alias in aliases.split():
        _UNITS[alias] = (canonical, factor)


_add("mg", 1e-9, "pg")
_add("mg", 1e-6, "ng")
_add("mg", 1e-3, "mcg µg μg ug microgram micrograms")
_add("mg", 1.0, "mg milligram milligrams")
_add("mg", 1e3, "g gm gram grams")
_add("kg", 1.0, "kg kilogram kilograms")  # body weight, kept apart from doses
_add("kg", 0.45359237, "lb lbs pound pounds")
_add("mL", 1e-3, "µl μl ul microl microliter microliters")
_add("mL", 1.0, "ml milliliter milliliters millilitre millilitres cc")
_add("mL", 100.0, "dl")
_add("mL", 1e3, "l liter liters litre litres")
_add("h", 1 / 3600, "s sec secs second seconds")
_add("h", 1 / 60, "min mins minute minutes")
_add("h", 1.0, "h hr hrs hour hours")
_add("h", 24.0, "day days")
_add("h", 168.0, "wk wks week weeks")
_add("h", 730.5, "mo month months")
_add("h", 8766.0, "yr yrs year years")
_add("mmol", 1e-3, "µmol μmol umol micromol")
_add("mmol", 1.0, "mmol")
_add("mEq", 1.0, "meq")
_add("units", 1e-3, "miu")
_add("units", 1.0, "units unit iu u")
_add("%", 1.0, "% percent")
_add("mmHg", 1.0, "mmhg")
_add("mm", 1.0, "mm")
_add("mm", 10.0, "cm")
_add("mm", 25.4, "inch inches")
_add("mOsm", 1.0, "mosm")
_add("kcal", 1.0, "kcal")
_add("CFU", 1.0, "cfu")
_add("cells", 1.0, "cells cell")
_add("pack-years", 1.0, "pack-years pack-year")
_add("bsa", 1.0, "bsa")
_add("degC", 1.0, "°c c")  # a bare "c" counts only after "<number> ": "38.0 C", not "2C"
_add("degF", 1.0, "°f")

_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30,
}
_NUM = r"(?:\d+(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+|" + "|".join(_NUMBER_WORDS) + r")"
_UNIT = "|".join(re.escape(a) for a in sorted(_UNITS, key=len, reverse=True) if a != "c")
# A unit may be compound ("mg/kg/day", "mL/min/1.73 m2", "units per kg"); a number inside
# the denominator is only allowed before a volume ("250 mg/5 mL" is a concentration).
_UNIT_RX = (
    rf"(?:°\s?[cf]|(?<=\d\s)c|mm\s?hg|{_UNIT})(?![a-z0-9])"
    rf"(?:\s?/\s?(?:\d*\.?\d+\s?(?=m?l\b))?(?:{_UNIT})(?![a-z0-9])"
    rf"|\s+per\s+(?:{_UNIT})(?![a-z0-9]))*"
)
_QUANTITY = re.compile(
    rf"(?<![a-z0-9.])(?<![a-z]-)(?P<a>{_NUM})"
    rf"(?:\s?(?:-|–|to|and|or|through)\s?(?P<b>{_NUM}))?"
    rf"(?:\s?-?\s?(?P<unit>{_UNIT_RX}))?"
    rf"(?![a-z0-9])",
    re.IGNORECASE,
)
_FREQUENCY = re.compile(
    rf"\b(?:(?P<word>once|twice|thrice)|(?P<n>{_NUM})\s+times)\s+"
    r"(?:a\s+|per\s+|each\s+|every\s+)?(?P<per>daily|day|weekly|week)\b",
    re.IGNORECASE,
)
_RATIO = re.compile(r"(?<![\d.])1\s?:\s?(\d{1,3}(?:,\d{3})+|\d+)(?![\d.])")
_BSA = re.compile(r"/\s?1\.73\s?m(?:2|²|\^2)\b", re.IGNORECASE)
_YEAR_OLD = re.compile(r"\b(\d+)-(year|month|week|day)-old\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number as written, with its unit canonicalised so equal amounts compare equal."""

    text: str  # as written, e.g. "0.3 mg"
    value: float  # as written (0.3)
    unit: str  # unit as written, lower-cased and spaceless ("mg/kg"), "" when bare
    canon_unit: str  # canonical unit ("mg/kg"); equal canon units = same dimension
    canon_value: float
    context: frozenset[str] = frozenset()  # content words next to it: what it measures

    @property
    def bare(self) -> bool:
        return not self.unit


def _to_float(token: str) -> float:
    token = token.lower()
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token.replace(",", ""))


def _canonical(unit: str) -> tuple[str, float]:
    """("mcg/kg/min") -> ("mg/kg/h", factor). Numbers in a denominator divide the value."""
    if not unit:
        return "", 1.0
    names, factor = [], 1.0
    for i, part in enumerate(p for p in unit.split("/") if p):
        match = re.match(r"^(\d*\.?\d+)?(.*)$", part)
        count = float(match.group(1)) if match and match.group(1) else 1.0
        alias = match.group(2) if match else part
        name, scale = _UNITS.get(alias, (alias, 1.0))
        if i == 0:
            factor *= scale
        else:
            factor /= scale * count
        names.append(name)
    return "/".join(names), factor


def _normalise_text(text: str) -> str:
    text = strip_citation_marks(text)
    text = _BSA.sub("/bsa", text)
    return _YEAR_OLD.sub(r"\1 \2s old", text)


def quantities(text: str) -> list[Quantity]:
    """Every number in `text` with its unit; a range ("0.3-0.5 mg") gives both ends the unit.

    Ratios ("1:1000") and frequencies ("twice daily", "3 times a day") are read first and
    blanked out so their digits are not read again as bare numbers. Bare whole numbers
    between 1900 and 2100 are calendar years and only ever compare with other years.
    """
    base = _normalise_text(text)
    found: list[Quantity] = []

    def add(match: re.Match, value: float, unit: str, canon: str, canon_value: float) -> None:
        context = context_terms(base, match.start(), match.end())
        found.append(Quantity(match.group(0).strip(), value, unit, canon, canon_value, context))

    for match in _RATIO.finditer(base):
        value = _to_float(match.group(1))
        add(match, value, "ratio", "ratio", value)
    text = _RATIO.sub(lambda m: " " * len(m.group(0)), base)
    for match in _FREQUENCY.finditer(text):
        word = (match.group("word") or "").lower()
        n = {"once": 1.0, "twice": 2.0, "thrice": 3.0}.get(word) or _to_float(match.group("n"))
        per = "day" if match.group("per").lower().startswith("da") else "week"
        add(match, n, f"times/{per}", f"times/{per}", n)
    text = _FREQUENCY.sub(lambda m: " " * len(m.group(0)), text)
    for match in _QUANTITY.finditer(text):
        unit = re.sub(r"\s+per\s+", "/", (match.group("unit") or "").lower())
        unit = re.sub(r"\s+", "", unit).lstrip("-")
        canon, factor = _canonical(unit)
        for token in (match.group("a"), match.group("b")):
            if token is None:
                continue
            value = _to_float(token)
            if canon == "degF":
                add(match, value, unit, "degC", round((value - 32) * 5 / 9, 1))
            elif not unit and value.is_integer() and 1900 <= value <= 2100:
                add(match, value, unit, "calendar year", value)
            else:
                add(match, value, unit, canon, value * factor)
    return found


def same_amount(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-9) + 1e-9


def describe(q: Quantity) -> str:
    """A quantity as a reader would write it: "0.3 mg", "2 times/day", "7"."""
    value = f"{q.value:g}"
    return f"{value} {q.unit}" if q.unit else value


# ---------------------------------------------------------------------------- drugs

# Generic names the cards and everyday prescribing use. The suffix rule below catches most
# others, so this list only needs names whose ending says nothing ("warfarin", "insulin").
DRUG_NAMES = frozenset(
    """acetaminophen paracetamol ibuprofen naproxen aspirin ketorolac diclofenac celecoxib
    indomethacin meloxicam morphine hydromorphone oxycodone fentanyl tramadol tapentadol codeine
    meperidine methadone buprenorphine naloxone naltrexone epinephrine adrenaline
    norepinephrine dopamine vasopressin phenylephrine dobutamine amoxicillin ampicillin
    penicillin dicloxacillin nafcillin piperacillin pivmecillinam clavulanate sulbactam
    tazobactam cephalexin cefadroxil cefazolin cefuroxime cefaclor cefdinir cefpodoxime cefixime
    ceftriaxone cefotaxime ceftazidime cefepime ceftaroline meropenem imipenem ertapenem
    aztreonam azithromycin clarithromycin erythromycin doxycycline minocycline tetracycline
    sarecycline ciprofloxacin levofloxacin moxifloxacin norfloxacin gemifloxacin ofloxacin
    vancomycin linezolid daptomycin telavancin clindamycin metronidazole tinidazole
    nitrofurantoin fosfomycin trimethoprim sulfamethoxazole gentamicin tobramycin amikacin
    rifampin rifapentine rifabutin rifaximin isoniazid fidaxomicin fluconazole itraconazole
    voriconazole amphotericin nystatin terbinafine clotrimazole miconazole acyclovir
    valacyclovir famciclovir oseltamivir zanamivir peramivir baloxavir tenofovir emtricitabine
    lamivudine dolutegravir bictegravir cabotegravir lenacapavir sofosbuvir velpatasvir
    glecaprevir pibrentasvir entecavir apixaban rivaroxaban edoxaban dabigatran warfarin heparin
    enoxaparin dalteparin fondaparinux argatroban bivalirudin danaparoid clopidogrel ticagrelor
    prasugrel alteplase tenecteplase lisinopril enalapril ramipril captopril benazepril
    perindopril losartan valsartan candesartan irbesartan olmesartan telmisartan sacubitril
    metoprolol carvedilol bisoprolol atenolol propranolol nebivolol labetalol esmolol
    amlodipine nifedipine felodipine diltiazem verapamil hydralazine hydrochlorothiazide
    chlorthalidone indapamide furosemide bumetanide torsemide spironolactone eplerenone
    finerenone atorvastatin rosuvastatin simvastatin pravastatin lovastatin pitavastatin
    ezetimibe metformin insulin glargine detemir degludec lispro aspart glipizide glyburide
    glimepiride sitagliptin linagliptin pioglitazone empagliflozin dapagliflozin canagliflozin
    ertugliflozin semaglutide liraglutide dulaglutide exenatide tirzepatide glucagon
    levothyroxine liothyronine methimazole propylthiouracil prednisone prednisolone
    methylprednisolone dexamethasone hydrocortisone budesonide fluticasone albuterol salbutamol
    ipratropium tiotropium formoterol salmeterol montelukast omeprazole esomeprazole
    pantoprazole lansoprazole rabeprazole vonoprazan famotidine cimetidine bismuth misoprostol
    ondansetron metoclopramide prochlorperazine lorazepam diazepam midazolam chlordiazepoxide
    alprazolam clonazepam phenobarbital levetiracetam fosphenytoin phenytoin valproate
    carbamazepine lamotrigine gabapentin pregabalin sertraline fluoxetine escitalopram
    citalopram paroxetine venlafaxine duloxetine bupropion mirtazapine amitriptyline
    nortriptyline trazodone lithium haloperidol quetiapine olanzapine risperidone aripiprazole
    cyproheptadine diphenhydramine loratadine cetirizine fexofenadine zolpidem sumatriptan
    rizatriptan lasmiditan erenumab fremanezumab galcanezumab eptinezumab varenicline nicotine
    thiamine acetylcysteine colchicine allopurinol febuxostat probenecid alendronate
    risedronate zoledronic denosumab teriparatide romosozumab oxytocin methylergonovine
    carboprost levonorgestrel ulipristal tranexamic isosorbide nitroglycerin isotretinoin
    tretinoin adapalene clascoterone""".split()
)
# Brand names map to the generic so "Lexapro" in the evidence supports "escitalopram".
BRANDS = {
    "lexapro": "escitalopram", "zoloft": "sertraline", "prozac": "fluoxetine",
    "tylenol": "acetaminophen", "advil": "ibuprofen", "motrin": "ibuprofen",
    "lipitor": "atorvastatin", "crestor": "rosuvastatin", "eliquis": "apixaban",
    "xarelto": "rivaroxaban", "pradaxa": "dabigatran", "savaysa": "edoxaban",
    "coumadin": "warfarin", "lovenox": "enoxaparin", "plavix": "clopidogrel",
    "zithromax": "azithromycin", "keflex": "cephalexin", "cipro": "ciprofloxacin",
    "levaquin": "levofloxacin", "macrobid": "nitrofurantoin", "valtrex": "valacyclovir",
    "tamiflu": "oseltamivir", "synthroid": "levothyroxine", "glucophage": "metformin",
    "ozempic": "semaglutide", "jardiance": "empagliflozin", "farxiga": "dapagliflozin",
    "lasix": "furosemide", "epipen": "epinephrine", "narcan": "naloxone",
    "ventolin": "albuterol", "prilosec": "omeprazole", "nexium": "esomeprazole",
    "protonix": "pantoprazole", "xanax": "alprazolam", "ativan": "lorazepam",
    "valium": "diazepam", "wellbutrin": "bupropion", "chantix": "varenicline",
    "imitrex": "sumatriptan", "zofran": "ondansetron", "flagyl": "metronidazole",
    "benadryl": "diphenhydramine", "adrenalin": "epinephrine", "bactrim": "sulfamethoxazole",
}
# Class stems (-pril, -sartan, ...) need at least three letters in front, so the class
# words themselves ("statin", "azole") are not mistaken for drugs.
_DRUG_SUFFIX = re.compile(
    r"^[a-z]{3,}(?:mab|pril|sartan|olol|statin|cillin|floxacin|mycin|micin|azole|dipine"
    r"|gliflozin|glutide|parin|xaban|gatran|azepam|azolam|prazole|tidine|cycline|oxetine"
    r"|triptan|semide|thiazide|tegravir|previr|asvir|clovir|profen|sone|solone|gliptin)$"
)
_NOT_DRUGS = frozenset({"reason", "person", "cortisone"})


def _drug_name(word: str) -> str | None:
    """The generic name `word` stands for, or None if it is not a drug."""
    word = BRANDS.get(word, word)
    if word in _NOT_DRUGS:
        return None
    return word if word in DRUG_NAMES or _DRUG_SUFFIX.match(word) else None


def drugs(text: str) -> set[str]:
    """Generic drug names mentioned in `text` (combinations count as their parts)."""
    return {n for w in re.findall(r"[a-z]+", text.lower()) if (n := _drug_name(w))}


def drug_contexts(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each drug mention in `text`, in order, with the content word on either side."""
    out = []
    for match in re.finditer(r"[a-z]+", text.lower()):
        if name := _drug_name(match.group(0)):
            out.append((name, context_terms(text, match.start(), match.end(), width=1)))
    return out


# ---------------------------------------------------------------------------- routes

# Route of administration: "0.5 mg IM" and "0.5 mg IV" are different orders. Abbreviations
# are matched case-sensitively so "class IV" or "oral health" do not count.
_ROUTES = (
    ("IM", re.compile(r"\bIM\b|\b[Ii]ntramuscular(?:ly)?\b")),
    ("IV", re.compile(r"(?<!class )(?<![IVX]-)\bIV\b|\b[Ii]ntravenous(?:ly)?\b")),
    ("SC", re.compile(r"\b(?:SC|SQ|subcut)\b|\b[Ss]ubcutaneous(?:ly)?\b")),
    ("oral", re.compile(r"\b(?:[Oo]rally|by mouth|PO)\b")),
    ("intranasal", re.compile(r"\b[Ii]ntranasal(?:ly)?\b")),
    ("rectal", re.compile(r"\b[Rr]ectally\b")),
    ("sublingual", re.compile(r"\b[Ss]ublingual(?:ly)?\b")),
)


def routes(text: str) -> set[str]:
    """Routes of administration named in `text` ("IM", "IV", "SC", "oral", ...)."""
    return {name for name, rx in _ROUTES if rx.search(text)}


# ---------------------------------------------------------------------------- negation

# Phrases with a negative word that do not negate the statement ("no more than 4 g" is a
# ceiling, "whether or not" is neutral); they are blanked before cues are looked for.
_NOT_NEGATION = re.compile(
    r"\b(?:no|not)\s+(?:more|less|fewer|later|earlier|sooner|longer)\s+than\b|\bnot\s+only\b"
    r"|\bwhether\s+or\s+not\b|\b(?:or|if)\s+not(?=\s*(?:[,.;:)]|$))|\bwith\s+or\s+without\b",
    re.IGNORECASE,
)
# Cues that govern the words after them ("not delay", "avoid NSAIDs", "advises against X")
# and cues that may govern the words before them ("X is contraindicated", "X should be
# avoided", "evidence is insufficient").
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|no|never|none|neither|cannot|without|avoid|avoids|avoiding|skip|omit|forgo"
    r"|withhold|withholding|refrain|(?:recommend|recommends|advise|advises|suggest|suggests"
    r"|recommended|advised|suggested|recommendation)\s+against)\b|n't\b",
    re.IGNORECASE,
)
_NEGATION_AROUND = re.compile(
    r"\b(?:contraindicat\w*|avoided|withheld|unnecessary|ineffective|inappropriate"
    r"|insufficient|unsafe|unable|unavailable|unlikely|unsuitable|unreliable|uncommon"
    r"|unusual)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-/.]*")
SCOPE_TERMS = 3  # content words a cue governs on each side it looks at


@dataclass(frozen=True)
class Negation:
    """A negation cue and the content words it governs (its scope)."""

    cue: str
    scope: frozenset[str]


def negations(text: str) -> list[Negation]:
    """Negation cues in a clause, each with its scope.

    The scope tells what a cue is about, so "recommended, but not as monotherapy" does not
    make a claim about the recommendation alone look negated.
    """
    text = _NOT_NEGATION.sub(lambda m: " " * len(m.group(0)), text)
    tokens = [(m.start(), m.end(), _stem_token(m.group(0))) for m in _TOKEN.finditer(text)]
    found: list[Negation] = []
    for rx, both_sides in ((_NEGATION_BEFORE, False), (_NEGATION_AROUND, True)):
        for match in rx.finditer(text):
            after = [t for s, _, t in tokens if s >= match.end() and t][:SCOPE_TERMS]
            before = [t for _, e, t in tokens if e <= match.start() and t][-SCOPE_TERMS:]
            scope = after + before if both_sides or not after else after
            found.append(Negation(match.group(0).lower(), frozenset(scope)))
    return found


def negated(text: str) -> bool:
    """Raw polarity of a clause: an odd number of cues negates it ("not ... without" does not)."""
    return len(negations(text)) % 2 == 1


def negated_about(text: str, other_terms: set[str]) -> bool:
    """Polarity of `text` as far as `other_terms` are concerned.

    Counts the cues whose scope is at least half inside `other_terms` (a cue about words
    the other clause never mentions says nothing about it); an odd count negates.
    """
    count = 0
    for negation in negations(text):
        if not negation.scope or len(negation.scope & other_terms) * 2 >= len(negation.scope):
            count += 1
    return count % 2 == 1


@lru_cache(maxsize=8192)
def _stem_token(token: str) -> str:
    found = content_terms(token)
    return min(found) if found else ""


def context_terms(text: str, start: int, end: int, width: int = 2) -> frozenset[str]:
    """The `width` content words on each side of text[start:end]: what a number measures."""
    before: list[str] = []
    after: list[str] = []
    for match in _TOKEN.finditer(text):
        term = _stem_token(match.group(0))
        if not term:
            continue
        if match.end() <= start:
            before.append(term)
        elif match.start() >= end and len(after) < width:
            after.append(term)
    return frozenset(before[-width:] + after)


# ---------------------------------------------------------------------------- clauses, terms

_STRONG_BREAK = re.compile(r"\s*[;:]\s+|\s+[-–—]\s+")
_WEAK_BREAK = re.compile(
    r",\s+(?=(?:and|but|or|while|whereas|although|though|because|since|so|unless|except"
    r"|which|with|then|in addition|also|plus)\b)"
    r"|\s+(?=(?:but|whereas|although|because|unless)\b)",
    re.IGNORECASE,
)
# Units and routes are checked by their own rules, so they are not topic words.
_UNIT_WORDS = frozenset(_UNITS) | {"per", "time", "times", "bsa"} | frozenset(
    """im iv sc sq subcut po orally intravenous intravenously intramuscular intramuscularly
    subcutaneous subcutaneously""".split()
)
# Connectives and hedges: they glue clauses together but state nothing checkable.
_LINKING_WORDS = frozenset(
    """since though although whereas unless except however thus therefore hence plus
    around approximately roughly nearly almost later every each""".split()
)
_NEGATION_WORDS = frozenset(
    {"not", "no", "never", "none", "neither", "nor", "cannot", "without", "unnecessary",
     "withhold", "withheld", "withholding", "don't", "doesn't", "isn't", "t"}
)


def _topical(word: str) -> bool:
    parts = [p for p in re.split(r"[-/]", word) if p]
    if all(p in _UNIT_WORDS or not re.search(r"[a-z]", p) for p in parts):
        return False
    if word in _NEGATION_WORDS or word in _LINKING_WORDS:
        return False
    return not word.startswith(("contraindicat", "avoid"))


def content_terms(text: str) -> set[str]:
    """Stemmed topic words, without numbers, units and negation cues (checked separately)."""
    kept = [BRANDS.get(w, w) for w in words(_normalise_text(text))
            if w not in STOPWORDS and _topical(w)]
    return set(terms(" ".join(kept)))


def clauses(sentence: str, *, min_terms: int = 2) -> list[str]:
    """Split a sentence into clauses that carry their own polarity and numbers.

    Breaks at semicolons, colons, dashes and at conjunctions after a comma. A piece with
    fewer than `min_terms` content words is merged with its neighbour, so a list tail
    ("..., or edoxaban") or a label ("Carvedilol: ...") never becomes a clause of its own.
    """
    pieces: list[str] = []
    for strong in _STRONG_BREAK.split(sentence):
        pieces.extend(p.strip(" ,.") for p in _WEAK_BREAK.split(strong))
    merged: list[str] = []
    for piece in (p for p in pieces if p):
        if merged and (
            len(content_terms(piece)) < min_terms or len(content_terms(merged[-1])) < min_terms
        ):
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    return merged or [sentence.strip()]
