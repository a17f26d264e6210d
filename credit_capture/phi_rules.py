"""Regex rules and lexicons behind :mod:`credit_capture.phi`.

Kept apart from the presidio wiring so the rules can be read, tested and tuned on
their own. Everything here is pure ``re`` on the raw string: no model, no I/O, so the
rules-only scrubber stays fast and deterministic.

Design choices, and why:

* Identifiers with a label in front ("MRN", "DOB", "member ID", "SSN") are matched by
  label, because clinicians paste them that way and the label removes all doubt.
  Shape-only rules (phone, SSN, dates, IPs, long ID-like tokens) back them up, with
  lower scores so a labelled reading wins an overlap.
* Clinical values look like identifiers ("BP 120/80", "3/4 NS", "K 6.8", "72yo",
  "ATS/IDSA 2019"), so every shape rule is narrowed to what those cannot be: dates
  need a year or a month name, ages are only scrubbed above 89 (HIPAA safe harbour),
  addresses need a street suffix, a zip code or a city followed by a state.
* Names come from three sources: titles ("Mrs. Park"), cue words ("patient",
  "daughter", "name is") and a first-name lexicon here, plus spaCy PERSON entities
  filtered by :func:`person_span`.  Medical eponyms ("Bell's palsy", "Wells score",
  "Graves disease") and drug names are what spaCy's small model mislabels most, hence
  the allow-lists below.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Hit(NamedTuple):
    """A rule match; ``score`` ranks it against overlapping matches."""

    kind: str
    start: int
    end: int
    score: float


LABELLED, STRONG, SHAPE, WEAK = 0.95, 0.85, 0.75, 0.5

PLACEHOLDER_RE = re.compile(
    r"\[(?:NAME|MRN|DOB|DATE|AGE>89|PHONE|EMAIL|ADDRESS|SSN|MEMBER_ID|URL|IP)\]"
)


def _words(blob: str) -> frozenset[str]:
    return frozenset(blob.lower().split())


# Eponyms and score/rule names that spaCy tags as PERSON/GPE/ORG. Lower-case tokens;
# hyphenated eponyms are split on "-" before lookup.
EPONYMS = _words("""
    addison adson alport alvarado alzheimer apgar apley argyll arnold asperger
    babinski barlow barre bartholin bartter battle beers bell
    berger blatchford boerhaave bouchard bowen brudzinski brugada budd
    buerger burkitt canadian caprini centor chagas charcot chediak cheyne chiari
    child chvostek colles conn cooley cockcroft coombs cori corrigan courvoisier crigler
    crohn cullen curling cushing dandy de dequervain dix down dressler dubin duchenne
    duke dupuytren durozier eaton ebstein ehlers ellison epley erb fabry
    fallot fanconi felty finkelstein fitz fleischner forrester fournier framingham
    friedreich gail galeazzi gault gaucher geneva glanzmann glasgow
    gleason goodpasture gottron graves grey guillain hallpike hamman hampton
    hartmann hashimoto heberden hegar henoch hirschsprung hodgkin homan homans horner
    huntington hurler jaccoud janeway jarisch job kaposi kartagener
    kawasaki kayser kehr kernig killip klinefelter kleihauer klumpke koplik korsakoff
    krukenberg kussmaul lachman landau langerhans legg leriche lesch levine
    libman light lisfranc lown ludwig lyme mallory marfan mcburney mcdonald
    mcmurray meckel meigs meniere mobitz monteggia naranjo nelson
    nikolsky noonan ortolani osgood osler ottawa padua paget pancoast parinaud parkinson
    perthes peutz phalen pick pickwickian pittsburgh plummer pott prader prinzmetal
    quincke ramsay ranson raynaud reiter reye riedel rinne rockall romberg
    rotor roux sacks salter schatzki schilling schlatter sheehan sheiner shy simmonds
    sjogren sjögren spurling stevens still sturge takayasu tanner tay
    tietze tinel tourette tozer trendelenburg trousseau virchow
    von waldenstrom wallenberg waterhouse wegener wells wernicke westermark
    whipple willebrand willis wilms wolff zenker zollinger
    ats idsa aha acc esc kdigo gold nice uspstf acog aap cdc who nccn asco ada
    stevens-johnson mallory-weiss salter-harris grey-turner marcus-gunn wolff-parkinson-white
    legg-calve-perthes henoch-schonlein sturge-weber peutz-jeghers prader-willi ehlers-danlos
    brown-sequard roux-en-y lambert-eaton jarisch-herxheimer waterhouse-friderichsen
    epstein barr nissen bonnet ringer hartmann leiden roth janeway kehr korsakoff lugol
    gram wright giemsa ziehl
    foley swan ganz bovie doppler holter valsalva heimlich sengstaken blakemore whipple
    babinski hoffmann trousseau chvostek rovsing psoas obturator mcconnell kussmaul
