"""Identifier rules behind :mod:`privacy.scrubber` (names live in :mod:`privacy.names`).

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
"""

from __future__ import annotations

import re

from privacy.hits import LABELLED, SHAPE, STRONG, WEAK, Hit
from privacy.names import (
    _TOKEN_RE,
    COUNTRIES,
    EPONYM_NEXT,
    STATE_NAMES,
    US_STATES,
    _next_word,
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
    name_hits(text, out)
    return out
