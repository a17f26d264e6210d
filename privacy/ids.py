"""Identifier numbers of every other Safe Harbor kind: vehicles, licences, devices,
biometric templates, photos, accounts and payment cards, and any other unique number.

Two principles, neither a list of seen values:

* **A label names the kind.**  "plate", "VIN", "DL#", "serial", "fingerprint id",
  "employee ID" … followed by a value that holds a digit is that identifier; the value may
  be split by spaces or dashes ("321 058 950", "pnw 2496", "157 KKC").
* **A shape no clinical value has.**  A token mixing letters with four or more digits
  ("mr6612511", "1XRP304"), a run of seven or more digits, possibly grouped ("046-45-79"),
  a 17-character VIN, or an image file name.  Clinical tokens with digits are short
  ("A1c", "CHA2DS2", "PHQ-9", "G4P4", "3W-11") or are a number with a unit suffix
  ("500mg", "0300h"), and codes after CPT/ICD/LOINC/DRG labels are kept.
"""

from __future__ import annotations

import re

from privacy.hits import LABELLED, STRONG, WEAK, Hit

_LABELS = {
    "VEHICLE": r"plates?|licen[cs]e\s+plates?|tags?|reg(?:istration)?|VIN|vehicle(?:\s+id)?",
    "LICENSE": r"C?DL|driver'?s?\s+licen[cs]e|licen[cs]e|lic|state\s+id|passport|permit"
    r"|certificate|cert|NPI|DEA",
    "DEVICE": r"serial|S/?N|device(?:\s+id)?|IMEI|UDI",
    "ACCOUNT": r"(?:billing\s+|bank\s+|hospital\s+)?acc(?:oun)?t|(?:credit\s+|debit\s+)?card|IBAN",
    "BIOMETRIC": r"(?:finger|palm|voice)\s?prints?(?:\s+id)?|(?:retinal?|iris|face|facial)"
    r"\s+(?:scan|template|id)(?:\s+id)?|biometric(?:\s+id)?",
    "PHOTO": r"photo(?:graph)?\s+id|image\s+id",
    "ID": r"(?:employee|staff|badge|student|study|subject|study\s+subject|case|claim|inmate"
    r"|booking|ticket|voucher|record|file|chart|registration)(?:\s+(?:id|no|num(?:ber)?))?|id",
}
_LABEL_RE = re.compile(
    r"(?i:\b(?P<label>" + "|".join(f"(?P<{k}>{v})" for k, v in _LABELS.items()) + r")\b)"
    r"(?:\.|-(?=\w))?\s*(?:#|no\.?|num(?:ber)?|:|=)?\s*(?:is\s+)?#?\s*"
    r"(?P<v>(?:[A-Za-z0-9]|\(\d)[\w()\-/]*(?:[ ][A-Za-z0-9][\w\-]*){0,3})"
)
_STOP = frozenset(
    "on in at is was for and the pt mri ok of to by via per w with ems bracelet matched "
    "failed uploaded on file card denied needs says pls thx ty ip mac".split()
)
_KEEP_CODE_RE = re.compile(r"(?i:\b(?:cpt|icd(?:-?(?:9|10)(?:-cm)?)?|loinc|drg|ndc|hcpcs|snomed)"
                           r"[\s:#]*$)")
FILE_RE = re.compile(
    r"(?<![\w.])[\w\-]+\.(?i:jpe?g|png|heic|gif|tiff?|bmp|dcm|mov|mp4|pdf|webp)\b"
)
VIN_RE = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]{17}\b)(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{17}\b",
                    re.I)
_TOKEN_RE = re.compile(r"(?<![\w.,/:-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w/-]|[.,:]\d)")
_QUANTITY_RE = re.compile(r"^\d+(?:[a-z]{1,5})$", re.I)
_HASH_RE = re.compile(r"#\s?\d{4,}\b")
# A chromosome band ("15q24", "1p36", "Xq28") is a locus, not an identifier.
_BAND_RE = re.compile(r"(?:[1-9]|1\d|2[0-2]|X|Y)[pq][1-4]\d?", re.I)
# Payment cards and bank accounts are typed in groups of four: "9063 7527 0944 1418".
# Any number typed in three or more groups of 3-4 digits ("321 058 950", "4410-7720-193")
# is an identifier: clinical values come one or two at a time, or with units.
GROUPED_RE = re.compile(r"(?<![\w.,/:-])\d{3,4}(?:([ -])\d{3,4})(?:\1\d{3,4})+(?![\w/:-]|[.,]\d)")
CARD_RE = re.compile(r"(?<![\w-])\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}(?![\w-])")


def _value_end(value: str) -> int:
    """Length of the labelled value: chunks after the first must hold a digit or be a
    short code, and stop at an ordinary word."""
    chunks = value.split(" ")
    keep = [chunks[0]]
    for chunk in chunks[1:]:
        low = chunk.lower()
        if low in _STOP or not (any(c.isdigit() for c in chunk) or len(chunk) <= 4):
            break
        if not any(c.isdigit() for c in chunk) and not any(c.isdigit() for c in " ".join(keep)):
            break
        keep.append(chunk)
    while keep and not any(c.isdigit() for c in keep[-1]) and len(keep) > 1 and (
        keep[-1].lower() in _STOP
    ):
        keep.pop()
    return len(" ".join(keep).rstrip(".,;:)"))


def _labelled(text: str) -> list[Hit]:
    """Each label's value; the search resumes where the kept value ends, so a label that
    the previous value's regex ran over ("vin 1HGCM… plate wo18 uee") is still read."""
    hits, pos = [], 0
    while m := _LABEL_RE.search(text, pos):
        pos = m.end("label")
        kind = next(k for k in _LABELS if m.group(k))
        value = m.group("v")
        first, *rest = value.split(" ")
        if first.lower() in _STOP or not any(c.isdigit() for c in first + "".join(rest[:1])):
            continue
        end = m.start("v") + _value_end(value)
        if sum(c.isalnum() for c in text[m.start("v") : end]) < 4:
            continue
        hits.append(Hit("ID" if kind == "ID" else kind, m.start("v"), end, LABELLED - 0.02))
        pos = end
    return hits


def _shapes(text: str) -> list[Hit]:
    hits = []
    for m in _TOKEN_RE.finditer(text):
        token = m.group()
        digits = sum(c.isdigit() for c in token)
        letters = sum(c.isalpha() for c in token)
        if _KEEP_CODE_RE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        mixed = letters and digits >= 4 and not _QUANTITY_RE.match(token)
        mixed = mixed and not _BAND_RE.fullmatch(token)
        if mixed or (not letters and digits >= 7):
            hits.append(Hit("ID", m.start(), m.end(), WEAK))
    return hits


def id_hits(text: str) -> list[Hit]:
    """Labelled identifiers, file names, VINs and ID-shaped tokens (overlaps allowed)."""
    out = _labelled(text) + _shapes(text)
    out += [Hit("PHOTO", m.start(), m.end(), STRONG) for m in FILE_RE.finditer(text)]
    out += [Hit("VEHICLE", m.start(), m.end(), STRONG) for m in VIN_RE.finditer(text)]
    out += [Hit("ID", m.start(), m.end(), STRONG) for m in _HASH_RE.finditer(text)]
    out += [Hit("ACCOUNT", m.start(), m.end(), STRONG) for m in CARD_RE.finditer(text)]
    out += [Hit("ID", m.start(), m.end(), WEAK) for m in GROUPED_RE.finditer(text)]
    return out
