"""Person-name detection: context cues, name shapes and the medical words that look like names.

Names come from titles ("Mrs. Park"), cue words ("patient", "daughter", "name is"), common
first names, surname morphology, and spaCy PERSON entities filtered by :func:`person_span`.
Medical eponyms ("Bell's palsy", "Wells score", "Graves disease") and drug names are what
spaCy's small model mislabels most, hence the word lists in ``privacy/lexicons/``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import clinical_terms
from privacy.hits import SHAPE, STRONG, Hit
from privacy.lexicons import pairs, words

FIRST_NAMES = words("first_names")
ORGANISMS = words("organisms")
EPONYM_NEXT = words("eponym_next")
# Drugs, shorthand, scores and lab aliases come from the shared vocabulary (one owner), so a
# term the answering side knows ("crc", "ckd", "Eliquis", "centor") is never taken for a
# person; a first name that is also a product ("Ella") stays a possible name.
BRANDS = (
    clinical_terms.drug_names() | frozenset(clinical_terms.brands()) | words("drug_brands")
) - FIRST_NAMES
_LAB_ALIASES = frozenset(
    a for lab in clinical_terms.lab_ranges() for a in lab.aliases if a.replace("+", "").isalpha()
)
NOT_NAME = (
    words("not_name")
    | frozenset(k for k in clinical_terms.shorthand() if k.isalpha())
    | frozenset(w for w in clinical_terms.everyday_words() if w.isalpha())
    | _LAB_ALIASES
) - FIRST_NAMES
# Scores are eponyms: never a name on their own, still a surname after "Mrs." ("Mrs. Wells").
_SCORES = clinical_terms.score_names() - FIRST_NAMES
EPONYMS = words("eponyms") | _SCORES
COUNTRIES = words("countries")
INSTITUTION = words("institution")
DISEASE_WORDS = words("disease_words")
# Words the vetted cards write in lower case (privacy/build_clinical_words.py): medicine's own
# vocabulary, which general word lists lack ("purulent", "hypothyroidism", "transfuse").
CLINICAL_WORDS = words("clinical_words") - FIRST_NAMES
US_STATES = pairs("us_states")
STATE_NAMES = frozenset(s.lower() for s in US_STATES.values())

ORGANISM_SUFFIX_RE = re.compile(r"(?:coccus|cocci|bacter|bacterium|monas|myces|virus|viridae)$")

# Drug classes recognisable by suffix (generic names), plus common brand names.
DRUG_SUFFIX_RE = re.compile(
    r"(?:mab|nib|pril|sartan|olol|dipine|statin|azole|cillin|mycin|micin|floxacin|cycline"
    r"|vir|gliptin|gliflozin|glitazone|parin|xaban|gatran|prazole|tidine|setron|triptan"
    r"|lukast|terol|olone|azepam|zolam|ocaine|vacaine|profen|oxacin|glutide|tide|semide"
    r"|thiazide|dronate|codone|morphone|orphine|tropin|dipine|zepam|oxetine|pramine)$"
)

# Latin-script letters incl. diacritics, so "Zoë Müller" and "Łukasz Nuñez" are names too.
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪİĶĹĻĽŁŃŅŇŐŒŔŘŚŞŠŢŤŪŮŰŹŻŽ"
_LO = "a-zß-öø-ÿāăąćčďđēėęěğīıķĺļľłńņňőœŕřśşšţťūůűźżž"
_NAME_TOKEN = rf"[{_UP}](?:[{_LO}]+(?:[{_UP}][{_LO}]+)?|['’][{_UP}][{_LO}]+)(?:-[{_UP}][{_LO}]+)?"

TITLE_RE = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Nurse)\b\.?\s+(?P<v>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})"
)
_CUE = (
    r"(?i:\b(?:patient|pt|pts|son|daughter|wife|husband|spouse|partner|mom|mother|dad"
    r"|father|brother|sister|grandson|granddaughter|grandmother|grandfather|guardian"
    r"|caregiver|contact|subscriber|attn|named|name\s+is|name\s*:)(?:'s)?)"
)
CUE_NAME_RE = re.compile(
    rf"{_CUE}\s*[:(,]?\s*(?i:(?:is|was)\s+)?(?P<v>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})"
)
LOWER_NAME_RE = re.compile(
    r"\b(?:name(?:d|\s+is|\s*:)|pt\s+name\s*:?)\s*(?P<v>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)\b",
    re.I,
)
# Lookahead so that "Pt Maria Gonzalez" still yields "Maria Gonzalez" (overlapping tries).
FIRST_LAST_RE = re.compile(rf"\b(?=(?P<v>(?P<first>[{_UP}][{_LO}]+)\s+{_NAME_TOKEN}))")
# Surname endings common in the US patient population (Polish, Slavic, Greek, Armenian,
# Hispanic "-ez", Nordic/Germanic); a capitalised token ending so is taken as a surname.
SURNAME_RE = re.compile(
    rf"\b[{_UP}][{_LO}]+(?:ski|ska|sky|wicz|czyk|enko|ovic|ovich|evic|poulos|escu|yan|dze|shvili"
    r"|oglu|[aeiou]lez|[aeiou]nez|[aeiou]rez|[aeiou]quez|ssen|sson|stein|berg|mann|ova|eva)(?![\w-])"
)
_LOWER_STOP = frozenset(
    "with and has had age aged after unknown unclear pending not withheld the of from on in at by"
    .split()
)
# Two capitalised words right after a word that introduces a person ("for Thandiwe
# Mokoena", "seen by Kwabena Asante") are taken as a name unless a word is medical,
# geographic or institutional.  spaCy's small model misses many non-Anglo names.
PAIR_RE = re.compile(
    rf"(?i:\b(?:for|in|with|by|about|re|to|from|and|saw|seen|see|visit(?:ed)?|call(?:ed)?|tell"
    rf"|told|ask(?:ed|s)?|contact|met|treat(?:ing)?|admit(?:ted)?|discharged?|on behalf of)"
    rf"\s+|^\s*|[.;!?]\s+)(?P<v>{_NAME_TOKEN}\s+{_NAME_TOKEN})(?![\w-])"
)
# "Anjali's mother", "Kaveh's fever": a possessive before a family or clinical noun.
POSSESSIVE_RE = re.compile(
    rf"\b(?P<v>{_NAME_TOKEN})['’]s\s+(?=(?i:mother|mom|father|dad|son|daughter|wife|husband"
    rf"|parents?|family|sister|brother|caregiver|guardian|fever|labs?|results?|echo|mri|ct"
    rf"|x-?ray|chart|meds|medications?|bp|a1c|inr|pain|cough|symptoms|wound|surgery"
    rf"|appointment|visit|referral|biopsy|scan)\b)"
)
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’-]*")


def _is_drug(low: str) -> bool:
    """Drug or organism name (first names like "April" are never drugs)."""
    if low in BRANDS or low in ORGANISMS:
        return True
    if "-" in low:  # "piperacillin-tazobactam", "tmp-smx"
        return any(_is_drug(part) for part in low.split("-") if len(part) > 3)
    return low not in FIRST_NAMES and bool(
        DRUG_SUFFIX_RE.search(low) or ORGANISM_SUFFIX_RE.search(low)
    )


def _fold(word: str) -> str:
    """"barré" -> "barre": the word lists are typed without diacritics."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_medical_token(token: str) -> bool:
    """True for eponyms, drug names and clinical abbreviations (never a person alone)."""
    low = _fold(re.sub(r"['’]s$", "", token.lower()))
    if low in NOT_NAME or low in EPONYMS or _is_drug(low):
        return True
    return all(part in EPONYMS for part in low.split("-") if part)