""")

# Bacterial/fungal/parasite genera: spaCy's small model tags them as PERSON.
ORGANISMS = _words("""
    acinetobacter actinomyces aspergillus bacillus bacteroides bartonella blastomyces
    bordetella borrelia brucella burkholderia campylobacter candida chlamydia chlamydophila
    citrobacter clostridioides clostridium coccidioides corynebacterium cryptococcus
    cryptosporidium cyclospora ehrlichia entamoeba enterobacter enterococcus escherichia
    francisella fusobacterium gardnerella giardia haemophilus helicobacter histoplasma
    kingella klebsiella legionella leishmania leptospira listeria moraxella morganella
    mucor mycobacterium mycoplasma neisseria nocardia pasteurella plasmodium pneumocystis
    proteus providencia pseudomonas rickettsia salmonella serratia shigella sporothrix
    staphylococcus staph stenotrophomonas streptococcus strep strongyloides toxoplasma
    treponema trichomonas ureaplasma vibrio yersinia coli aureus
""")
ORGANISM_SUFFIX_RE = re.compile(r"(?:coccus|cocci|bacter|bacterium|monas|myces|virus|viridae)$")

# Words after a capitalised token that make it a disease/sign/score, not a person.
EPONYM_NEXT = _words("""
    disease diseases syndrome syndromes sign signs score scores criteria criterion rule
    rules palsy triad maneuver manoeuvre test tests phenomenon reflex classification
    scale stage staging grade pattern node nodes nomogram correction equation formula
    tear fracture ulcer lymphoma thyroiditis arteritis ophthalmopathy crisis flare
    carditis arthritis workup gait foot abscess diverticulum catheter cyst nodule
    tumor tumour body bodies index protocol procedure operation murmur respirations
    breathing disorder anomaly malformation contracture deformity dementia ataxia chorea
    angina esophagus hernia criteria's list encephalopathy aneurysm block phenomenon
    prophylaxis rash vaccine spots spot lesions lesion solution wort lactate factor mutation
    deficiency pupil jaundice cells cell ring rings line lines granules effect curve law
    technique incision bag tube valve position view splint repair approach
