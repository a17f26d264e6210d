"""Real-world shapes of the 18 Safe Harbor identifiers and of the clinical text that
looks like them, for the synthetic PHI set (``generate.py``).

Written from how identifiers appear in charts, faxes and chat, not from the scrubber's
rules: every filler draws one of several formats at random.  A filler returns parts
``(text, tag)`` where ``tag`` is ``("phi", KIND)``, ``("keep", KIND)`` or ``None`` (plain
text, e.g. the state in an address, which Safe Harbor does not require removing).
"""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

Part = tuple[str, tuple[str, str] | None]

MONTHS = "January February March April May June July August September October November December"
MONTHS = MONTHS.split()
ONES = "zero one two three four five six seven eight nine".split()
TENS = {9: "ninety", 10: "hundred"}


def phi(text: str, kind: str) -> list[Part]:
    return [(text, ("phi", kind))]


def keep(text: str, kind: str) -> list[Part]:
    return [(text, ("keep", kind))]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _letters(rng: random.Random, n: int, alphabet: str = string.ascii_uppercase) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _some_date(rng: random.Random, *, birth: bool = False) -> date:
    if birth:
        return date(1925, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    return date(2019, 1, 1) + timedelta(days=rng.randrange(0, 365 * 7))


# dates ----------------------------------------------------------------------------------
def date_text(rng: random.Random, *, birth: bool = False) -> str:
    """One date in a format seen in notes: US and day-first numeric, ISO, month names,
    compact, abbreviated month, ordinals."""
    d = _some_date(rng, birth=birth)
    mon, mon3 = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    yy = f"{d.year % 100:02d}"
    formats = [
        f"{d.month}/{d.day}/{d.year}",
        f"{d.month:02d}/{d.day:02d}/{d.year}",
        f"{d.month}/{d.day}/{yy}",
        f"{d.month}-{d.day}-{d.year}",
        f"{d.year}-{d.month:02d}-{d.day:02d}",
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.day}.{d.month}.{d.year}",
        f"{max(d.day, 13)}/{d.month:02d}/{d.year}",
        f"{d.year}{d.month:02d}{d.day:02d}",
        f"{d.day:02d}-{mon3}-{d.year}",
        f"{d.day}-{mon3.upper()}-{yy}",
        f"{mon} {d.day}, {d.year}",
        f"{mon} {d.day} {d.year}",
        f"{mon3} {d.day} {d.year}",
        f"{mon3}. {_ordinal(d.day)}, {d.year}",
        f"{d.day} {mon} {d.year}",
        f"{_ordinal(d.day)} {mon3} {d.year}",
        f"{mon} {d.year}" if not birth else f"{mon} {_ordinal(d.day)} {d.year}",
        f"{d.year}/{d.month:02d}/{d.day:02d}",
    ]
    return rng.choice(formats)


def date_no_year(rng: random.Random) -> str:
    """Dates typed without a year (still a date element under Safe Harbor)."""
    d = _some_date(rng)
    mon, mon3 = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    return rng.choice(
        [
            f"{mon} {d.day}",
            f"{mon3} {d.day}",
            f"{_ordinal(d.day)} {mon3}",
            f"{d.day} {mon}",
            f"{mon3} {_ordinal(d.day)}",
            f"the {_ordinal(d.day)}",
            f"{d.month}/{d.day}",
            f"{d.day}-{mon3}",
        ]
    )