def _ends_with(pattern: re.Pattern[str], text: str, end: int, reach: int = 48):
    """``pattern`` (anchored with ``$``) matched against the text just before ``end``.

    Searching from the start of the text retries the pattern at every earlier position,
    which grows with the square of a pasted note's length; the cues these patterns look
    for are a few words long, so only the last ``reach`` characters are read.
    """
    return pattern.search(text, max(0, end - reach), end)


def _next_word(text: str, end: int) -> str:
    m = re.match(r"(?:['’]s)?\s*([A-Za-z'-]+)", text[end:])
    return m.group(1).lower() if m else ""


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a candidate to its name tokens; None if nothing person-like is left."""
    tokens = [
        (start + m.start(), start + m.end(), m.group()) for m in _TOKEN_RE.finditer(text[start:end])
    ]
    while tokens and tokens[0][2].lower().rstrip(".") in NOT_NAME:
        tokens.pop(0)
    while len(tokens) > 1 and (
        tokens[-1][2].lower() in NOT_NAME or _is_drug(tokens[-1][2].lower())
    ):
        tokens.pop()  # "Dr Patel Lasix": the drug after the name is not part of it
    if tokens and tokens[-1][2].lower() in NOT_NAME:
        tokens.pop()
    if not tokens:
        return None
    s, e = tokens[0][0], tokens[-1][1]
    m = re.search(r"['’]s$", text[s:e])
    if m:
        e -= 2
    return s, e


_MIXED_CASE = re.compile(r"^(?!(?:Mc|Mac|De|Di|La|Le|Van|Von)[A-Z])\w*[a-z][A-Z]")
_MEDICAL_SUFFIX = re.compile(
    r"(?:emia|aemia|osis|itis|oids?|ectomy|otomy|plasty|scopy|graphy|pathy|algia|uria|penia"
    r"|gestrel|sterone|platin|rubicin"
    # Greek and Latin word endings of diseases and findings, rare in personal names
    # ("thrombotic thrombocytopenic", "tardive dyskinesia", "myasthenia").
    r"|penic|cytic|trophic|trophy|plasia|plastic|kinesia|asthenia|thenic|otic|ectasia"
    r"|rrhea|rrhoea|rrhage|lysis|lytic|genic|pathic|phagia|phasia|plegia|plegic|paresis"
    r"|esthesia|aesthesia|tonia|cardia|cephaly|dactyly|megaly|ptosis|pnea|pnoea|emic|aemic"
    r"|itic|glossia|opia|ocele|ostomy|metry|cidal|toxic"
    # Latin and biochemical word endings: "rosacea", "mpox", "supravalvular", "ichthyosiform",
    # "erythroderma", "myoclonus", "mutase".
    r"|acea|pox|valvular|iform|derma|clonus|[a-z]{3}ase|iasis)$"
)


def lone_name_ok(text: str, token: str, end: int) -> bool:
    """A single word from spaCy alone is a name only with some support.

    spaCy's small model tags many sentence-initial drugs and terms as PERSON
    ("Kcentra", "Hypokalemia"); a lone token is kept when it is a known first name,
    has surname morphology, or is possessive ("Kaveh's").
    """
    low = token.lower()
    if _MEDICAL_SUFFIX.search(low):
        return False
    possessive = re.match(r"['’]s\b", text[end:])
    return bool(low in FIRST_NAMES or SURNAME_RE.fullmatch(token) or possessive)


_DISEASE_WORD_RE = re.compile(
    r"(?:osis|oses|itis|emia|aemia|oma|omas|pathy|pathies|plasia|trophy|algia|ectomy|uria|"
    r"cele|ism|iasis|penia|rrhea|rrhoea|plegia|philia|genic|ular|eal|ary|ic|al)$"
)


def looks_like_disease(tokens: list[str]) -> bool:
    """Title-cased condition names ("Multiple Sclerosis", "Salivary Gland Cancer") are not
    people: spaCy's small model often tags them PERSON."""
    return any(
        t.lower() in DISEASE_WORDS or (len(t) > 5 and _DISEASE_WORD_RE.search(t.lower()))
        for t in tokens
    )


def person_span(text: str, start: int, end: int, *, cue: str = "ner") -> tuple[int, int] | None:
    """Validate a PERSON candidate; return the span to scrub, or None.

    Rejects eponyms ("Wells" before "score"), drugs, acronyms and lower-case words.
    ``cue`` says what vouches for the candidate: "title" (Mrs./Dr.: any capitalised
    surname, even "Graves"), "cue" (patient/daughter/first name: one non-eponym token
    is enough) or "ner" (spaCy alone: also rejected before "score", "disease", …).
    """
    span = _trim_name(text, start, end)
    if span is None or re.search(r"\d", text[start:end]):
        return None
    s, e = span
    value = text[s:e]
    if re.search(r"\d", value):
        return None
    tokens = _TOKEN_RE.findall(value)
    if any(t[0].islower() or (t.isupper() and len(t) > 1) or _MIXED_CASE.search(t) for t in tokens):
        return None  # lower-case words, acronyms, "PrEP"/"HbA1c"-style mixed case
    if cue == "title":
        return None if all(t.lower() in NOT_NAME or _is_drug(t.lower()) for t in tokens) else (s, e)
    if all(is_medical_token(t) or len(t) == 1 for t in tokens):
        return None
    if all(t.lower() in STATE_NAMES or t.lower() in COUNTRIES for t in tokens):
        return None  # "Alaska Native", "Virginia" alone
    if _next_word(text, e) in EPONYM_NEXT or any(t.lower() in EPONYM_NEXT for t in tokens):
        return None  # "Charles Bonnet syndrome", "Dawn phenomenon"
    if cue == "ner" and len(tokens) == 1 and not lone_name_ok(text, tokens[0], e):
        return None
    if cue == "ner" and any(t.lower() in INSTITUTION or _is_drug(t.lower()) for t in tokens):
        return None
    if cue == "ner" and looks_like_disease(tokens):
        return None
    return s, e