""")

# Drug classes recognisable by suffix (generic names), plus common brand names.
DRUG_SUFFIX_RE = re.compile(
    r"(?:mab|nib|pril|sartan|olol|dipine|statin|azole|cillin|mycin|micin|floxacin|cycline"
    r"|vir|gliptin|gliflozin|glitazone|parin|xaban|gatran|prazole|tidine|setron|triptan"
    r"|lukast|terol|olone|azepam|zolam|ocaine|vacaine|profen|oxacin|glutide|tide|semide"
    r"|thiazide|dronate|codone|morphone|orphine|tropin|dipine|zepam|oxetine|pramine)$"
)
BRANDS = _words("""
    eliquis xarelto pradaxa savaysa coumadin jantoven lasix bumex paxlovid wegovy ozempic
    mounjaro zepbound trulicity victoza jardiance farxiga invokana januvia entresto lipitor
    crestor zocor plavix brilinta effient toprol lopressor coreg norvasc zestril cozaar
    diovan synthroid levoxyl tapazole glucophage lantus levemir tresiba humalog novolog
    basaglar toujeo humira remicade stelara entyvio keytruda opdivo herceptin zofran reglan
    phenergan compazine haldol seroquel zyprexa risperdal abilify ativan xanax valium
    klonopin ambien benadryl tylenol advil motrin aleve norco vicodin percocet dilaudid
    narcan suboxone keppra dilantin depakote lamictal tegretol neurontin lyrica flomax
    proscar cialis viagra zoloft prozac lexapro celexa paxil wellbutrin effexor cymbalta
    augmentin keflex bactrim cipro levaquin zithromax flagyl zosyn rocephin unasyn
    macrobid diflucan valtrex tamiflu xofluza lovenox arixtra kayexalate lokelma veltassa
    medrol decadron protonix nexium prilosec pepcid carafate miralax colace senokot
    imodium lomotil ventolin proair symbicort advair spiriva breo trelegy singulair
    flonase claritin zyrtec allegra epipen dupixent xolair aricept namenda sinemet requip
    mirapex imitrex fioricet nexplanon mirena makena rhogam pitocin cytotec methergine
    hemabate narcan vanco doxy cipro augmentin tdap gardasil shingrix prevnar
""")

# Capitalised non-name words clinicians start clauses with, and common abbreviations.
NOT_NAME = _words("""
    the a an and or but if is was has had says said asks wants please thanks hi hello
    pt pts patient patients hx dx rx tx sx fx temp trop echo vent labs lab ok no yes
    what which when how why who should can could would does do did is are may might
    mr mrs ms miss dr nurse doctor prof practitioner md do np pa rn son daughter mom dad
    mother father wife husband seen saw see call text email fax report chart visit
    admitted discharged start started stop dose dosing question q plan today tomorrow
    yesterday am pm bid tid qid prn po iv im sc sq er ed icu or ct mri cta xr echo ekg
    ecg cbc bmp cmp ua hgb hct wbc plt inr ptt bnp tsh ldl hdl crp esr pcr covid flu
    strep staph mrsa hiv hep hbv hcv tb uti dvt pe mi chf copd ckd aki dka hhs gi gu
    jan feb mar apr jun jul aug sep sept oct nov dec january february march
    july august september october november december monday tuesday wednesday thursday
    friday saturday sunday stage type class grade day week month year weeks days
    medicare medicaid aetna cigna humana kaiser blue cross shield unitedhealthcare
    emergency contact insurance member subscriber policy id mrn dob ssn
    mg na ca cl phos cr bun alb bili tbili lac lactate ammonia lipase ferritin ck ldh ast
    alt glu gluc hb plt retic lytes vanc gent tobra lithium dig iron sat sats spo2 fio2
    peep map rr bp hr sbp dbp gcs coma scale hemoccult guaiac lactated normal oxygen falls
    cap
""")

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "PR": "Puerto Rico",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
STATE_NAMES = frozenset(s.lower() for s in US_STATES.values())
# Countries stay: travel history is clinically relevant and not a safe-harbour identifier.
COUNTRIES = _words("""
    usa us america canada mexico brazil peru colombia haiti cuba guatemala india china
    japan korea vietnam philippines thailand pakistan bangladesh nigeria ghana kenya
    ethiopia somalia congo egypt israel iran iraq syria turkey russia ukraine poland
    germany france italy spain uk england ireland africa asia europe
