"""Generate the synthetic PHI evaluation set: ``phi_dev.jsonl``, ``phi_untouched.jsonl``,
``phi_dev2.jsonl`` and ``phi_dev3.jsonl``.

Run from the repo root:  .venv/bin/python evals/phi/generate.py [--lines 2000] [--splits ...]

Each split has its own sentence frames (``templates.py``), its own Faker locales and its
own seed, so the untouched split shares no frame, locale mix or random draw with the
lines the rules were developed on.  ``dev2`` is a second development split made after
the rules had been fitted to ``dev``: new frames, locales (Persian, Thai, Georgian,
Armenian and Bengali scripts among them), word-names, name shapes and date spellings, so
what is learnt from it can be checked against ``dev`` and, in aggregate, ``untouched``.
Adding it changed neither existing split (each split has its own ``random.Random``).
``dev3`` (seed 4040) is a third development split for names: the contexts chat and pasted
charts give a name (relations with a possessive or a colon, roles and job titles,
signatures, @-mentions, speaker labels, lists and sign-out rows, "67M" after a name,
nicknames, lower-case surnames alone) and 15 locales none of the other splits uses.
Output is deterministic for a given Faker version, except ``dev``'s it_IT city names (Faker
40.63 draws them in an order that changes from run to run, so about 11 dev lines differ):
regenerate only the split you mean to change (``--splits dev2``) and check ``git diff``.
Every line carries labelled spans: ``phi`` (identifiers that must go) and ``keep``
(clinical look-alikes that must survive), each ``{"kind", "value", "start", "end"}``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from faker import Faker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from evals.phi import formats as f  # noqa: E402
from evals.phi import people as p  # noqa: E402
from evals.phi.templates import DEV, DEV2, DEV3, UNTOUCHED  # noqa: E402

HERE = Path(__file__).resolve().parent
SPLITS = {
    "dev": {
        "seed": 1010,
        "frames": DEV,
        "out": HERE / "phi_dev.jsonl",
        "locales": {
            "en_US": 5,
            "es_MX": 2,
            "de_DE": 1,
            "pl_PL": 1,
            "vi_VN": 1,
            "ru_RU": 1,
            "zh_CN": 1,
            "it_IT": 1,
            "en_IN": 1,
            "yo_NG": 1,
            "ko_KR": 1,
        },
    },
    "untouched": {
        "seed": 2020,
        "frames": UNTOUCHED,
        "out": HERE / "phi_untouched.jsonl",
        "locales": {
            "en_US": 4,
            "en_GB": 1,
            "fr_FR": 1,
            "pt_BR": 1,
            "tr_TR": 1,
            "cs_CZ": 1,
            "el_GR": 1,
            "ja_JP": 1,
            "ar_AA": 1,
            "uk_UA": 1,
            "hu_HU": 1,
            "he_IL": 1,
            "hi_IN": 1,
            "ga_IE": 1,
            "zu_ZA": 1,
            "nl_NL": 1,
        },
    },
    "dev2": {
        "seed": 3030,
        "frames": DEV2,
        "out": HERE / "phi_dev2.jsonl",
        "locales": {
            "en_US": 4,
            "en_NZ": 1,
            "fi_FI": 1,
            "sv_SE": 1,
            "ro_RO": 1,
            "hr_HR": 1,
            "id_ID": 1,
            "fa_IR": 1,
            "th_TH": 1,
            "ka_GE": 1,
            "hy_AM": 1,
            "pt_PT": 1,
            "sk_SK": 1,
            "es_ES": 1,
            "fr_CA": 1,
            "bn_BD": 1,
            "az_AZ": 1,
        },
    },
    "dev3": {
        "seed": 4040,
        "frames": DEV3,
        "out": HERE / "phi_dev3.jsonl",
        "locales": {
            "en_US": 4,
            "en_AU": 1,
            "en_CA": 1,
            "es_CO": 1,
            "de_AT": 1,
            "da_DK": 1,
            "no_NO": 1,
            "lt_LT": 1,
            "lv_LV": 1,
            "sl_SI": 1,
            "bg_BG": 1,
            "ig_NG": 1,
            "ha_NG": 1,
            "ta_IN": 1,
            "zh_TW": 1,
            "is_IS": 1,
        },
    },
}

PHOTO = [
    lambda r: f"IMG_{r.randint(1000, 9999)}.JPG",
    lambda r: f"PXL_2024{r.randint(1000, 1231)}_{r.randint(100000, 235959)}.jpg",
    lambda r: f"DSC{r.randint(10000, 99999)}.jpeg",
    lambda r: f"photo_{r.randint(100000, 999999)}.png",
    lambda r: f"face_{r.randint(100, 999)}.heic",
]
BIO = [
    lambda r: f"FP-{r.randint(10000, 99999)}",
    lambda r: f"VP{r.randint(1000000, 9999999)}",
    lambda r: f"IR-{r.randint(1000, 9999)}-{r.randint(100, 999)}",
    lambda r: f"BIO{r.randint(100000, 999999)}",
]


def _fillers(rng: random.Random, fake, split: str, us: bool) -> dict:
    """Slot name -> function returning parts; PHI fillers use the line's Faker locale."""
    dev2 = split == "dev2"
    date_text = f.date_text_dev2 if dev2 else f.date_text
    date_no_year = f.date_no_year_dev2 if dev2 else f.date_no_year
    return {
        "name": lambda: p.name(rng, fake, split),
        "surname": lambda: p.surname_only(rng, fake, split),
        "titled": lambda: p.titled(rng, fake, split),
        "rel": lambda: p.relative(rng, fake, split),
        "first": lambda: p.first_only(rng, fake, split),
        "nick": lambda: p.nickname(rng),
        "lsurname": lambda: p.surname_lower(rng, fake, split),
        "agesex": lambda: f.keep(f.age_sex(rng), "AGE<=89"),
        "dob": lambda: f.phi(date_text(rng, birth=True), "DATE"),
        "date": lambda: f.phi(date_text(rng), "DATE"),
        "dateny": lambda: f.phi(date_no_year(rng), "DATE"),
        "age": lambda: f.phi(f.age_over_89(rng), "AGE>89"),
        "phone": lambda: f.phi(f.phone(rng, international=False if us else None), "PHONE"),
        "intl": lambda: f.phi(f.phone(rng, international=True), "PHONE"),
        "fax": lambda: f.phi(f.phone(rng), "FAX"),
        "email": lambda: f.phi(f.email(rng, fake), "EMAIL"),
        "url": lambda: f.phi(f.url(rng, fake), "URL"),
        "ip": lambda: f.phi(f.ip(rng), "IP"),
        "ssn": lambda: f.phi(f.ssn(rng), "SSN"),
        "mrn": lambda: f.phi(f.mrn(rng), "MRN"),
        "member": lambda: f.phi(f.member_id(rng), "MEMBER_ID"),
        "acct": lambda: f.phi(f.account(rng), "ACCOUNT"),
        "lic": lambda: f.phi(f.licence(rng), "LICENSE"),
        "vin": lambda: f.phi(f.vin(rng), "VEHICLE"),
        "plate": lambda: f.phi(f.plate(rng), "VEHICLE"),
        "device": lambda: f.phi(f.device_serial(rng), "DEVICE"),
        "other": lambda: f.phi(f.other_id(rng), "OTHER_ID"),
        "photo": lambda: f.phi(rng.choice(PHOTO)(rng), "PHOTO"),
        "bio": lambda: f.phi(rng.choice(BIO)(rng), "BIOMETRIC"),
        "street": lambda: p.street(rng, fake),
        "csz": lambda: p.city_state_zip(rng, fake, us),
        "addr": lambda: p.full_address(rng, fake, us),
        "city": lambda: p.city(rng, fake),
        "zip": lambda: p.zipcode(rng, fake, us),
        "lab": lambda: f.keep(f.lab(rng), "LAB"),
        "vital": lambda: f.keep(f.vital(rng), "VITAL"),
        "dose": lambda: f.keep(f.dose(rng), "DOSE"),
        "drug": lambda: f.keep(rng.choice(f.DRUGS), "DRUG"),
        "brand": lambda: f.keep(rng.choice(f.BRANDS), "DRUG"),
        "epo": lambda: f.keep(f.eponym(rng), "EPONYM"),
        "score": lambda: f.keep(f.score_value(rng), "SCORE"),
        "clock": lambda: f.keep(f.clock(rng), "TIME"),
        "frac": lambda: f.keep(f.fraction(rng), "FRACTION"),
        "gyear": lambda: f.keep(f.guideline_year(rng), "GUIDELINE_YEAR"),
        "code": lambda: f.keep(f.code(rng), "CODE"),
        "room": lambda: f.keep(f.room(rng), "ROOM"),
        "ageok": lambda: f.keep(f.age_keep(rng), "AGE<=89"),
        "dur": lambda: f.keep(f.duration(rng), "DURATION"),
    }