def name_hits(text: str, out: list[Hit]) -> None:
    for rx, cue in ((TITLE_RE, "title"), (CUE_NAME_RE, "cue")):
        for m in rx.finditer(text):
            span = person_span(text, m.start("v"), m.end("v"), cue=cue)
            if span:
                out.append(Hit("NAME", *span, STRONG))
    for m in LOWER_NAME_RE.finditer(text):
        tokens = m.group("v").split()
        while tokens and tokens[-1].lower() in NOT_NAME | _LOWER_STOP:
            tokens.pop()
        if tokens and tokens[0].lower() not in NOT_NAME | _LOWER_STOP:
            out.append(Hit("NAME", m.start("v"), m.start("v") + len(" ".join(tokens)), STRONG))
    for m in SURNAME_RE.finditer(text):
        prev = re.search(rf"(?:{_NAME_TOKEN})\s+$", text[max(0, m.start() - 25) : m.start()])
        start = m.start() - len(prev.group()) if prev else m.start()
        span = person_span(text, start, m.end(), cue="cue") or person_span(
            text, m.start(), m.end(), cue="cue"
        )
        if span:
            out.append(Hit("NAME", *span, SHAPE))
    for rx in (PAIR_RE, POSSESSIVE_RE):
        for m in rx.finditer(text):
            tokens = _TOKEN_RE.findall(m.group("v"))
            if any(t.lower() in INSTITUTION | STATE_NAMES | COUNTRIES for t in tokens):
                continue
            span = person_span(text, m.start("v"), m.end("v"), cue="ner")
            if span and not any(is_medical_token(t) for t in tokens):
                out.append(Hit("NAME", *span, SHAPE - 0.05))
    for m in FIRST_LAST_RE.finditer(text):
        if m.group("first").lower() in FIRST_NAMES:
            span = person_span(text, m.start("v"), m.end("v"), cue="cue")
            if span:
                out.append(Hit("NAME", *span, SHAPE))



# Context rules that do not depend on capitals (charts and chat are often all lower case) --
COMMON = words("common_words")
# Letters of scripts other than Latin: in an English question such runs are names or places.
_NON_LATIN = (
    "\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u0590-\u05ff\u0600-\u06ff\u0750-\u077f"
    "\u0900-\u0dff\u0e00-\u0e7f\u10a0-\u10ff\u1c90-\u1cbf\u1100-\u11ff\u1200-\u137f\u3040-\u30ff"
    "\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
)
_NL_WORD = rf"[{_NON_LATIN}][{_NON_LATIN}\w'’.-]*"
NON_LATIN_RE = re.compile(rf"{_NL_WORD}(?:[\s,]+{_NL_WORD})*")
# An initial ("S.") is tried first, or "S" alone would match and end the run before "Bowers".
_ANY_NAME_TOKEN = r"(?:(?<!\w)[^\W\d_]\.(?![^\W\d_])|[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*)"
# Relations by marriage or step ("son-in-law") come first: "son" alone would stop short.
_CUE_WORDS = (
    r"(?:son|daughter|mother|father|brother|sister)-in-law|step(?:son|daughter|mom|dad"
    r"|mother|father)|boyfriend|girlfriend|bf|gf|roommate|housemate|flatmate"
    # Roles and job titles a colleague is named by ("attending bowen", "RN Frida",
    # "PCP: g pope", "guarantor: s turner"), and the person a call or interpreter is for.
    r"|attending|intern|rn|lpn|np|pharmacist|pcp|provider|guarantor|signed|interpreter\s+for"
    r"|call\s*back\s+for"
    r"|mr|mrs|ms|miss|mx|dr|sr|prof|nurse|son|daughter|dtr|wife|husband|spouse|partner|mom"
    r"|mother|dad|father|sister|brother|granddaughter|grandson|grandma|grandpa|niece|nephew"
    r"|aunt|uncle|cousin|caregiver|guardian|neighbou?r|friend|fianc[eé]e?|hcp|poa|pt|patient"
    r"|driver|passenger|resident|client|name|named|attn|re|for"
)
ANY_CUE_RE = re.compile(
    rf"(?i:\b(?P<cue>{_CUE_WORDS})\b\.?(?:'s)?)\s*(?:is\s+|was\s+|[:(]\s*)?"
    rf"(?P<v>{_ANY_NAME_TOKEN}(?:\s+{_ANY_NAME_TOKEN}){{0,3}})"
)
_STRONG_CUES = frozenset(
    "mr mrs ms miss mx dr sr prof name named attn son daughter dtr wife husband mom mother "
    "dad father sister brother niece nephew aunt uncle granddaughter grandson hcp poa"
    " son-in-law daughter-in-law mother-in-law father-in-law brother-in-law sister-in-law"
    " stepson stepdaughter stepmom stepdad stepmother stepfather boyfriend girlfriend bf gf"
    " roommate housemate flatmate fiance fiancé fiancee fiancée".split()
)
_WORD_RE = re.compile(rf"{_ANY_NAME_TOKEN}")


def _nameish(token: str, *, strong: bool) -> bool:
    """Could ``token`` be part of a person's name in this context?"""
    low = re.sub(r"['’]s$", "", token.lower().rstrip("."))
    if len(token) == 2 and token.endswith("."):
        return True  # an initial
    if len(low) < 2 or all(part in EPONYMS for part in low.split("-")) and "-" in low:
        return False  # "K", "Glasgow-Blatchford"
    if low in COMMON or low in NOT_NAME or _is_drug(low) or low in EPONYM_NEXT:
        return False
    if "-" in low and all(part in COMMON for part in low.split("-")):
        return False  # "ninety-three", "follow-up"
    if _ROMAN_RE.fullmatch(token):
        return False  # "Forrest IIb", "Killip III"
    if low in INSTITUTION or low in DISEASE_WORDS or _MEDICAL_SUFFIX.search(low):
        return False
    if token.isupper() and len(token) <= 4 and not strong and low not in FIRST_NAMES:
        return False  # an abbreviation such as "CHF" (but "JOHN" is a name)
    if (
        not strong
        and low not in WORD_SURNAMES
        and low not in GIVEN_ANY
        and (low in ENGLISH or low in CLINICAL_WORDS or _slip_of_a_known_word(low))
    ):
        return False  # an ordinary or clinical word ("area", "purulent") or a slip of one
    return strong or not (low in EPONYMS or low in ORGANISMS)


_ROMAN_RE = re.compile(r"(?:[IVX]{2,}|[ivx]{2,})[a-dA-D]?|[IVX][a-d]")
# Particles inside names: Romance, Dutch, German, Arabic ("bin", "abu", "bint") and Irish
# ("Ó Briain", "Ní Bhriain", "Mac Giolla", "Nic Amhlaoibh", "Uí").
PARTICLES = frozenset(
    "de del della der di da dos das du la le van von ter ten bin bint ibn abu al el y"
    " ó o ní ni mac nic uí ui".split()
)


def _name_run(text: str, start: int, tokens: list[re.Match[str]], strong: bool):
    """The leading run of name-like tokens; None if it is empty."""
    run = []
    for i, m in enumerate(tokens):
        particle = m.group().lower() in PARTICLES and run and i + 1 < len(tokens)
        if not particle and not _nameish(m.group(), strong=strong):
            break
        if text[start + m.end() : start + m.end() + 1].isdigit():
            break  # "spo2", "pco2": letters glued to a number name a measurement
        run.append(m)
    while run and run[-1].group().lower() in PARTICLES:
        run.pop()
    while run and _DATE_WORD_RE.fullmatch(run[-1].group().lower()) and re.match(
        r"[\s,-]*\d", text[start + run[-1].end() :]
    ):
        run.pop()  # "pt Maria Gonzalez June 3 1950": the month begins a date
    if not run or _next_word(text, start + run[-1].end()) in EPONYM_NEXT:
        return None  # "Bishop score", "Morse fall scale": a rule, not a person
    return start + run[0].start(), start + run[-1].end()