""")

# Common given names (US census/SSA top lists across generations and communities).
# Used only in "Firstname Lastname" form, so a capitalised surname must follow.
FIRST_NAMES = _words("""
    aaron abdul abdullah abigail adam adrian ahmed aisha alan albert alejandro alex
    alexander alexandra alexis alice alicia alison amanda amber amir amy ana andre andrea
    andrew angela angelica anita ann anna anne anthony antonio april arthur ashley
    barbara benjamin betty beverly bill billy bobby bonnie brandon brenda brian brianna
    brittany bruce bryan carl carlos carmen carol caroline carolyn catherine charles
    charlotte cheng cheryl chloe chris christian christina christine christopher cindy
    claire clara connor craig crystal cynthia daniel danielle darius david dawn deborah
    debra denise dennis derek diana diane donald donna doris dorothy douglas dylan edna
    edward eleanor elena elijah elizabeth ella ellen emily emma eric erica ethan eugene
    evan evelyn fatima fernando florence frances francisco frank gabriel gabriela gary
    george gerald gina gloria grace gregory hannah harold harry heather helen henry hector
    howard hui ian irene isaac isabel isabella jack jacob jacqueline james jamal jamie jane
    janet janice jasmine jason javier jean jeffrey jennifer jeremy jerry jesse jessica
    jesus jiang joan joe joel john johnny jonathan jorge jose joseph joshua joyce juan
    judith judy julia julian julie justin kai karen katherine kathleen kathryn kayla keith
    kelly kenneth kevin kim kimberly kyle larry laura lauren lawrence leah lei li lillian
    linda lisa liu logan lois lori louis lucas lucia luis luke lydia madison malik marco
    margaret maria marie marilyn mark martha martin mary mason matthew megan mei melissa
    michael michelle miguel min ming mohammed muhammad nancy natalie nathan nicholas
    nicole noah norma olivia omar oscar pamela patricia patrick paul paula peggy peter
    philip phyllis priya rachel rafael rahul ralph ramon randy raymond rebecca regina
    richard ricardo rita robert roberto roger ronald rosa rose ruby russell ruth ryan
    samantha samuel sandra sara sarah scott sean sergio shannon sharon shirley sofia
    sophia stephanie stephen steven susan sylvia tamara tanya teresa terry thomas tiffany
    timothy tina todd tom tony tracy tyler valerie vanessa victor victoria vincent
    virginia walter wanda wayne wei william willie xavier yan yolanda yusuf zachary zoe
