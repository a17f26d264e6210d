"""Identifier rules behind :mod:`privacy.scrubber` (names live in :mod:`privacy.names`).

Kept apart from the spaCy wiring so the rules can be read, tested and tuned on
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
"""

from __future__ import annotations

import re

from privacy import dates, ids, name_contexts, names, places
from privacy.conditions import names_a_condition
from privacy.hits import LABELLED, SHAPE, STRONG, WEAK, Hit
from privacy.lexicons import words
from privacy.names import COMMON as COMMON_WORDS
from privacy.names import (
    COUNTRIES,
    EPONYM_NEXT,
    STATE_NAMES,
    US_STATES,
    is_medical_token,
    name_hits,
)
from privacy.placeholders import PLACEHOLDER_RE  # noqa: F401  (re-exported)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ID_VALUE = r"(?P<v>[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){3,24})(?![\w-])"
_SEP = r"[\s:#=.]*"

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
URL_RE = re.compile(
    r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"'\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|us|info|health|care|co|app|local|biz|name"
    r"|me|tv|online|site|xyz)\b(?:/[^\s<>\"'\]]*)?"
    # Any country code with a path after it is a web address: "ospedale.it/u/rossi".
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2}/[\w.~%?=&/-]*[\w/]",
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
    r"(?<![\w+-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"
    r"(?:,?\s*(?:ext\.?|x)\s*\d{1,5}\b)?"
)
PHONE_BARE_RE = re.compile(r"(?<![\w.,/-])(?:\+?1)?[2-9]\d{2}[2-9]\d{6}(?![\w/-]|[.,]\d)")
# International: "+44 20 7946 0958", "0044 20 ...", "+91 28320 04797" (8 to 15 digits).
PHONE_INTL_RE = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?![\w-])"
    r"(?:,?\s*(?:ext\.?|x)\s*\d{1,5}\b)?"
)
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