def _weak_cue_name(text: str, span: tuple[int, int]) -> bool:
    """After "for"/"re" (which also precede topics) a person needs two words that read as
    a name: capitalised words or initials, or, in lower case, a known given name or an
    initial with the phrase ending there ("for j. bui, is that ok")."""
    words_ = text[span[0] : span[1]].split()
    if len(words_) < 2:
        return False
    if all(w[0].isupper() and (not w.isupper() or len(w.rstrip(".")) == 1) for w in words_):
        return True
    lows = [w.lower().rstrip(".") for w in words_]
    vouched = any(w in FIRST_NAMES or len(w) == 1 for w in lows)
    return vouched and bool(_SEGMENT_END.match(text, span[1]))


def cue_names(text: str) -> list[Hit]:
    """Names after a title, relation or "pt"/"name:" cue, in any case."""
    hits = []
    pos = 0
    # Each search resumes where the value began, so a cue inside it is tried too ("pt mr.
    # adebayo bell": "mr." is no name after "pt", but a surname follows it).
    while m := ANY_CUE_RE.search(text, pos):
        pos = m.start("v") if m.start("v") > m.start() else m.end()
        strong = m.group("cue").lower() in _STRONG_CUES
        tokens = list(_WORD_RE.finditer(m.group("v")))
        span = _name_run(text, m.start("v"), tokens, strong)
        weak_cue = m.group("cue").lower() in ("re", "for")
        if span and weak_cue and not _weak_cue_name(text, span):
            continue  # "for Ana Lima" / "for j. bui," yes; "for Lugano" / "for AASLD" no
        if m.group("cue").lower() in _TITLES:
            honorific = m.group("cue").lower() not in ("dr", "prof")
            span = _title_run(text, m.start("v"), tokens, span, honorific=honorific)
        if span:
            hits.append(Hit("NAME", *span, STRONG if strong else SHAPE))
    return hits


_TITLES = frozenset("mr mrs ms miss mx dr prof sr".split())


def _title_run(text: str, start: int, tokens: list[re.Match[str]], span, *, honorific: bool):
    """After a title the next words are a surname even when they are ordinary words that
    are common surnames ("mr. little", "mx. cross", "mr. fadekemi cross"); modal verbs and
    months are not ("dr. will call"), nor, after "dr", everyday verbs ("dr said ok"), and a
    run keeps the case it started in."""
    end = span[1] if span else None
    for i, t in enumerate(tokens):
        if end is not None and start + t.end() <= end:
            continue
        word = t.group()
        low = word.lower()
        gap = text[start + tokens[i - 1].end() : start + t.start()] if i else ""
        if i and (gap != " " or _case([word]) != _case([tokens[0].group()])):
            break
        if text[start + t.end() : start + t.end() + 1].isdigit():
            break
        if not (low in WORD_SURNAMES or _nameish(word, strong=True)) or (
            low in _WORD_GIVEN_STOP or low in _LOWER_STOP or _is_drug(low)
            or (not honorific and low in COMMON)
        ):
            break
        end = start + t.end()
    if end is None:
        return None
    return (span[0] if span else start + tokens[0].start()), end


_BACK_SKIP = frozenset("dob d.o.b born mrn mr# ssn ss# age aged is was".split())
# Labels of other identifiers end the look-back: the label is no name ("address on file 12
# Oak St", "member ID 4471"), and what precedes it is a clause, not a chart header.
_BACK_STOP = frozenset(
    "id file chart record acct account card serial sn plate tag lic license licence passport"
    " permit badge claim case ticket".split()
)
_BACK_TOKEN_RE = re.compile(rf"{_ANY_NAME_TOKEN}|[,:;|()/#-]|\S+")


def names_before(text: str, anchors: list[Hit]) -> list[Hit]:
    """Names typed straight before an identifier, as in chart headers:
    "maria gonzalez dob 3/4/1950", "HOOVER, JULIE (98)", "Wilma Jähn 8102643"."""
    hits = []
    for anchor in anchors:
        left = text[max(0, anchor.start - 80) : anchor.start]
        offset = anchor.start - len(left)
        toks = list(_BACK_TOKEN_RE.finditer(left))
        i = len(toks) - 1
        while i >= 0 and (toks[i].group().lower().rstrip(".:") in _BACK_SKIP
                          or toks[i].group() in "():-,/|#"):
            i -= 1
        if i >= 0 and toks[i].group().lower().rstrip(".:#") in _BACK_STOP:
            continue
        run: list[re.Match[str]] = []
        while i >= 0 and len(run) < 4:
            tok = toks[i].group()
            if tok == "," and run and i > 0 and len(run) <= 2:
                i -= 1
                continue
            if not _WORD_RE.fullmatch(tok) or not _nameish(tok, strong=False):
                break
            run.append(toks[i])
            i -= 1
        if run:
            hits.append(Hit("NAME", offset + run[-1].start(), offset + run[0].end(), SHAPE))
    return hits


# Numbers between two runs of another script, or a postcode just before one, belong to an
# address written in that script: "대구광역시 강북구 영동대3거리 999-54 (예진김면)", "55864 대구".
_NL_NUMBER_GAP = re.compile(r"[\s,()]*\d[\d\s,/()-]*[\s,()]*")
_NL_POSTCODE_BEFORE = re.compile(r"\b\d{4,6}\s+$")


def non_latin(text: str) -> list[Hit]:
    runs = [[m.start(), m.end(), "NAME"] for m in NON_LATIN_RE.finditer(text)]
    merged: list[list] = []
    for run in runs:
        prev = merged[-1] if merged else None
        # A unit in an alphabetic script ("12 мг") is short; CJK and Hangul words of two
        # characters are whole place names ("서울").
        word_like = run[1] - run[0] >= 3 or ord(text[run[0]]) >= 0x3040
        if prev and word_like and _NL_NUMBER_GAP.fullmatch(text, prev[1], run[0]):
            prev[1], prev[2] = run[1], "ADDRESS"
            continue
        merged.append(run)
    for run in merged:
        before = _ends_with(_NL_POSTCODE_BEFORE, text, run[0])
        if before:
            run[0], run[2] = before.start(), "ADDRESS"
        if run[2] == "ADDRESS" and text[run[1] : run[1] + 1] == ")":
            run[1] += 1  # "(예진김면)": the closing bracket of the last part
    return [Hit(kind, s, e, STRONG) for s, e, kind in merged]


_LOWER_FIRST_RE = re.compile(r"\b(?P<first>[a-z][a-z'-]+)\s+(?P<last>[a-z][a-z'-]+(?:-[a-z]+)?)\b")