""")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# Latin-script letters incl. diacritics, so "Zoë Müller" and "Łukasz Nuñez" are names too.
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪİĶĹĻĽŁŃŅŇŐŒŔŘŚŞŠŢŤŪŮŰŹŻŽ"
_LO = "a-zß-öø-ÿāăąćčďđēėęěğīıķĺļľłńņňőœŕřśşšţťūůűźżž"
_NAME_TOKEN = rf"[{_UP}](?:[{_LO}]+(?:[{_UP}][{_LO}]+)?|['’][{_UP}][{_LO}]+)(?:-[{_UP}][{_LO}]+)?"
_ID_VALUE = r"(?P<v>[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){3,24})(?![\w-])"
_SEP = r"[\s:#=.]*"

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
URL_RE = re.compile(
    r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|us|info|health|care|co|app|local)"
    r"\b(?:/[^\s<>\"'\]]*)?",
    re.I,
)
IPV4_RE = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"
)
IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}(?![\w:])", re.I)

SSN_LABEL_RE = re.compile(
    r"\b(?:SSN|SS#|SS\s?no\b\.?|social\s+security(?:\s+(?:no\b\.?|number|#))?)"
    + _SEP
    + r"(?P<v>\d{3}[- ]?\d{2}[- ]?\d{4})\b",
    re.I,
)
SSN_SHAPE_RE = re.compile(
    r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])"
)

PHONE_RE = re.compile(
    r"(?<![\w(+-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"
    r"(?:,?\s*(?:ext\.?|x)\s*\d{1,5}\b)?"
)
PHONE_BARE_RE = re.compile(r"(?<![\w.,/-])(?:\+?1)?[2-9]\d{2}[2-9]\d{6}(?![\w/-]|[.,]\d)")
PHONE_LABEL_RE = re.compile(
    r"\b(?:phone|ph|tel|cell|mobile|pager|fax|call(?:back)?|text)\b"
    + _SEP
    + r"(?P<v>\d{3}[\s.-]?\d{4}|\d{1,2}-\d{4})\b",
    re.I,
)

MRN_LABEL_RE = re.compile(
    r"\b(?:MRN|MR\s?#|MR\s?no\b|med(?:ical)?\.?\s*rec(?:ord)?s?\.?(?:\s*(?:#|no\b|num(?:ber)?))?"
    r"|(?:hospital\s+)?acc(?:oun)?t\.?(?:\s*(?:#|no\b|num(?:ber)?))?|FIN|CSN"
    r"|encounter\s*(?:#|no\b|num(?:ber)?|id)|chart\s*(?:#|no\b|num(?:ber)?)"
    r"|(?:pt|patient)\.?\s*(?:id\b|#)|visit\s*(?:#|id\b)|case\s*#)" + _SEP + _ID_VALUE,
    re.I,
)
MEMBER_LABEL_RE = re.compile(
    r"\b(?:insurance|member(?:ship)?|subscriber|policy|medicaid|medicare|MBI|HICN|beneficiary)"
    r"(?:[\s:#.]+(?:member|policy|subscriber|ID|#|no\b|num(?:ber)?|card|MBI))*" + _SEP + _ID_VALUE,
    re.I,
)
MBI_RE = re.compile(
    r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
    r"[AC-HJKMNP-RT-Y]{2}\d{2}\b"
)
# Unlabelled ID-looking tokens: upper-case letters mixed with >= 5 digits, or >= 8 digits.
ALNUM_ID_RE = re.compile(
    r"(?<![\w-])(?=(?:[A-Z-]*\d){5})(?=[\d-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)*(?![\w-])"
)
LONG_NUMBER_RE = re.compile(
    r"(?<![\w.,/-])\d{8,}(?![\w/-]|[.,]\d)(?!\s*(?:copies|cells|IU|units?|/|mg|mcg|k\b))"
)

DATE_NUMERIC_RE = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|\.\d)")
DATE_ISO_RE = re.compile(
    r"(?<![\w/.-])(?:19|20)\d{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])(?![\w/-])"
)
DATE_MONTH_FIRST_RE = re.compile(
    rf"\b{_MONTH}\.?\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\b(?:,?\s+(?:19|20)\d{{2}}\b)?"
)
DATE_DAY_FIRST_RE = re.compile(
    rf"\b(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b\.?(?:,?\s+(?:19|20)\d{{2}}\b)?"
)
DOB_CUE_RE = re.compile(
    r"(?:\bDOB|\bD\.O\.B\.?|date\s+of\s+birth|\bbirth\s?date|\bbirthday|\bborn(?:\s+on)?|\bb\.)"
    r"\W{0,3}(?:is\s+|was\s+)?$",
    re.I,
)

_AGE_UNIT = r"(?:\s*-?\s*(?:years?|yrs?|y)\.?(?:\s*-?\s*old)?|\s*-?\s*y\.?/?o\b\.?|\s*-?\s*yo)"
AGE_SUFFIX_RE = re.compile(rf"\b(?P<n>\d{{2,3}}){_AGE_UNIT}(?:\s*[MF]\b)?(?![a-z])")
AGE_SEX_RE = re.compile(r"\b(?P<n>\d{2,3})\s?[MF]\b(?!°|\s*(?:fever|temp))")
AGE_PREFIX_RE = re.compile(
    r"\b(?:aged?|age\s*[:=]|age\s+of)\s*(?P<n>\d{2,3})\b(?!\s*(?:%|mg|kg|cm|mm|/)|\.\d)", re.I
)
AGE_PRONOUN_RE = re.compile(
    r"\b(?:she|he|pt|patient)\s*(?:'s|’s|\s+is|\s+was)\s+(?:now\s+)?(?P<n>\d{2,3})\b"
    r"(?!\s*(?:%|mg|kg|lbs?|cm|mm|bpm|/|weeks?|days?|months?)|\.\d)",
    re.I,
)
TEMP_CUE_RE = re.compile(r"(?:\b(?:t|tmax|temp\w*|febrile|fever\w*)\W{0,3}|°\s*)$", re.I)

_STREET_SUFFIX = (
    r"(?:(?i:street|avenue|road|boulevard|drive|lane|court|place|terrace|circle|parkway"
    r"|highway|square|trail|alley|route|pike|loop|way)|St|Ave|Rd|Blvd|Dr|Ln|Ct|Pl|Ter|Cir"
    r"|Pkwy|Hwy|Sq|Trl|Rte)"
)
STREET_RE = re.compile(
    r"\b\d{1,6}[A-Z]?\s+(?:(?:[NSEW]\.?|North|South|East|West)\s+)?"
    r"(?:(?:[A-Z][A-Za-z'-]*|\d{1,3}(?:st|nd|rd|th))\s+){1,3}"
    + _STREET_SUFFIX
    + r"\b\.?(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Fl|Floor|Rm|Room|#)\.?\s*#?\s*[A-Z0-9-]+\b)?"
    r"|\b(?i:P\.?\s?O\.?\s+Box)\s+\d+\b"
)
_STATE_ABBR = "|".join(US_STATES)
_STATE_FULL = "|".join(sorted(US_STATES.values(), key=len, reverse=True))
_CITY_WORD = r"(?!(?i:from|in|at|near|to|of|lives|resides|pt)\b)[A-Z][a-z]+"
# Lookahead so every start is tried: "St, New York" must not hide "New York, NY 10019".
CITY_STATE_RE = re.compile(
    rf"\b(?=(?P<all>(?P<city>{_CITY_WORD}(?:[ -]{_CITY_WORD}){{0,2}})(?P<comma>,?)\s+"
    rf"(?:(?P<abbr>{_STATE_ABBR})\b\.?|(?P<full>{_STATE_FULL})\b)"
    rf"(?:,?\s+(?P<zip>\d{{5}}(?:-\d{{4}})?)\b)?))"
)
ZIP_LABEL_RE = re.compile(
    r"\b(?:zip(?:\s*code)?|postal\s+code)\s*(?:is\s+|[:#]\s*)?(?P<v>\d{5}(?:-\d{4})?)\b", re.I
)
LIVES_IN_RE = re.compile(
    r"\b(?i:lives|living|resides|residing|resident|home|located)\s+(?i:in|at|near|of)\s+"
    r"(?P<v>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})"
)
LOCATION_CUE_RE = re.compile(
    r"(?:\b(?:in|from|at|of|near|to|lives|resides|living|moved|home)\s+|\b(?:Apt|Unit|Suite)"
    r"\s*\S+,\s*)$",
    re.I,
)

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
_LOWER_STOP = _words(
    "with and has had age aged after unknown unclear pending not withheld the of from on in at by"
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
INSTITUTION = _words("""
    hospital clinic center centre medical health healthcare university college county
    department pharmacy laboratory labs services group associates foundation institute
    society association board general memorial regional community st saint mount mt
    valley river lake north south east west new san los las fort port city beach heights
    park springs hills bay island street avenue road care urgent emergency medicine
    cardiology neurology oncology surgery pediatrics radiology service team unit ward
    guideline guidelines trial study review journal questions question screening tool
    society program programme network initiative task force panel committee consensus
    statement update american african asian hispanic latino latina european indian native
    pacific islander caribbean arab jewish ashkenazi