_STREET_SUFFIX = (
    r"(?:(?i:(?:street|avenue|road|boulevard|drive|lane|court|place|terrace|circle|parkway"
    r"|highway|square|trail|alley|route|pike|loop|way)s?)|St|Ave|Rd|Blvd|Dr|Ln|Ct|Pl|Ter|Cir"
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
def _slips(*labels: str) -> str:
    """A regex alternation of ``labels`` and, for words of six letters or more, each with two
    neighbouring letters swapped ("postocde", "potscode"): labels are typed fast, and a
    slipped label still introduces the identifier after it."""
    out = set(labels)
    for label in labels:
        if len(label) >= 6 and label.isalpha():
            out |= {label[:i] + label[i + 1] + label[i] + label[i + 2 :]
                    for i in range(len(label) - 1) if label[i] != label[i + 1]}
    return "|".join(sorted(out, key=len, reverse=True))


ZIP_LABEL_RE = re.compile(
    r"(?:\b(?:zip(?:\s*code)?|(?:post|" + _slips("postal") + r")\s*code|"
    + _slips("postcode", "zipcode", "eircode")
    + r"|plz|cep|pin\s*code)"
    r"\s*(?:is\s+|[:#]\s*)?(?P<gr>(?:ΤΚ|Τ\.Κ\.)\s*)?|(?P<gr2>(?<!\w)(?:ΤΚ|Τ\.Κ\.)\s*))"
    r"(?P<v>(?=[A-Z\d -]*\d[A-Z\d -]*\d)[A-Z\d]{2,6}(?:[ -][A-Z\d]{2,4})?)\b",
    re.I
)
# A postcode shape named as a place: "from the 47494 area", "near SW1A 1AA district".
_POSTCODE = (
    r"\d{4,6}(?:-\d{3,4})?|\d{3}\s\d{2}|\d{2}-\d{3}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4}\s?[A-Z]{2}"
)
ZIP_AREA_RE = re.compile(
    rf"(?i:\b(?:from|near|in|around|of)\s+(?:the\s+)?)(?P<v>{_POSTCODE})"
    r"(?i:\s+(?:area|region|district|neighbou?rhood|postcode|zip))\b"
)
# "lives in klanjec 23125", "resides in L'Île-Gérard L8C1V6": a place and a postcode after
# a residence verb, in any case (the postcode's shape vouches for the place before it).
RESIDENCE_POSTCODE_RE = re.compile(
    r"\b(?i:lives|living|resides|residing|home|moved)\s+(?i:in|at|near|to)\s+"
    r"(?P<v>(?:[^\W\d_][\w'’.-]*[\s-]+){1,3}?)(?P<zip>(?i:" + _POSTCODE + r"))(?![\w-])"
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

# What introduces a home address; the address then runs over comma-separated parts
# (street, unit, city, state, postcode) until a clause that is not part of an address.
ADDRESS_CUE_RE = re.compile(
    r"(?i:\b(?:lives|living|resides|residing|located)\s+at"
    r"|\b(?:home\s+)?addr(?:ess)?\b\.?(?:\s+(?:on\s+file|is|of\s+record))?"
    r"|\bhome\s*:|\bresidence\s*:|\b(?:moved|relocated)\s+from|\b(?:pt|patient|she|he)"
    r"\s+(?:is\s+)?from)\s*[:#-]?\s*"
)
STREET_WORDS = frozenset(names._fold(w) for w in words("street_words"))
# Street words that are no English word ("via", "ring", "flat" are), so "2 via IV" stays.
_STREET_WORD_ALT = "|".join(sorted(
    {re.escape(w) for w in words("street_words") if names._fold(w) not in names.ENGLISH},
    key=len, reverse=True,
))
_TITLE_WORD = r"[^\W\d_a-z][^\W\d_A-Z]+"
FOREIGN_STREET_RE = re.compile(
    rf"(?<![\w/.-])\d{{1,5}}[A-Za-z]?\s+(?i:{_STREET_WORD_ALT})\.?\s+{_TITLE_WORD}"
    rf"(?:\s+{_TITLE_WORD}){{0,4}}"
)
_ADDRESS_PART_STOP = frozenset(
    "needs need needing with w who and any travel on for pt patient is has had was dx hx "
    "reason phone tel fax dob mrn ssn id age aged home health ems".split()
)


# Lab names ("crp", "na", "hco3", "lipase"): a part that holds one is a result, not an address.
LAB_WORDS = names._LAB_ALIASES | frozenset(
    "crp esr ck cr bun hco3 lipase amylase glucose ldl hdl tsh ferritin procal bnp trop inr"
    " ptt pt hgb hb wbc plt alt ast alp bili egfr crcl lactate mg phos k na cl ca".split()
)


_DOSE_WORD_RE = re.compile(
    r"mg|mcg|g|kg|ml|units?|u|iu|meq|mmol|bid|tid|qid|prn|daily|once|qhs|q\d+h|iv|po|sc|im"
    r"|yo|y/o|yrs?|years?|%"
)


def _address_like(words: list[str]) -> bool:
    """Addresses are place words and numbers; a clinical word or a quantity ends one."""
    if words[0].lower() in _ADDRESS_PART_STOP:
        return False
    if any(names._fold(w.lower().strip(".:")) in STREET_WORDS for w in words) and not any(
        w.lower() in _ADDRESS_PART_STOP for w in words
    ):
        return True  # "Via Inzaghi", "Phố Nguyễn Thị Minh Khai #3"
    numbered = any(c.isdigit() for c in "".join(words))
    for word in words:
        low = word.lower().strip(".:")
        # A numbered part is an address line or postcode ("Unit 7", "GU 39694"); a wordy
        # part must be a place name, not clinical vocabulary.
        if not numbered and (
            low in COMMON_WORDS or is_medical_token(word) or low in EPONYM_NEXT
        ):
            return False
        if numbered and (names._is_drug(low) or "=" in low or low.rstrip(":") in LAB_WORDS):
            return False  # "CRP=126", "lipase 818", "Na: 149": a measurement ends an address
        # "10 units" is a dose, "unit 7" an address line: a dose word follows its number.
        if numbered and _DOSE_WORD_RE.fullmatch(low) and word is not words[0]:
            return False
        if re.fullmatch(r"\d+(?:\.\d+)?(?:mg|mcg|g|kg|%|yo|y/o|u|units?)?", low) and (
            "." in low or not low.isdigit()
        ):
            return False
    return True


def _address_parts(text: str, start: int) -> int:
    """End of the address that starts at ``start`` (``start`` if none)."""
    end = start
    for n, part in enumerate(re.finditer(r"[^,;|\n]+", text[start : start + 160])):
        if part.start() and text[start + part.start() - 1] not in ",\n":
            break  # a pasted address runs over commas and line breaks, nothing else
        value = part.group().strip()
        if re.search(r"\s{2,}| / | [-–—] |[?!]", part.group().strip()):
            value = re.split(r"\s{2,}| / | [-–—] |[?!]", part.group().strip())[0].rstrip()
            end = start + part.start() + part.group().index(value) + len(value)
            break
        words = value.split()
        cut = next((i for i, w in enumerate(words) if i and w.lower() in _ADDRESS_PART_STOP), None)
        if cut is not None:  # "AZ 86001 with suspected plague": the clause ends the address
            kept = " ".join(words[:cut])
            if _address_like(words[:cut]):
                end = start + part.start() + part.group().index(words[0]) + len(kept)
            break
        if not words or len(words) > 9 or n >= 5 or not _address_like(words):
            break
        end = start + part.start() + len(part.group().rstrip())
    return end


def _addresses(text: str, out: list[Hit]) -> None:
    for m in ADDRESS_CUE_RE.finditer(text):
        end = _address_parts(text, m.end())
        if end > m.end():
            first = text[m.end() : end].split(",")[0].strip().lower()
            if first not in STATE_NAMES and first not in COUNTRIES:
                out.append(Hit("ADDRESS", m.end(), end, STRONG + 0.05))
    streets = [(m.start(), m.end()) for m in STREET_RE.finditer(text)]
    # House number first, street word next, in the order of many countries: "544 đường Lê
    # Văn Việt", "12 rue Victor Hugo".
    streets += [(m.start(), m.end()) for m in FOREIGN_STREET_RE.finditer(text)]
    # A street line runs on over the comma-separated parts that follow it (unit, city,
    # region, postcode): "00418 Smith Streets, FM 99598", "…, 21189 TP. Đà Nẵng".
    streets = [(s, max(e, _address_parts(text, s))) for s, e in streets]
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
        start = m.start("gr") if m.group("gr") else m.start("gr2") if m.group("gr2") else None
        out.append(Hit("ADDRESS", m.start("v") if start is None else start, m.end("v"), LABELLED))
    for m in ZIP_AREA_RE.finditer(text):
        out.append(Hit("ADDRESS", m.start("v"), m.end("v"), SHAPE))
    for m in RESIDENCE_POSTCODE_RE.finditer(text):
        place = m.group("v").strip().lower()
        if any(is_medical_token(w) for w in place.split()):
            continue
        start = m.start("zip") if place in STATE_NAMES or place in COUNTRIES else m.start("v")
        out.append(Hit("ADDRESS", start, m.end("zip"), STRONG))
    for m in LIVES_IN_RE.finditer(text):
        city = m.group("v")
        if (
            city.lower() not in STATE_NAMES
            and city.lower() not in COUNTRIES
            and not is_medical_token(city)
        ):
            out.append(Hit("ADDRESS", m.start("v"), m.end("v"), SHAPE))


def _has_digits(value: str, n: int) -> bool:
    return sum(c.isdigit() for c in value) >= n


# Identifiers a chart header puts right after the patient's name.
_ANCHORS = frozenset("DOB DATE MRN AGE>89 SSN ID MEMBER_ID ACCOUNT".split())


def rule_hits(text: str) -> list[Hit]:
    """All regex/lexicon matches in ``text``, overlapping; the caller resolves overlaps."""
    out: list[Hit] = []
    out += [Hit("EMAIL", m.start(), m.end(), LABELLED + 0.03) for m in EMAIL_RE.finditer(text)]
    for m in URL_RE.finditer(text):
        end = m.end() - len(m.group()) + len(m.group().rstrip(".,;:!?)"))
        out.append(Hit("URL", m.start(), end, LABELLED + 0.03))  # wins over an id inside it
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
    out += [
        Hit("PHONE", m.start(), m.end(), STRONG)
        for m in PHONE_INTL_RE.finditer(text)
        if 8 <= sum(c.isdigit() for c in m.group()) <= 15
    ]
    for rx, kind in ((MRN_LABEL_RE, "MRN"), (MEMBER_LABEL_RE, "MEMBER_ID")):
        out += [
            Hit(kind, m.start("v"), m.end("v"), LABELLED)
            for m in rx.finditer(text)
            if _has_digits(m.group("v"), 5)
        ]
    out += [Hit("MEMBER_ID", m.start(), m.end(), STRONG) for m in MBI_RE.finditer(text)]
    out += [Hit("MEMBER_ID", m.start(), m.end(), WEAK) for m in ALNUM_ID_RE.finditer(text)]
    out += [Hit("MRN", m.start(), m.end(), WEAK) for m in LONG_NUMBER_RE.finditer(text)]
    for s, e in dates.date_spans(text):
        dob = dates.is_dob(text, s)
        out.append(Hit("DOB" if dob else "DATE", s, e, LABELLED if dob else SHAPE))
    out += [Hit("AGE>89", s, e, STRONG) for s, e in dates.age_spans(text)]
    out += ids.id_hits(text)
    _addresses(text, out)
    anchors = [h for h in out if h.kind in _ANCHORS]
    name_hits(text, out)
    out += names.cue_names(text) + names.names_before(text, anchors)
    out += names.names_after(text, [h for h in out if h.kind not in ("NAME", "AGE>89")])
    out += names.non_latin(text) + names.lower_first_last(text) + names.names_as_subject(text)
    out += names.last_first(text) + names.surname_given(text)
    out += names.given_surname(text) + names.initial_names(text) + names.initials_surname(text)
    out += name_contexts.context_names(text) + places.places(text)
    out += names.grow(text, out)
    out = [
        h for h in out
        if h.kind != "NAME" or h.score >= STRONG or not names_a_condition(text, h.start, h.end)
    ]  # "for Deep Vein Thrombosis": a condition; "Mrs. Graves" is never second-guessed
    return _names_yield_to_dates(text, out)


def _names_yield_to_dates(text: str, hits: list[Hit]) -> list[Hit]:
    """A date's structure is firmer evidence than a name's context: a name reaching into a
    date ("Maria Gonzalez June" before "June 3 1950") ends where the date begins."""
    starts = sorted(h.start for h in hits if h.kind in ("DATE", "DOB"))
    out = []
    for h in hits:
        cut = next((d for d in starts if h.kind == "NAME" and h.start < d < h.end), None)
        if cut is not None:
            end = h.start + len(text[h.start : cut].rstrip(" ,-"))
            h = Hit("NAME", h.start, end, h.score) if end > h.start else None
        if h:
            out.append(h)
    return out