def date_text_dev2(rng: random.Random, *, birth: bool = False) -> str:
    """Dates for the ``dev2`` split: half the common formats above, half spellings neither
    other split uses (ordinal day with "of", month-name in slashes, dotted ISO, unpadded
    ISO, two-digit years after an apostrophe, a weekday in front), so dev2 measures date
    structure rather than the formats the rules were written on."""
    if rng.random() < 0.5:
        return date_text(rng, birth=birth)
    d = _some_date(rng, birth=birth)
    mon, mon3 = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    yy = f"{d.year % 100:02d}"
    formats = [
        f"{_ordinal(d.day)} of {mon} {d.year}",
        f"{_ordinal(d.day)} {mon}, {d.year}",
        f"{mon} {_ordinal(d.day)}, {d.year}",
        f"{d.day}/{mon3}/{d.year}",
        f"{mon3}-{d.day:02d}-{d.year}",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"{d.year}-{d.month}-{d.day}",
        f"{d.day} {mon3} '{yy}",
        f"{d.day:02d}{mon3.upper()}{d.year}",
        f"{mon3.upper()} {d.day} {d.year}",
        f"{d.month:02d}-{d.day:02d}-{yy}",
        f"{d.day}/{d.month}/{yy}" if d.day > 12 else f"{d.month}/{d.day}/{yy}",
        f"{d:%a} {d.month}/{d.day}/{d.year}",
    ]
    return rng.choice(formats)


def date_no_year_dev2(rng: random.Random) -> str:
    """Year-less dates for ``dev2``: the common ones plus "3rd of March", "March the 3rd",
    zero-padded "03/14" and "Mar-14"."""
    if rng.random() < 0.5:
        return date_no_year(rng)
    d = _some_date(rng)
    mon, mon3 = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
    return rng.choice(
        [
            f"{_ordinal(d.day)} of {mon}",
            f"{mon} the {_ordinal(d.day)}",
            f"{mon} {_ordinal(d.day)}",
            f"{mon3}-{d.day:02d}",
            f"{d.day} {mon3}",
            f"{d.month:02d}/{d.day:02d}",
        ]
    )


# ages -------------------------------------------------------------------------------------
def _age_words(n: int) -> str:
    if n == 100:
        return "one hundred"
    if n > 100:
        return "one hundred " + ONES[n - 100] if n - 100 < 10 else "one hundred and " + str(n)
    return "ninety" + ("" if n == 90 else "-" + ONES[n - 90])


def age_over_89(rng: random.Random) -> str:
    n = rng.choice([90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 104])
    sex = rng.choice("MF")
    return rng.choice(
        [
            f"{n}yo",
            f"{n} yo",
            f"{n} y/o",
            f"{n}y",
            f"{n}-year-old",
            f"{n} year old",
            f"{n} yr old",
            f"{n}{sex}",
            f"{n} {sex}",
            f"{n}yo{sex}",
            f"{n}y{sex.lower()}",
            f"aged {n}",
            f"age {n}",
            f"age: {n}",
            f"({n})",
            f"{n} years of age",
            f"{_age_words(n)} year old",
            f"{_age_words(n)}-year-old",
            f"{n} yrs",
            f"will be {n}",
            f"turned {n}",
            f"{n}-yo",
            f"{n} y.o.",
            f"{n}{sex.lower()}",
        ]
    )


def age_keep(rng: random.Random) -> str:
    n = rng.randint(1, 89)
    sex = rng.choice("MF")
    return rng.choice(
        [
            f"{n}yo",
            f"{n} yo",
            f"{n}{sex}",
            f"{n} y/o",
            f"{n}-year-old",
            f"age {n}",
            f"{n} {sex}",
            f"{n} yr old",
        ]
    )


# contact ----------------------------------------------------------------------------------
def age_sex(rng: random.Random) -> str:
    """Age and sex run together after a name, as sign-out lists write them: "67M", "54 F",
    "72yo m", "81 y F" (ages up to 89 only: they are look-alikes that must stay)."""
    n, sex = rng.randint(18, 89), rng.choice("MF")
    return rng.choice([f"{n}{sex}", f"{n} {sex}", f"{n}yo {sex.lower()}", f"{n} y {sex}",
                       f"{n}{sex.lower()}", f"{n}/{sex}"])