""")
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’-]*")


def _is_drug(low: str) -> bool:
    """Drug or organism name (first names like "April" are never drugs)."""
    if low in BRANDS or low in ORGANISMS:
        return True
    return low not in FIRST_NAMES and bool(
        DRUG_SUFFIX_RE.search(low) or ORGANISM_SUFFIX_RE.search(low)
    )


def is_medical_token(token: str) -> bool:
    """True for eponyms, drug names and clinical abbreviations (never a person alone)."""
    low = re.sub(r"['’]s$", "", token.lower())
    if low in NOT_NAME or low in EPONYMS or _is_drug(low):
        return True
    return all(part in EPONYMS for part in low.split("-") if part)


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
    while tokens and tokens[-1][2].lower() in NOT_NAME:
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
    r"|gestrel|sterone|platin|rubicin)$"
)


def _lone_name_ok(text: str, token: str, end: int) -> bool:
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
DISEASE_WORDS = _words("""
cancer cancers tumor tumors tumour carcinoma sarcoma syndrome syndromes disease diseases
disorder disorders deficiency anemia aneurysm aneurysms congenita intolerance childhood
infection infections fever palsy failure injury injuries stroke attack ulcer ulcers stones
allergy allergies dystrophy atrophy sclerosis gland glands kidney kidneys liver lung lungs
heart brain bone bones skin blood eye eyes ear ears nerve nerves muscle muscles spine
pain headache migraine asthma diabetes obesity hepatitis influenza pneumonia arthritis
""")


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
    if cue == "ner" and len(tokens) == 1 and not _lone_name_ok(text, tokens[0], e):
        return None
    if cue == "ner" and any(t.lower() in INSTITUTION or _is_drug(t.lower()) for t in tokens):
        return None
    if cue == "ner" and looks_like_disease(tokens):
        return None
    return s, e


def _is_title_word(token: str) -> bool:
    """ "Springfield" yes; "HBsAg", "ACS", "PCV20", "lyme" no."""
    return token[0].isupper() and not any(c.isupper() or c.isdigit() for c in token[1:])


def location_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep a spaCy GPE/LOC as PHI only when it reads as a home town or address.

    Disease names ("Lyme"), rule names ("Ottawa", "Canadian"), states and countries
    are left alone; a city counts when a residence cue precedes it or a state follows.
    """
    value = text[start:end].strip()
    tokens = _TOKEN_RE.findall(value)
    low = value.lower()
    if not tokens or low in STATE_NAMES or low in COUNTRIES or value in US_STATES:
        return None
    if any(is_medical_token(t) or not _is_title_word(t) for t in tokens):
        return None
    if re.search(r"\d", value) or _next_word(text, end) in EPONYM_NEXT:
        return None
    followed_by_state = re.match(rf",?\s+(?:{_STATE_ABBR}|{_STATE_FULL})\b", text[end:])
    if followed_by_state or LOCATION_CUE_RE.search(text[max(0, start - 25) : start]):
        return start, end
    return None


