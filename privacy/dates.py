"""Dates and ages over 89: recognised by the structure of a date, not by a list of formats seen.

A date is a day, a month and (optionally) a year whose values are possible: numeric
(``3/4/1950``, ``14.03.2024``, ``2024-03-14``, ``2024/03/14``, ``19500304``), with a month
name in either order and any case (``12-Mar-2024``, ``march 4 1950``, ``5th Feb``,
``Feb 5th``, ``July 2021``), or an ordinal day (``the 14th``).  Values that cannot be a
date are left alone, which is what keeps ``3/6`` murmurs, ``130/80`` and ``2/5`` strength:
a bare ``m/d`` counts only after a word that introduces a date ("on", "since", "seen").

Ages are removed only above 89 (Safe Harbor), in digits or words, with a sex suffix
(``93F``, ``95yof``), in parentheses after a name, or as "turned 91" / "will be 90".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_ORD = r"(?:st|nd|rd|th)"
_YEAR = r"(?:(?:19|20)\d{2})"
_YY = r"(?:'?\d{2})"

# A label glued on with a colon ("dob:16.11.2001") may precede a date; a digit and colon
# (a clock, "10:3/4") may not.  The last part is one or two digits only after a
# four-digit year ("2021-9-3"), see :func:`_numeric_ok`.
NUMERIC_RE = re.compile(
    r"(?<![\w/.-])(?<!\d:)(\d{1,4})([/.-])(\d{1,2})\2(\d{4}|\d{1,2})(?![\w/-]|[.:]\d)"
)
COMPACT_RE = re.compile(
    r"(?<![\w.-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\w.-])"
)
# A weekday written before a date is part of it ("Wed 8/16/1939" dates the visit too).
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)"
# The parts of a date are joined by spaces, dashes, slashes or dots ("2/Oct/1957",
# "14.Mar.2024") whichever way the day and month are written.
_JOIN = r"[\s/.-]+"
# Month name first or day first, year optional; "Mar" and "may" need a day or year nearby.
# "December the 26th" reads the day as an ordinal after "the".
MONTH_FIRST_RE = re.compile(
    rf"\b{_WEEKDAY}?{_MONTH}\.?(?:(?:{_JOIN}|\s+the\s+){_DAY}{_ORD}?\b"
    rf"(?:,?{_JOIN}(?:{_YEAR}|{_YY})\b)?|,?\s+{_YEAR}\b)",
    re.I,
)
DAY_FIRST_RE = re.compile(
    rf"\b{_WEEKDAY}?(?:the\s+)?{_DAY}{_ORD}?(?:\s+of)?(?:[\s-]+|[/.](?=[a-z]))"
    rf"{_MONTH}\b(?:\.?,?[\s/.-]+(?:{_YEAR}|{_YY})\b|\.)?",
    re.I,
)
WEEKDAY_BEFORE_RE = re.compile(rf"\b{_WEEKDAY}$", re.I)
# "on the 27th by Dr X" is a date; "the 3rd dose", "the 5th percentile" count something: an
# ordinal day must be followed by a clause boundary, a number or a function word.
ORDINAL_RE = re.compile(
    rf"\b(?:the|on)\s+{_DAY}{_ORD}\b(?=\s*(?:$|[^\w\s]|\d|(?:by|at|in|with|and|for|when"
    rf"|after|before|to|from|until|or|but|so|she|he|pt|we|they|i|was|is|now|then|pls|please"
    rf"|dob|seen|admitted|discharged)\b))",
    re.I,
)
# "m/d" without a year is a date only after a word that introduces one.
SHORT_RE = re.compile(
    r"(?i:\b(?:on|since|seen|from|until|till|dated|last|admitted|adm|discharged|d/c|dc|dos"
    r"|due|visit|started|stopped|dob|d\.o\.b\.?|born|birthday)\s*:?\s+)(?P<v>(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))"
    r"(?![\w/]|\.\d|\s*(?i:ns\b|lr\b|tabs?\b|strength|murmur|edema|pain|vision|d5|mg|units?))"
)
# A bare "m/d" heading a note line and set off by a dash ("7/25 - pt febrile", "hey 5/14 -
# …") dates the entry.  Scores written the same way follow what they score ("pain 8/10 -",
# "murmur 3/6 -"), so only the start of a segment or a chat opener may come before it.
HEADER_SHORT_RE = re.compile(
    r"(?:^|[:;|(]\s*|\s[-–—]\s+|(?i:\b(?:hey|hi|hello|sorry|q|fyi|pls\s+help|curbside|update"
    r"|note|quick\s+q))[:,]?\s+)"
    r"(?P<v>(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]))(?=\s+[-–—|:]\s)"
)
# A zero-padded "m/d" ("06/24", "12/06") is a calendar date even without a cue: murmur
# grades, pain and strength scores, blood pressures and acuities are never written with a
# leading zero.
PADDED_SHORT_RE = re.compile(
    r"(?<![\w/.:-])(?P<v>0[1-9]/(?:0[1-9]|[12]\d|3[01])|1[0-2]/0[1-9])(?![\w/]|[.:]\d)"
)
DOB_CUE_RE = re.compile(
    r"(?:\bDOB|\bD\.O\.B\.?|date\s+of\s+birth|\bbirth\s?date|\bbirthday|\bborn(?:\s+on)?|\bb\.)"
    r"\W{0,3}(?:is\s+|was\s+)?$",
    re.I,
)


def _numeric_ok(m: re.Match[str]) -> bool:
    a, sep, b, year = m.group(1), m.group(2), int(m.group(3)), m.group(4)
    if len(a) == 4:  # 2024/03/14, 2024-03-14, 2021-9-3
        return a[:2] in ("19", "20") and 1 <= b <= 12 and 1 <= int(year) <= 31 and len(year) < 3
    if len(year) == 1:
        return False  # "3/4/5" counts something; only a year-first date ends in one digit
    a_i = int(a)
    if len(year) == 2 and sep == ".":
        return False  # "1.2.25" is a version or a dose
    return (1 <= a_i <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a_i <= 31)


def date_spans(text: str) -> Iterator[tuple[int, int]]:
    """Every date-shaped span (overlaps possible; the caller keeps the best)."""
    for m in NUMERIC_RE.finditer(text):
        if _numeric_ok(m):
            day = WEEKDAY_BEFORE_RE.search(text, max(0, m.start() - 12), m.start())
            yield (day.start() if day else m.start()), m.end()
    for rx in (COMPACT_RE, MONTH_FIRST_RE, DAY_FIRST_RE, ORDINAL_RE):
        for m in rx.finditer(text):
            if rx is MONTH_FIRST_RE and _false_month(m.group()):
                continue
            yield m.start(), m.end()
    for rx in (SHORT_RE, HEADER_SHORT_RE, PADDED_SHORT_RE):
        for m in rx.finditer(text):
            yield m.start("v"), m.end("v")


def _false_month(value: str) -> bool:
    """"may 2" (the verb) and "mar" are months only with a day ordinal or a year."""
    word = value.split()[0].rstrip(".,").lower()
    return word == "may" and not re.search(rf"{_ORD}\b|\d{{4}}", value, re.I) and (
        not re.search(r"\d", value)
    )


def is_dob(text: str, start: int) -> bool:
    return bool(DOB_CUE_RE.search(text[max(0, start - 20) : start]))


# ages --------------------------------------------------------------------------------------
_OVER = (
    r"(?:ninety(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:one\s+)?hundred(?:\s+and)?(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine|ten"
    r"|\d{1,2}))?)"
)
_N = r"(?P<n>\d{2,3})"
_SEX = r"(?:[\s-]?(?:[mf]\b|male|female|man|woman|wom[ae]n|gentleman|lady))?"
_YO = r"(?:\s*-?\s*(?:years?|yrs?|y)\.?(?:\s*-?\s*old)?|\s*-?\s*y\.?/?o\.?|\s*-?\s*yo)"
AGE_RES = [
    # 93yo, 93 y/o F, 93-year-old, 93 yrs, 95yof, 90ym
    re.compile(rf"\b{_N}{_YO}(?:[mf]\b|\s*[mf]\b)?(?![a-z])", re.I),
    re.compile(rf"\b{_N}y[mf]\b", re.I),
    # 93F, 93 m (a two/three-digit number straight before a sex letter)
    re.compile(rf"\b{_N}\s?[mf]\b(?!\s*(?:°|fever|temp))", re.I),
    # aged 95, age: 93, age of 101
    # (a slash glued to the number is a ratio, "age 90/100"; one after a space separates
    # fields of a header, "age 104 / bun 70")
    re.compile(rf"\b(?:aged?|age\s*[:=]|age\s+of)\s*{_N}\b(?!\s*(?:%|mg|kg|cm|mm)|/|\.\d)", re.I),
    # turned 91, will be 90, is now 92, turning 95
    re.compile(rf"\b(?:turned|turns|turning|will\s+be)\s+{_N}\b"
               rf"(?!\s*(?:%|mg|kg|lbs?|cm|mm|bpm|min|weeks?|days?|months?|hours?|h\b)|/|\.\d)",
               re.I),
    # (93) right after a name or title, "is (98)"
    re.compile(rf"\({_N}\)"),
    # "she's 93", "pt is 95"
    re.compile(rf"\b(?:she|he|pt|patient)\s*(?:'s|’s|\s+is|\s+was)\s+(?:now\s+)?{_N}\b"
               rf"(?!\s*(?:%|mg|kg|lbs?|cm|mm|bpm|/|weeks?|days?|months?)|\.\d)", re.I),
]
AGE_WORDS_RE = re.compile(
    rf"\b{_OVER}(?:[\s-]*(?:years?|yrs?|y/?o)(?:[\s-]*old)?|(?=\s*\)))", re.I
)
AGE_WORD_CUE_RE = re.compile(rf"\b(?:turned|turns|will\s+be|aged?)\s+{_OVER}\b", re.I)
TEMP_CUE_RE = re.compile(r"(?:\b(?:t|tmax|temp\w*|febrile|fever\w*)\W{0,3}|°\s*)$", re.I)


def age_spans(text: str) -> Iterator[tuple[int, int]]:
    """Ages of 90 to 125, in digits or words."""
    for rx in AGE_RES:
        for m in rx.finditer(text):
            if 90 <= int(m.group("n")) <= 125 and not TEMP_CUE_RE.search(
                text[max(0, m.start() - 12) : m.start()]
            ):
                yield m.start(), m.end()
    for rx in (AGE_WORDS_RE, AGE_WORD_CUE_RE):
        for m in rx.finditer(text):
            yield m.start(), m.end()