def phone(rng: random.Random, *, international: bool | None = None) -> str:
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), _digits(rng, 4)
    us = [
        f"({a}) {b}-{c}",
        f"{a}-{b}-{c}",
        f"{a}.{b}.{c}",
        f"{a} {b} {c}",
        f"{a}{b}{c}",
        f"+1 {a} {b} {c}",
        f"+1-{a}-{b}-{c}",
        f"1-{a}-{b}-{c}",
        f"({a}){b}-{c}",
        f"{a}-{b}-{c} ext {rng.randint(2, 9999)}",
        f"{a}-{b}-{c} x{rng.randint(2, 999)}",
        f"({a}) {b}-{c} ext. {rng.randint(10, 999)}",
        f"{b}-{c}",
    ]
    intl = [
        f"+44 20 {_digits(rng, 4)} {_digits(rng, 4)}",
        f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}",
        f"+49 30 {_digits(rng, 7)}",
        f"+33 1 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)}",
        f"+52 55 {_digits(rng, 4)} {_digits(rng, 4)}",
        f"+91 {_digits(rng, 5)} {_digits(rng, 5)}",
        f"+61 4{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}",
        f"0044 20 {_digits(rng, 4)} {_digits(rng, 4)}",
        f"+353 1 {_digits(rng, 3)} {_digits(rng, 4)}",
    ]
    if international is None:
        international = rng.random() < 0.25
    return rng.choice(intl if international else us)


def email(rng: random.Random, fake) -> str:
    user = fake.user_name()
    return rng.choice(
        [
            f"{user}@{fake.free_email_domain()}",
            f"{user}{rng.randint(1, 99)}@{fake.domain_name()}",
            fake.email(),
            f"{user}.{rng.randint(40, 99)}@gmail.com",
        ]
    )


def url(rng: random.Random, fake) -> str:
    return rng.choice(
        [
            f"https://mychart.{fake.domain_name()}/visit/{_digits(rng, 6)}",
            f"http://{fake.domain_name()}/u/{fake.user_name()}",
            f"www.facebook.com/{fake.user_name()}",
            f"https://portal.{fake.domain_word()}health.org/pt?id={_digits(rng, 7)}",
            f"{fake.domain_name()}/{fake.user_name()}",
            f"https://www.instagram.com/{fake.user_name()}",
        ]
    )


def ip(rng: random.Random) -> str:
    if rng.random() < 0.2:
        groups = [f"{rng.randint(0, 65535):x}" for _ in range(4)]
        return "fe80::" + ":".join(groups)
    return rng.choice(
        [
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        ]
    )


# numbers ----------------------------------------------------------------------------------
def ssn(rng: random.Random) -> str:
    a, b, c = rng.randint(100, 665), rng.randint(10, 99), _digits(rng, 4)
    return rng.choice([f"{a}-{b}-{c}", f"{a} {b} {c}", f"{a}{b}{c}"])


def mrn(rng: random.Random) -> str:
    return rng.choice(
        [
            _digits(rng, 8),
            _digits(rng, 7),
            f"{_digits(rng, 3)}-{_digits(rng, 2)}-{_digits(rng, 2)}",
            f"MR{_digits(rng, 7)}",
            f"E{_digits(rng, 9)}",
            _digits(rng, 10),
            f"00{_digits(rng, 6)}",
        ]
    )


def member_id(rng: random.Random) -> str:
    mbi_alpha = "ACDEFGHJKMNPQRTUVWXY"
    return rng.choice(
        [
            f"{_letters(rng, 3)}{_digits(rng, 9)}",
            f"W{_digits(rng, 9)}",
            f"{rng.randint(1, 9)}{_letters(rng, 1, mbi_alpha)}{_letters(rng, 1, mbi_alpha)}"
            f"{rng.randint(0, 9)}-{_letters(rng, 1, mbi_alpha)}"
            f"{rng.randint(0, 9)}{rng.randint(0, 9)}"
            f"-{_letters(rng, 2, mbi_alpha)}{_digits(rng, 2)}",
            f"{_digits(rng, 9)}{_letters(rng, 1)}",
            f"{_letters(rng, 2)}{_digits(rng, 8)}",
            f"{_digits(rng, 3)}-{_digits(rng, 3)}-{_digits(rng, 3)}",
        ]
    )


def account(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{_digits(rng, 4)}-{_digits(rng, 5)}",
            _digits(rng, 10),
            _digits(rng, 9),
            f"A{_digits(rng, 8)}",
            f"{_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)}",
            f"HAR{_digits(rng, 8)}",
            f"{_digits(rng, 6)}",
        ]
    )