def lower_first_last(text: str) -> list[Hit]:
    """"maria gonzalez": a known given name followed by a non-word, in lower case."""
    hits = []
    for m in _LOWER_FIRST_RE.finditer(text):
        if m.group("first") in FIRST_NAMES and _nameish(m.group("last"), strong=False):
            hits.append(Hit("NAME", m.start(), m.end(), SHAPE))
    return hits


_SEGMENT_END = re.compile(r"\s*(?:[,;|/)]|\.(?:\s|$)|\s-\s|$)")
_SEP_RE = re.compile(r"\s*(?:[,/|:;-]\s*)?")


def names_after(text: str, anchors: list[Hit]) -> list[Hit]:
    """A segment that is only a name, right after an identifier: "DL# X1234567, Daisy
    Watkins, enoxaparin …", "cell 555-0143. stacy robinson, lithium"."""
    hits = []
    for anchor in anchors:
        m = re.match(r"\s*(?:[,/|:;.-]\s*)?(?:(?:no\s+)?just\s+\w+\.\s*)?", text[anchor.end :])
        pos = anchor.end + (m.end() if m else 0)
        tokens = list(_WORD_RE.finditer(text[pos : pos + 80]))
        contiguous = []
        for t in tokens:
            gap = text[pos + (contiguous[-1].end() if contiguous else 0) : pos + t.start()]
            if contiguous and not re.fullmatch(r"\s+|,\s*", gap):
                break
            if not contiguous and t.start() != 0:
                break
            contiguous.append(t)
        span = _name_run(text, pos, contiguous[:4], strong=False)
        if span and span[1] - span[0] > 2 and _SEGMENT_END.match(text, span[1]):
            hits.append(Hit("NAME", *span, SHAPE))
    return hits


_PERSON_NEXT_RE = re.compile(
    r"(?i:['’]s\b|\s+(?:lives|living|resides|says|said|called|texted|wants|asked|is\s+in"
    r"|fell|asks|consented|refuses|refused|declined|reports|complains|is\s+back"
    r"|in\s+(?:rm|room|bed|bay|pod|icu|\d)|\(|is\s+\d|is\s+\(|was\s+seen|dob\b|born\b"
    # What a person has, got or did ("if fras got morphine", "roommate musa found pt down")
    r"|(?:has|had|got|brought|found|drove|is\s+(?:hcp|poa))\b)"
    # A credential after a signature ("thx - chigozie rn", "r church, PharmD")
    r"|,?\s+(?:rn|lpn|np|md|pharmd|rph|cna|pa-c|aprn|crna|dnp)\b"
    # Age and sex after a name, as sign-out rows write them ("volk 52 y M", "hagen, 28F")
    r"|[\s,|]+\d{1,3}\s*(?:y/o|yo|yrs?|y)?\s*/?\s*[mf]\b)"
)
_RUN_LEFT_RE = re.compile(
    rf"(?:^|[.;:|,(\-–—]\s*|\s)((?:{_ANY_NAME_TOKEN}[\s,]+){{0,3}}{_ANY_NAME_TOKEN})$"
)


def names_as_subject(text: str) -> list[Hit]:
    """A run of name-like words directly before what people do or have: "maurizio correr
    lives at", "joseph in room 3a", "ewelina żero's na 145", "HOOVER, JULIE (98)"."""
    hits = []
    for m in _PERSON_NEXT_RE.finditer(text):
        left = _RUN_LEFT_RE.search(text[max(0, m.start() - 60) : m.start()])
        if not left:
            continue
        base = max(0, m.start() - 60) + left.start(1)
        tokens = list(_WORD_RE.finditer(left.group(1)))[::-1]
        run = []
        for t in tokens:
            if t.group().lower() in PARTICLES and run:
                run.append(t)
                continue
            if not _nameish(t.group(), strong=False):
                break
            run.append(t)
        while run and run[-1].group().lower() in PARTICLES:
            run.pop()
        aside = m.group().strip() == "("
        if run and all(
            t.group().islower() and t.group().lower() in ENGLISH
            and not is_given(t.group(), words_too=not aside)
            for t in run
        ) and (not aside or not text[m.end() : m.end() + 1].isdigit()):
            # "how long (aspiration)", "the ID band says": lower-case ordinary words before
            # an aside or a verb are a noun phrase ("penny in bay 18" is still a person:
            # a given name; "(92)" after them is still an age).
            continue
        if run:
            s, e = base + run[-1].start(), base + run[0].end()
            if _next_word(text, e) not in EPONYM_NEXT:
                hits.append(Hit("NAME", s, e, SHAPE - 0.05))
    return hits


_INITIAL = r"(?<!\w)[^\W\d_]\."


_DATE_WORD_RE = re.compile(
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|today|tomorrow|yesterday"
)
_INTERJECTIONS = frozenset(
    "hey hi hello sorry thanks thx ty ok okay yes no well so pls please q quick curbside fyi"
    " also and but or re".split()
)


def _proper_noun(token: str, name: str) -> bool:
    """A capitalised ordinary word written like the name it touches is part of it:
    "Horacio Cross", "Lynn Child", "CHILD, JOHN", "Little, Carlos" (but not "Wells score"
    or a drug, and "Sorry, John" keeps its "Sorry")."""
    word = token.rstrip(".")
    low = word.lower()
    if len(word) < 3 or low in _INTERJECTIONS or _is_drug(low) or low in EPONYM_NEXT:
        return False
    if _DATE_WORD_RE.fullmatch(low):
        return False  # "Gonzalez June 3 1950": the month starts the date, not the name
    if word.isupper():
        return name.isupper() and len(word) >= 4 and low not in NOT_NAME - COMMON
    return word[0].isupper() and not name.isupper() and any(c.isupper() for c in name[:1])


_BARE_INITIAL_AFTER = re.compile(r" ([^\W\d_])(?=\s*(?:[,;|)]|$|\s[-–—]\s))")


def grow(text: str, hits: list[Hit]) -> list[Hit]:
    """Extend each name over an adjacent initial ("F. Warmer", "Andrew B.") and over the
    other half of "LAST, FIRST" or a mixed-script name ("Олимпий Hill")."""
    grown = []
    for h in hits:
        if h.kind != "NAME":
            continue
        s, e = h.start, h.end
        name = text[s:e]
        left = re.search(rf"(?:{_INITIAL}|({_ANY_NAME_TOKEN})(,?))\s+$", text[max(0, s - 30) : s])
        if left and (
            left.group(1) is None
            or (
                (_same_case(left.group(1), name) or left.group(1).isupper())
                and _nameish(left.group(1), strong=True)
            )
            or (left.group(2) and _proper_noun(left.group(1), name))
            or (
                not left.group(2)
                and left.group(1).lower() not in _WORD_GIVEN_STOP
                and is_given(left.group(1), words_too=True)
            )
        ):
            s -= len(left.group())
        right = re.match(
            rf"\s*(?:\s{_INITIAL}(?!\w)|(,\s*)?\s({_ANY_NAME_TOKEN})(?![\w.]))", text[e:]
        )
        bare = _BARE_INITIAL_AFTER.match(text, e)
        style = _case(name.split())
        if bare and len(name) > 2 and style and bare.group(1).islower() == (style == "lower"):
            e = bare.end()  # "Patsy P;", "ebuka n |": a surname's initial without its stop
        elif right and (right.group(2) is None or (
            _same_case(right.group(2), name)
            and (
                _nameish(right.group(2), strong=not right.group(1))
                or (not right.group(1) and _proper_noun(right.group(2), name))
            )
            and _next_word(text, e + right.end())
            not in EPONYM_NEXT
        )):
            e += right.end()
        if (s, e) != (h.start, h.end):
            grown.append(Hit("NAME", s, e, h.score))  # same score: the longer reading wins
    return grown