def _age_ok(match: re.Match[str]) -> bool:
    return 90 <= int(match.group("n")) <= 125


def _date_ok(m: re.Match[str]) -> bool:
    a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
    if len(year) == 2 and m.group(2) == ".":
        return False
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def _iter_dates(text: str):
    for m in DATE_NUMERIC_RE.finditer(text):
        if _date_ok(m):
            yield m.start(), m.end()
    for rx in (DATE_ISO_RE, DATE_MONTH_FIRST_RE, DATE_DAY_FIRST_RE):
        for m in rx.finditer(text):
            yield m.start(), m.end()


def _names(text: str, out: list[Hit]) -> None:
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


def _addresses(text: str, out: list[Hit]) -> None:
    streets = [(m.start(), m.end()) for m in STREET_RE.finditer(text)]
    out += [Hit("ADDRESS", s, e, STRONG) for s, e in streets]
    for m in CITY_STATE_RE.finditer(text):
        city_s = m.start("city")
        if m.group("zip"):
            out.append(Hit("ADDRESS", city_s, m.end("all"), STRONG))
            continue
        if not m.group("comma") or is_medical_token(m.group("city")):
            continue
        after_street = any(0 <= city_s - e <= 3 for _, e in streets)
        if after_street or LOCATION_CUE_RE.search(text[max(0, city_s - 25) : city_s]):
            out.append(Hit("ADDRESS", city_s, m.end("all"), SHAPE))
    for m in ZIP_LABEL_RE.finditer(text):
        out.append(Hit("ADDRESS", m.start("v"), m.end("v"), LABELLED))
    for m in LIVES_IN_RE.finditer(text):
        city = m.group("v")
        if (
            city.lower() not in STATE_NAMES
            and city.lower() not in COUNTRIES
            and not is_medical_token(city)
        ):
            out.append(Hit("ADDRESS", m.start("v"), m.end("v"), SHAPE))