def licence(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{_letters(rng, 1)}{_digits(rng, 7)}",
            f"{_letters(rng, 1)}{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
            _digits(rng, 9),
            f"{_letters(rng, 2)}{_digits(rng, 6)}",
            f"{_letters(rng, 1)}{_digits(rng, 12)}",
            f"{_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}",
            f"{_letters(rng, 5)}{_digits(rng, 6)}{_letters(rng, 2)}",
        ]
    )


def vin(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(17))


def plate(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randint(1, 9)}{_letters(rng, 3)}{_digits(rng, 3)}",
            f"{_letters(rng, 3)}-{_digits(rng, 4)}",
            f"{_letters(rng, 3)} {_digits(rng, 4)}",
            f"{_letters(rng, 2)}{_digits(rng, 2)} {_letters(rng, 3)}",
            f"{_digits(rng, 3)} {_letters(rng, 3)}",
            f"{_letters(rng, 1)}{_digits(rng, 2)}-{_letters(rng, 3)}",
        ]
    )


def device_serial(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{_letters(rng, 3)}{_digits(rng, 6)}{_letters(rng, 1)}",
            f"{_digits(rng, 5)}-{_digits(rng, 3)}",
            f"SN{_digits(rng, 8)}",
            f"{_letters(rng, 2)}{_digits(rng, 7)}",
            f"(01){_digits(rng, 14)}(21){_letters(rng, 2)}{_digits(rng, 5)}",
            f"{_digits(rng, 2)}-{_digits(rng, 6)}-{_digits(rng, 6)}-{_digits(rng, 1)}",
        ]
    )


def other_id(rng: random.Random) -> str:
    return rng.choice(
        [
            f"E-{_digits(rng, 6)}",
            f"{_letters(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 3)}",
            _digits(rng, 7),
            f"#{_digits(rng, 6)}",
            f"{_letters(rng, 1)}{_digits(rng, 8)}",
        ]
    )


# look-alikes -------------------------------------------------------------------------------
LABS = [
    ("K", 2.4, 7.2, 1),
    ("Na", 112, 158, 0),
    ("Cr", 0.5, 6.5, 1),
    ("Hgb", 5.1, 17.9, 1),
    ("INR", 0.9, 9.8, 1),
    ("WBC", 1.1, 32.0, 1),
    ("plt", 12, 640, 0),
    ("lactate", 0.6, 9.9, 1),
    ("trop", 0.01, 4.5, 2),
    ("A1c", 5.1, 14.2, 1),
    ("TSH", 0.01, 48.0, 2),
    ("BUN", 6, 140, 0),
    ("glucose", 38, 690, 0),
    ("Mg", 0.8, 3.9, 1),
    ("phos", 0.9, 9.1, 1),
    ("CRP", 1, 310, 0),
    ("BNP", 30, 4900, 0),
    ("ALT", 9, 2400, 0),
    ("bili", 0.2, 24.0, 1),
    ("pH", 6.91, 7.59, 2),
    ("eGFR", 6, 118, 0),
    ("CrCl", 8, 120, 0),
    ("HCO3", 6, 38, 0),
    ("ferritin", 4, 9800, 0),
    ("LDL", 41, 289, 0),
    ("procal", 0.05, 38.0, 2),
    ("CK", 40, 48000, 0),
    ("lipase", 8, 6200, 0),
]


def lab(rng: random.Random) -> str:
    name, lo, hi, dp = rng.choice(LABS)
    value = f"{rng.uniform(lo, hi):.{dp}f}"
    unit = {"A1c": "%"}.get(name, "")
    sep = rng.choice([" ", " ", " of ", ": ", "="])
    return f"{name}{sep}{value}{unit}"