def _same_case(token: str, name: str) -> bool:
    """A name grows only over a word written like it: "John Smith croup" keeps "croup"
    ("John Smith" is title case, "croup" lower case), "maria gonzalez lopez" grows."""
    written = _case(name.split())
    return not written or _case([token]) == written


_LF_TOKEN = rf"(?:{_ANY_NAME_TOKEN})"
# A lookahead, so that "Hi Carlo, re Martínez, Rocío" tries "Martínez, Rocío" too after
# "Carlo, re Martínez" (a greeting, not a name) has been tried.
LAST_FIRST_RE = re.compile(
    rf"(?<![\w.])(?=(?P<v>(?P<last>{_LF_TOKEN}),[ ]?(?P<first>{_LF_TOKEN}(?:[ ]{_LF_TOKEN})?))"
    rf"(?![\w'’-]))"
)


def _case(tokens: list[str]) -> str:
    """'upper', 'title' or 'lower' when every token is written that way, else ''."""
    letters = [t.rstrip(".") for t in tokens]
    if all(t.isupper() for t in letters):
        return "upper"
    if all(t[0].isupper() and (len(t) == 1 or not t[1:].isupper()) for t in letters):
        return "title"
    return "lower" if all(t.islower() for t in letters) else ""


def last_first(text: str) -> list[Hit]:
    """Chart-style "LAST, FIRST" ("PARKER, IDA", "Cohen, Joshua", "vũ, john").

    Both halves must be written in one case and hold no clinical or everyday word; upper
    case (how charts print names) is enough on its own when a half is a known given name
    or longer than an abbreviation; title case when no half is a clinical word; lower case
    (how lists of findings are typed) only with a known given name or a surname shape, so
    "fever, cough" or "wells, centor" stay.
    """
    hits = []
    for m in LAST_FIRST_RE.finditer(text):
        value = m.group("v")
        hit = _last_first_hit(text, m.start(), value) or _last_first_hit(
            text, m.start(), value.rsplit(" ", 1)[0] if " " in m.group("first") else ""
        )  # "COOK, JEFFERY ninety-three": retry without the second given name
        if hit:
            hits.append(hit)
    return hits


def _last_first_hit(text: str, start: int, value: str) -> Hit | None:
    value = re.sub(r"['’]s$", "", value)  # "SANTANA, FRANCISCO's LDL"
    if "," not in value:
        return None
    tokens = _WORD_RE.findall(value)
    style = _case(tokens)
    end = start + len(value)
    if style and _given_after_comma(tokens, style) and _next_word(text, end) not in EPONYM_NEXT:
        return Hit("NAME", start, end, SHAPE)
    if not style or tokens[0].endswith(".") or not all(
        _nameish(t, strong=False)
        or (style == "upper" and t.lower() not in EPONYMS and _nameish(t, strong=True))
        for t in tokens
    ):
        return None
    lows = [t.lower().rstrip(".") for t in tokens]
    given = any(w in FIRST_NAMES for w in lows)
    shaped = any(SURNAME_RE.fullmatch(t.capitalize()) for t in tokens)
    if style == "upper":
        ok = given or any(len(w) >= 5 for w in lows)
    else:
        ok = given or shaped or style == "title"
    if ok and _next_word(text, start + len(value)) not in EPONYM_NEXT:
        return Hit("NAME", start, start + len(value), SHAPE)
    return None


def _given_after_comma(tokens: list[str], style: str) -> bool:
    """"rich, ottokar", "Lyme, Katy", "PARKER, IDA": a known given name after the comma
    vouches for a surname before it that is an ordinary word or an eponym (never a clinical
    abbreviation or drug: "fever, ottokar" is not a list of findings)."""
    last, given = tokens[0], tokens[1:]
    if not given or not is_given(given[0], words_too=style != "lower"):
        return False
    if not all(is_given(t, words_too=True) or re.fullmatch(r"\w\.", t) for t in given[1:]):
        return False  # "CHAMBERS, LILIANA MAP 97": the lab is not a middle name
    if style == "lower":
        return _initial_surname_ok("a", last)
    return _initial_surname_ok("A", last.capitalize())


SURNAME_GIVEN_RE = re.compile(
    rf"(?<![\w.-])(?P<last>[{_UP}]{{3,}}(?:-[{_UP}]{{2,}})?)\s+"
    rf"(?P<first>[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?)(?=['’]s\b|[^\w'’-]|$)"
)


def surname_given(text: str) -> list[Hit]:
    """European chart order, surname in capitals: "HESS John", "CINTRÓN Susana".

    The capitals are the evidence, so the surname may be an ordinary or eponymous word
    ("LYME Philip", "CHILD Ángela"); it must not be a clinical abbreviation or drug, and
    the given name must be a known one or read as a name.
    """
    hits = []
    for m in SURNAME_GIVEN_RE.finditer(text):
        last, first = m.group("last"), m.group("first")
        low = last.lower()
        if low in NOT_NAME - COMMON or _is_drug(low) or low in EPONYM_NEXT or low in _SCORES:
            continue  # "HEART Pathway" is a score
        if not any(c in "AEIOUYÀÁÂÃÄÅÆÈÉÊËÌÍÎÏÒÓÔÕÖØÙÚÛÜÝ" for c in last):
            continue  # "NSTEMI", "CXR": abbreviations rarely hold vowels throughout
        given = first.lower() in FIRST_NAMES
        if (given or (_nameish(first, strong=False) and len(last) >= 4)) and (
            _next_word(text, m.end()) not in EPONYM_NEXT
        ):
            hits.append(Hit("NAME", m.start(), m.end(), SHAPE))
    return hits


# Large lexicons (privacy/build_name_lexicons.py): given names from the US Census and an
# international name dictionary, ordinary English words, and surnames that are words.
ENGLISH = clinical_terms.ordinary_words()
WORD_SURNAMES = words("word_surnames")
_CLINICAL = NOT_NAME | BRANDS | ORGANISMS | COMMON | DISEASE_WORDS | INSTITUTION
# A given name that is also an ordinary word ("hope", "will") counts only where the short
# curated list vouches for it ("john", "maria", "mark").
GIVEN = ((words("given_names") - ENGLISH) | FIRST_NAMES) - _CLINICAL
GIVEN_ANY = words("given_names") - _CLINICAL