ASIDES = [
    " lol",
    " (sorry typing fast)",
    " thx",
    " - asking for attending",
    " ??",
    " pls",
    " ty!!",
    " (on call, quick)",
    " idk",
    " — sorry for the wall of text",
]
OPENERS = ["hey ", "quick q: ", "Q: ", "pls help - ", "", "", "", "curbside: ", "sorry - "]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _style_literal(text: str, rng: random.Random, typos: bool) -> str:
    """Shorthand noise in the frame's own words only (never inside a labelled value)."""
    if typos:
        text = re.sub(
            r"[A-Za-z]{6,}",
            lambda m: _typo(m.group(), rng) if rng.random() < 0.3 else m.group(),
            text,
        )
    return text.replace("\n", rng.choice(["  ", " / ", " | ", "; "]))


def build_line(rng: random.Random, fake, split: str, frame: str, us: bool) -> dict:
    fillers = _fillers(rng, fake, split, us)
    lower, typos = rng.random() < 0.22, rng.random() < 0.15
    parts: list[f.Part] = [(rng.choice(OPENERS), None)]
    for i, piece in enumerate(re.split(r"\{(\w+)\}", frame)):
        if i % 2:
            parts += fillers[piece]()
        elif piece:
            parts.append((_style_literal(piece, rng, typos), None))
    if rng.random() < 0.2:
        parts.append((rng.choice(ASIDES), None))
    text, phi_spans, keep_spans = "", [], []
    for chunk, tag in parts:
        if lower:
            chunk = chunk.lower()
        if tag:
            span = {
                "kind": tag[1],
                "value": chunk,
                "start": len(text),
                "end": len(text) + len(chunk),
            }
            (phi_spans if tag[0] == "phi" else keep_spans).append(span)
        text += chunk
    return {"text": text, "phi": phi_spans, "keep": keep_spans}