VITALS = [
    lambda r: f"BP {r.randint(70, 220)}/{r.randint(40, 130)}",
    lambda r: f"{r.randint(80, 210)}/{r.randint(40, 125)}",
    lambda r: f"HR {r.randint(38, 190)}",
    lambda r: f"RR {r.randint(8, 44)}",
    lambda r: f"SpO2 {r.randint(72, 100)}%",
    lambda r: f"T {r.uniform(35.0, 41.2):.1f}",
    lambda r: f"temp {r.uniform(96.0, 105.9):.1f}F",
    lambda r: f"sats {r.randint(80, 99)}% on RA",
    lambda r: f"MAP {r.randint(45, 120)}",
    lambda r: f"wt {r.randint(3, 180)} kg",
    lambda r: f"EF {r.randint(10, 70)}%",
    lambda r: f"GCS {r.randint(3, 15)}",
]


def vital(rng: random.Random) -> str:
    return rng.choice(VITALS)(rng)


DRUGS = [
    "apixaban",
    "rivaroxaban",
    "warfarin",
    "enoxaparin",
    "heparin",
    "metformin",
    "insulin glargine",
    "ceftriaxone",
    "vancomycin",
    "piperacillin-tazobactam",
    "azithromycin",
    "doxycycline",
    "amoxicillin",
    "nitrofurantoin",
    "levetiracetam",
    "lorazepam",
    "haloperidol",
    "quetiapine",
    "furosemide",
    "spironolactone",
    "lisinopril",
    "amlodipine",
    "metoprolol",
    "carvedilol",
    "atorvastatin",
    "prednisone",
    "dexamethasone",
    "ondansetron",
    "morphine",
    "hydromorphone",
    "oxycodone",
    "naloxone",
    "buprenorphine",
    "sertraline",
    "lithium",
    "digoxin",
    "amiodarone",
    "diltiazem",
    "nimodipine",
    "mannitol",
    "norepinephrine",
    "magnesium sulfate",
    "labetalol",
]
BRANDS = [
    "Keppra",
    "Lasix",
    "Norco",
    "Haldol",
    "Ativan",
    "Lovenox",
    "Zosyn",
    "Bactrim",
    "Colace",
    "Cardizem",
    "Lopressor",
    "Coreg",
    "Flagyl",
    "Reglan",
    "Ancef",
    "Versed",
    "Precedex",
    "Levophed",
    "Tamiflu",
    "Eliquis",
    "Xarelto",
    "Brilinta",
    "Plavix",
    "Entresto",
    "Jardiance",
    "Farxiga",
    "Ozempic",
    "Humira",
    "Dilaudid",
    "Toradol",
    "Decadron",
    "Kayexalate",
    "Lokelma",
    "Narcan",
    "Suboxone",
    "Seroquel",
    "Zyprexa",
    "Depakote",
    "Lamictal",
    "Tegretol",
    "Dilantin",
    "Vimpat",
    "Keflex",
    "Augmentin",
    "Rocephin",
    "Cipro",
    "Levaquin",
    "Macrobid",
    "Diflucan",
    "Valtrex",
    "Protonix",
    "Zofran",
    "Benadryl",
    "Tylenol",
    "Motrin",
    "Lantus",
    "Humalog",
    "Januvia",
    "Synthroid",
    "Coumadin",
    "Pradaxa",
    "Imdur",
    "Aldactone",
    "Bumex",
    "Neurontin",
]


def dose(rng: random.Random) -> str:
    drug = rng.choice(DRUGS + [b.lower() for b in BRANDS[:10]])
    amount = rng.choice(
        [
            "5 mg",
            "2.5 mg",
            "1 g",
            "2 g",
            "500 mg",
            "40 mg",
            "0.5 mg",
            "10 units",
            "25 mcg",
            "1.25 g",
            "81 mg",
            "4 mg",
            "15 mg/kg",
            "100 mg",
        ]
    )
    freq = rng.choice(["BID", "q12h", "daily", "q6h", "TID", "qHS", "once", "PRN", "q8h", "IV"])
    return f"{drug} {amount} {freq}"