def never_a_name_alone(low: str) -> bool:
    """An ordinary English word that no list knows as a given name or a surname ("results",
    "suite", "versed"), or a slip of one ("ptaient"): capitalised, it opens a sentence or
    labels a field; it is no person by itself."""
    if low in ENGLISH:
        return low not in GIVEN_ANY and low not in WORD_SURNAMES
    return _slip_of_a_known_word(low)


def is_given(token: str, *, words_too: bool = False) -> bool:
    """A known given name ("tymoteusz", "Camila", "józef"); ``words_too`` also accepts those
    that are ordinary words ("Hope", "Will"), for text whose capitals mark a name."""
    low = token.lower()
    pool = GIVEN_ANY if words_too else GIVEN
    return (low in pool or _fold(low) in pool) and not _is_drug(low)


def _surname_ok(token: str) -> bool:
    """Could ``token`` be a surname after a known given name?  Unknown words are ("benthin",
    "olowokeere-faloye"), ordinary words only when they are common surnames ("bell",
    "little") or given names ("anneke gina"), clinical words never."""
    low = re.sub(r"['’]s$", "", token.lower())
    if len(low) < 2 or not _nameish(token, strong=True) or low in _CLINICAL:
        return False
    if _DATE_WORD_RE.fullmatch(low) or low in _LOWER_STOP:
        return False
    parts = [p for p in re.split(r"['’-]", low) if p]
    return all(
        p not in ENGLISH or p in WORD_SURNAMES or p in GIVEN or p in EPONYMS for p in parts
    )


_PAIR_TOKEN = r"[^\W\d_][^\W\d_]*(?:['’-][^\W\d_]+)*"
# A middle initial ("susan m sweet", "Irja M. Crane") or name particles ("Colette ter
# Vaillancourt", "gülağa bin rövşənov") may stand between the given name and the surname.
_PARTICLE_ALT = (
    r"(?i:van\s+der|van\s+den|de\s+la|de\s+los|van|von|der|den|de|del|della|di|da|dos|das"
    r"|du|la|le|ter|ten|bin|bint|ibn|abu|al|el)"
)
GIVEN_SURNAME_RE = re.compile(
    rf"(?<![\w'’.-])(?=(?P<v>(?P<first>{_PAIR_TOKEN})\s+"
    rf"(?:(?P<mid>[^\W\d_])\.?\s+|(?P<part>{_PARTICLE_ALT})\s+)?"
    rf"(?P<last>{_PAIR_TOKEN}))(?![\w'’-]|\.\w))"
)


def _eponym_reading(text: str, end: int, last: str) -> bool:
    """"Austin Flint murmur", "Charles Bonnet syndrome": a pair whose last word is an eponym
    or an ordinary word, followed by "murmur", "score", "sign" …, names a finding."""
    low = re.sub(r"['’]s$", "", last.lower())
    return (low in EPONYMS or low in ENGLISH) and _next_word(text, end) in EPONYM_NEXT


# Modal verbs and months are given names too ("Will", "May", "June"); in lower case they are
# never taken as the first half of a name.
_WORD_GIVEN_STOP = frozenset("will may can june april august march".split())
# Where a bare pair of unknown words may begin: the start of a line or segment, or a word
# that introduces a person.
_PAIR_LEFT_RE = re.compile(
    r"(?:^|[-–—,;:|(/]|\.|\b(?:for|with|by|re|saw|seen|see|pt|patient|called|call|tell|told"
    r"|ask|asked|about|and|via|from|to|cc|per))\s*$",
    re.I,
)


def _unknown_word(token: str) -> bool:
    """A word no lexicon explains (not English, clinical, a drug or a place): in an English
    question two of them together are usually a foreign name ("gbowoade oyadiran")."""
    low = re.sub(r"['’]s$", "", token.lower())
    parts = [p for p in low.split("-") if p]
    return (
        len(low) >= 3
        and any(len(p) >= 4 for p in parts)
        and all(p not in ENGLISH and p not in EPONYMS and p not in CLINICAL_WORDS for p in parts)
        and not _slip_of_a_known_word(low)
        and _surname_ok(token)
        and re.search(r"[aeiouyà-ÿ]", _fold(low)) is not None
        and not _MEDICAL_SUFFIX.search(low)
        and low not in STATE_NAMES
        and low not in COUNTRIES
    )


@lru_cache(maxsize=8192)
def _slip_of_a_known_word(low: str) -> bool:
    """A typo of an ordinary word or a drug ("antidepressent", "ibuprofin", "canadain"):
    unknown to every list, yet not a foreign name."""
    # Short words are often one letter from some English word ("jeet", "jet"): only
    # longer ones are read as slips.
    return len(low) >= 7 and low.isalpha() and clinical_terms.one_slip_from(
        low, ENGLISH, clinical_terms.drug_names())


def given_surname(text: str) -> list[Hit]:
    """A known given name followed by a surname, in any case: "stacy robinson",
    "Ennio Tarantino", "tymoteusz graves", "ryan bell", "hope walton".

    Both words are written alike (lower, title or upper case).  In lower case a given name
    that is also an ordinary word ("hope") needs a surname no word list knows ("walton"),
    and modal verbs never start a name ("will recheck"); with capitals any given name may.
    Two eponyms together are a place or a sign ("Ann Arbor"), and a word such as "murmur"
    after the pair makes it an eponym ("Austin Flint murmur").  Two unknown words together
    at the start of a segment or after "for"/"with"/"pt" are a name as well ("jeet sekhon").
    """
    hits = []
    for m in GIVEN_SURNAME_RE.finditer(text):
        first, last, mid = m.group("first"), m.group("last"), m.group("mid")
        style = _case([first, last] + ([mid] if mid and style_of_initial(mid) else []))
        if not style or len(first) < 3 or _ends_with(_ARTICLE_BEFORE_RE, text, m.start("v")):
            continue  # "chewed a lilly leaf": an article opens a noun phrase, not a name
        if mid and mid.lower() in ("a", "i") and style == "lower":
            continue  # "gave maria a dose": the article or pronoun is no initial
        if m.group("part") and not _same_particle_case(m.group("part"), style):
            continue
        if _eponym_reading(text, m.end("v"), last):
            continue
        if is_medical_token(first) and is_medical_token(last):
            continue
        joined = bool(mid or m.group("part"))
        if joined and _next_word(text, m.end("v")) in EPONYM_NEXT:
            continue  # "Cornelia de Lange syndrome", "Jean-Martin Charcot joint"
        if joined and (is_given(first, words_too=True) or _unknown_word(first)) and (
            first.lower() not in _WORD_GIVEN_STOP and not is_medical_token(first)
        ):
            # An initial or a particle between two name-like words is the structure of a
            # full name ("hilario m olmedo", "Olov da Olsson"), whatever the words are.
            ok = _surname_ok(last) and not _is_drug(last.lower())
        elif is_given(first, words_too=style != "lower"):
            ok = _surname_ok(last)
            if ok and is_medical_token(first):  # "san francisco syncope", "ann arbor"
                low = last.lower()
                ok = low in WORD_SURNAMES or low in GIVEN or bool(
                    SURNAME_RE.fullmatch(last.capitalize())
                ) or (_unknown_word(last) and low not in EPONYMS)  # "GRAHAM MATTHEWS"
        elif style == "lower" and is_given(first, words_too=True):
            # An ordinary word opens a lower-case name only after a word that introduces a
            # person ("for hope okonkwo"): "first line pressor" is shorthand, not a person.
            ok = first.lower() not in _WORD_GIVEN_STOP and _unknown_word(last) and (
                first.lower() not in ENGLISH
                or bool(_ends_with(_PAIR_LEFT_RE, text, m.start("v"))))
        else:
            ok = (
                _unknown_word(first)
                and _unknown_word(last)
                and bool(_ends_with(_PAIR_LEFT_RE, text, m.start("v")))
            ) or (not joined and _surname_given_order(text, m, style))
        if ok:
            hits.append(Hit("NAME", m.start("v"), m.end("v"), SHAPE))
    return hits