def _ages(text: str, out: list[Hit]) -> None:
    for rx in (AGE_SUFFIX_RE, AGE_PREFIX_RE):
        out += [Hit("AGE>89", m.start(), m.end(), STRONG) for m in rx.finditer(text) if _age_ok(m)]
    for m in AGE_SEX_RE.finditer(text):
        if _age_ok(m) and not TEMP_CUE_RE.search(text[max(0, m.start() - 12) : m.start()]):
            out.append(Hit("AGE>89", m.start(), m.end(), SHAPE))
    for m in AGE_PRONOUN_RE.finditer(text):
        if _age_ok(m):
            out.append(Hit("AGE>89", m.start("n"), m.end("n"), SHAPE))


def _has_digits(value: str, n: int) -> bool:
    return sum(c.isdigit() for c in value) >= n


def rule_hits(text: str) -> list[Hit]:
    """All regex/lexicon matches in ``text``, overlapping; the caller resolves overlaps."""
    out: list[Hit] = []
    out += [Hit("EMAIL", m.start(), m.end(), LABELLED) for m in EMAIL_RE.finditer(text)]
    for m in URL_RE.finditer(text):
        end = m.end() - len(m.group()) + len(m.group().rstrip(".,;:!?)"))
        out.append(Hit("URL", m.start(), end, STRONG))
    out += [Hit("IP", m.start(), m.end(), STRONG) for m in IPV4_RE.finditer(text)]
    out += [
        Hit("IP", m.start(), m.end(), STRONG)
        for m in IPV6_RE.finditer(text)
        if "::" in m.group() or m.group().count(":") == 7
    ]
    out += [Hit("SSN", m.start("v"), m.end("v"), LABELLED) for m in SSN_LABEL_RE.finditer(text)]
    out += [Hit("SSN", m.start(), m.end(), SHAPE) for m in SSN_SHAPE_RE.finditer(text)]
    out += [Hit("PHONE", m.start(), m.end(), SHAPE) for m in PHONE_RE.finditer(text)]
    out += [Hit("PHONE", m.start(), m.end(), WEAK + 0.1) for m in PHONE_BARE_RE.finditer(text)]
    out += [Hit("PHONE", m.start("v"), m.end("v"), STRONG) for m in PHONE_LABEL_RE.finditer(text)]
    for rx, kind in ((MRN_LABEL_RE, "MRN"), (MEMBER_LABEL_RE, "MEMBER_ID")):
        out += [
            Hit(kind, m.start("v"), m.end("v"), LABELLED)
            for m in rx.finditer(text)
            if _has_digits(m.group("v"), 5)
        ]
    out += [Hit("MEMBER_ID", m.start(), m.end(), STRONG) for m in MBI_RE.finditer(text)]
    out += [Hit("MEMBER_ID", m.start(), m.end(), WEAK) for m in ALNUM_ID_RE.finditer(text)]
    out += [Hit("MRN", m.start(), m.end(), WEAK) for m in LONG_NUMBER_RE.finditer(text)]
    for s, e in _iter_dates(text):
        dob = DOB_CUE_RE.search(text[max(0, s - 20) : s])
        out.append(Hit("DOB" if dob else "DATE", s, e, LABELLED if dob else SHAPE))
    _ages(text, out)
    _addresses(text, out)
    _names(text, out)
    return out