EPONYM_PHRASES = [
    "Wells score",
    "Wells criteria",
    "Centor",
    "Centor criteria",
    "Ottawa ankle rules",
    "Ottawa knee rule",
    "Glasgow-Blatchford",
    "Glasgow coma scale",
    "Apgar",
    "Bishop score",
    "Parkland formula",
    "Cushing syndrome",
    "Addison disease",
    "Graves disease",
    "Hashimoto",
    "Crohn disease",
    "Bell's palsy",
    "Guillain-Barré",
    "Kawasaki disease",
    "Wilson disease",
    "Marfan",
    "Down syndrome",
    "Tanner stage 3",
    "Mallampati 3",
    "Child-Pugh B",
    "Killip II",
    "Ranson criteria",
    "Light's criteria",
    "Duke criteria",
    "Murphy sign",
    "McBurney point",
    "Brudzinski sign",
    "Kernig sign",
    "Babinski",
    "Romberg",
    "Dix-Hallpike",
    "Epley maneuver",
    "Lachman",
    "McMurray test",
    "Phalen test",
    "Tinel sign",
    "Finkelstein test",
    "Trendelenburg gait",
    "Kehr sign",
    "Cullen sign",
    "Grey Turner sign",
    "Virchow node",
    "Horner syndrome",
    "Wernicke encephalopathy",
    "Korsakoff",
    "Ludwig angina",
    "Pott disease",
    "Hodgkin lymphoma",
    "Burkitt lymphoma",
    "Hirschsprung",
    "Meckel diverticulum",
    "Zenker diverticulum",
    "Barrett esophagus",
    "Mallory-Weiss tear",
    "Boerhaave",
    "Charcot foot",
    "Reynolds pentad",
    "Beck triad",
    "Cheyne-Stokes",
    "Kussmaul breathing",
    "Austin Flint murmur",
    "Osler nodes",
    "Janeway lesions",
    "Roth spots",
    "Brugada pattern",
    "Wolff-Parkinson-White",
    "Mobitz II",
    "Wenckebach",
    "Bazett",
    "Cockcroft-Gault",
    "Holliday-Segar",
    "Naegele's rule",
    "Westley croup score",
    "PECARN",
    "Canadian C-spine rule",
    "San Francisco syncope rule",
    "Caprini",
    "Padua score",
    "Khorana score",
    "Geneva score",
    "HEART score",
    "TIMI",
    "GRACE score",
    "CURB-65",
    "qSOFA",
    "NIHSS",
    "Hunt and Hess",
    "Fisher grade",
    "Rockall",
    "Forrest IIb",
    "Los Angeles grade C",
    "Rome IV",
    "Atlanta classification",
    "Tokyo guidelines",
    "Berlin definition",
    "Lugano",
    "Ann Arbor stage II",
    "Montreal classification",
    "Gleason 7",
    "Breslow",
    "Clark level",
    "Salter-Harris II",
    "Weber B",
    "Garden III",
    "Schatzker",
    "Lown-Ganong-Levine",
    "Stevens-Johnson",
    "Sjögren",
    "Raynaud",
    "Paget disease",
    "Ewing sarcoma",
    "Wilms tumor",
    "Tourette",
    "Asperger",
    "Alzheimer",
    "Parkinson disease",
    "Huntington",
    "Lyme disease",
    "Rocky Mountain spotted fever",
    "West Nile",
    "Epstein-Barr",
    "Coxsackie",
    "Norwalk",
    "Ebola",
    "Zika",
    "Hartmann procedure",
    "Whipple",
    "Nissen",
    "Roux-en-Y",
    "Foley",
    "Swan-Ganz",
    "Holter",
    "Valsalva",
    "Heimlich",
    "Sengstaken-Blakemore",
    "Lund-Browder",
    "Mayo score",
    "Ranson",
    "Alvarado score",
    "Blatchford",
    "Fleischner",
    "Framingham",
    "Gail model",
    "Beers criteria",
    "Naranjo",
    "Morse fall scale",
    "Braden 14",
    "Richmond agitation scale",
    "CIWA 18",
    "COWS 12",
    "Ramsay",
    "Aldrete",
]


def eponym(rng: random.Random) -> str:
    return rng.choice(EPONYM_PHRASES)