def style_of_initial(initial: str) -> bool:
    """A letter used as an initial counts toward the pair's case ("Irja M Crane" is title
    case, "susan m sweet" lower); a script without case ("ক") does not."""
    return initial.lower() != initial.upper()


def _same_particle_case(particle: str, style: str) -> bool:
    """Particles are lower case inside a capitalised name ("Olov da Olsson") and in an
    all-lower one; in capitals they are capitals ("DE LA CRUZ")."""
    return particle.isupper() if style == "upper" else particle.islower()


def _surname_given_order(text: str, m: re.Match[str], style: str) -> bool:
    """Surname first, as sign-out lists and wristbands print it: "brown cynthia",
    "Hellgren Maria", "pop elena".  The second word must be a known given name that is no
    ordinary word (with capitals, any given name) and the first a possible surname; the
    pair must stand where a person is introduced or end its segment."""
    first, last = m.group("first"), m.group("last")
    if not is_given(last, words_too=style != "lower") or last.lower() in _WORD_GIVEN_STOP:
        return False
    if not _surname_ok(first) or is_given(first) or is_medical_token(first):
        return False
    if style == "lower" and first.lower() in ENGLISH and first.lower() not in WORD_SURNAMES:
        return False  # "new maria": an ordinary word before a given name is no surname
    return bool(_ends_with(_PAIR_LEFT_RE, text, m.start("v"))) or bool(
        _SEGMENT_END.match(text, m.end("v"))
    )


# Two capitals before a surname are a person's initials ("CG Patterson", "KK Hult");
# abbreviations before a drug or an ordinary word ("MS Contin", "GI cocktail") are not.
INITIALS_SURNAME_RE = re.compile(
    rf"(?<![\w.'’-])(?P<v>(?P<i>[{_UP}]{{2}})\s+(?P<last>[{_UP}][{_LO}]+(?:['’-][{_UP}]?[{_LO}]+)*))"
    rf"(?![\w'’-]|\.\w)"
)


def initials_surname(text: str) -> list[Hit]:
    hits = []
    for m in INITIALS_SURNAME_RE.finditer(text):
        last, initials = m.group("last"), m.group("i")
        low = last.lower()
        if _is_drug(low) or is_medical_token(last) or not _surname_ok(last):
            continue
        if low in ENGLISH and low not in WORD_SURNAMES:
            continue  # "ED Visit", "DC Summary"
        if initials.lower() in _SCORES or _eponym_reading(text, m.end("v"), last):
            continue
        if initials[0] == initials[1] and initials in ("II", "IV", "XX"):
            continue
        hits.append(Hit("NAME", m.start("v"), m.end("v"), SHAPE))
    return hits


_ARTICLE_BEFORE_RE = re.compile(r"\b(?i:a|an|the|this|that|each|every|some|any)\s+$")
_INITIAL_NAME_RE = re.compile(
    rf"(?<![\w.])(?P<v>(?P<i>[^\W\d_])\.\s?(?P<last>{_PAIR_TOKEN}))(?![\w'’-]|\.\w)"
)
# Lookahead: "by R. Hale" must not hide "R. Hale" from the pattern above.
_NAME_INITIAL_RE = re.compile(
    rf"(?<![\w.'’-])(?=(?P<v2>(?P<first>{_PAIR_TOKEN})\s(?P<i2>[^\W\d_])\.)(?!\w))"
)


def _initial_surname_ok(initial: str, word: str) -> bool:
    low = re.sub(r"['’]s$", "", word.lower())
    if len(low) < 3 or _is_drug(low) or low in ORGANISMS or (word.isupper() and len(word) > 1):
        return False
    if initial.isupper() != word[0].isupper():
        return False
    if re.search(r"(?:ii|ae|us|um|is|ans|oides|ensis)$", low):
        return False  # a species: "S. aureus", "T. pallidum", "C. albicans"
    if initial.isupper():  # "R. Ward", "B. Little": the capitals mark a name
        return (
            low not in NOT_NAME - COMMON
            and low not in _LOWER_STOP
            and low not in _INTERJECTIONS
            and not _DATE_WORD_RE.fullmatch(low)
        )
    return _surname_ok(word)


def initial_names(text: str) -> list[Hit]:
    """An initial with a surname ("j. griffin", "R. Ward's") or a given name with an initial
    ("rachel l.", "Adriana C."), written alike; "e. coli", "S. aureus", "a.m." stay."""
    hits = []
    for m in _INITIAL_NAME_RE.finditer(text):
        word = m.group("last")
        if _initial_surname_ok(m.group("i"), word) and not _eponym_reading(
            text, m.end("v"), word
        ):
            end = m.end("v") - (2 if re.search(r"['’]s$", word) else 0)
            hits.append(Hit("NAME", m.start("v"), end, SHAPE))
    for m in _NAME_INITIAL_RE.finditer(text):
        first, initial = m.group("first"), m.group("i2")
        if initial.isupper() == first[0].isupper() and is_given(first) and len(first) >= 3:
            hits.append(Hit("NAME", m.start("v2"), m.end("v2"), SHAPE))
    return hits


_SCORED_RE = re.compile(r"(?:-\d+)?\s*[:=]?\s*\d")


def yield_to_scores(text: str, hits: list[Hit]) -> list[Hit]:
    """A score or eponym with its value after it ("Centor 3", "Glasgow 14", "curb-65 0") is
    the question's content even when it touches a name ("Jeanette J Page Centor 3"): a name
    ends before such a word, and a name that is only such a word is dropped."""
    out = []
    for h in hits:
        if h.kind == "NAME" and h.score < STRONG:  # after a title it is a surname: "Sr. Hunt: 25"
            tokens = list(_TOKEN_RE.finditer(text, h.start, h.end))
            while tokens:
                low = _fold(tokens[-1].group().lower())
                scored = low in _SCORES or low in EPONYMS or any(
                    s.startswith(low + "-") for s in _SCORES if s[:1] == low[:1])
                if not (scored and _SCORED_RE.match(text, tokens[-1].end())):
                    break
                tokens.pop()
            if not tokens:
                continue
            end = h.start + len(text[h.start : tokens[-1].end()].rstrip(" ,-"))
            h = Hit(h.kind, h.start, end, h.score)
        out.append(h)
    return out