def generate(split: str, lines: int) -> list[dict]:
    cfg = SPLITS[split]
    rng = random.Random(cfg["seed"])
    locales = list(cfg["locales"])
    fakers = {}
    for loc in locales:
        fakers[loc] = Faker(loc)
        fakers[loc].seed_instance(cfg["seed"] + len(fakers))
    weights = [cfg["locales"][loc] for loc in locales]
    records = []
    for n in range(lines):
        frame_no = n % len(cfg["frames"])
        loc = rng.choices(locales, weights)[0]
        rec = build_line(rng, fakers[loc], split, cfg["frames"][frame_no], us=loc == "en_US")
        records.append({"id": f"{split}-{n + 1:05d}", "frame": frame_no, "locale": loc, **rec})
    return records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2000, help="lines per split")
    ap.add_argument("--splits", nargs="+", default=list(SPLITS), choices=list(SPLITS))
    args = ap.parse_args()
    for split in args.splits:
        cfg = SPLITS[split]
        records = generate(split, args.lines)
        cfg["out"].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        n_phi = sum(len(r["phi"]) for r in records)
        n_keep = sum(len(r["keep"]) for r in records)
        print(
            f"{cfg['out'].relative_to(ROOT)}: {len(records)} lines, {n_phi} identifier spans, "
            f"{n_keep} look-alikes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