def score_value(rng: random.Random) -> str:
    return rng.choice(
        [
            f"Wells {rng.randint(0, 9)}",
            f"Centor {rng.randint(0, 5)}",
            f"CURB-65 {rng.randint(0, 5)}",
            f"HEART {rng.randint(0, 10)}",
            f"GCS {rng.randint(3, 15)}",
            f"NIHSS {rng.randint(0, 30)}",
            f"CHA2DS2-VASc {rng.randint(0, 9)}",
            f"HAS-BLED {rng.randint(0, 6)}",
            f"PHQ-9 {rng.randint(0, 27)}",
            f"MELD {rng.randint(6, 40)}",
            f"APGAR {rng.randint(1, 9)}",
            f"Glasgow {rng.randint(3, 15)}",
            f"Bishop {rng.randint(0, 13)}",
            f"qSOFA {rng.randint(0, 3)}",
            f"Caprini {rng.randint(0, 12)}",
            f"TIMI {rng.randint(0, 7)}",
            f"ASA {rng.randint(1, 5)}",
        ]
    )


def clock(rng: random.Random) -> str:
    h, m = rng.randint(0, 23), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
    return rng.choice(
        [
            f"{h:02d}{m:02d}",
            f"{h}:{m:02d}",
            f"{(h % 12) or 12}:{m:02d} {'am' if h < 12 else 'pm'}",
            f"{(h % 12) or 12}{'am' if h < 12 else 'pm'}",
            f"{h:02d}:{m:02d}h",
            f"@{h:02d}{m:02d}",
        ]
    )


def fraction(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randint(1, 4)}/6 murmur",
            f"{rng.randint(1, 5)}/5 strength",
            f"20/{rng.choice([20, 40, 60, 200])}",
            f"{rng.randint(1, 3)}/{rng.randint(4, 6)}",
            "1/2 tab",
            "3/4 NS",
            "1/2 NS",
            f"{rng.randint(90, 180)}/{rng.randint(50, 110)}",
            f"G{rng.randint(1, 6)}P{rng.randint(0, 5)}",
            f"{rng.randint(1, 4)}+ edema",
            f"{rng.randint(2, 12)}/10 pain",
        ]
    )


def guideline_year(rng: random.Random) -> str:
    body = rng.choice(
        [
            "ATS/IDSA",
            "AHA/ACC",
            "KDIGO",
            "GOLD",
            "ADA",
            "ESC",
            "IDSA",
            "AASLD",
            "ACOG",
            "AAP",
            "USPSTF",
            "NICE",
            "Beers",
            "CDC",
            "SCCM",
            "WHO",
            "GINA",
        ]
    )
    return f"{body} {rng.randint(2012, 2026)}"


def code(rng: random.Random) -> str:
    return rng.choice(
        [
            f"CPT {rng.choice([99213, 99214, 99215, 99283, 99284, 99285, 93000, 71046, 36415])}",
            f"ICD-10 {rng.choice(['I48.91', 'E11.9', 'J18.9', 'N17.9', 'I10', 'R07.9', 'J44.1'])}",
            rng.choice(["E11.65", "I50.23", "A41.9", "K35.80", "S72.001A", "Z79.01", "F10.239"]),
            f"DRG {rng.randint(100, 999)}",
            f"LOINC {rng.randint(1000, 99999)}-{rng.randint(0, 9)}",
            f"{rng.choice([99214, 99285, 99223, 99232])}",
        ]
    )


def room(rng: random.Random) -> str:
    return rng.choice(
        [
            f"rm {rng.randint(100, 999)}",
            f"room {rng.randint(1, 40)}{rng.choice('AB')}",
            f"bed {rng.randint(1, 40)}",
            f"bay {rng.randint(1, 20)}",
            f"ICU bed {rng.randint(1, 24)}",
            f"room {rng.randint(2000, 4999)}",
            f"{rng.randint(3, 9)}W-{rng.randint(1, 40)}",
            f"pod {rng.choice('ABCD')}{rng.randint(1, 12)}",
        ]
    )


def duration(rng: random.Random) -> str:
    n = rng.randint(1, 14)
    return rng.choice(
        [
            f"x{n} days",
            f"for {n} weeks",
            f"{n} days ago",
            f"day {n}",
            f"POD {n}",
            f"{n}+{rng.randint(0, 6)} weeks",
            f"{n} mo",
            f"since {n} wks",
        ]
    )
