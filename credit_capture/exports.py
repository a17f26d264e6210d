"""Transcripts, certificates and external reports, as pure functions over plain data.

Callers (web app, CLI) load claims and episodes and pass them in; nothing here touches a
database, so every format can be tested from hand-built objects. Each report checks its
rows before producing output: a PARS upload or LRS post rejected halfway is worse than
an error that names the learner and field to fix.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from credit_capture.audit import as_utc
from credit_capture.claims import NetClaim, net_claims
from credit_capture.credit_errors import InvalidExport, NameRequired, ProviderNotConfigured
from credit_capture.rules import DEMONSTRATION, CreditRules
from credit_capture.spreadsheet import safe_cell


@dataclass(frozen=True)
class LearnerProfile:
    """What PARS needs about a learner; the app maps its accounts onto this."""

    learner_id: str
    first_name: str
    last_name: str
    board: str | None
    board_id: str | None
    birth_month: int | None
    birth_day: int | None
    consent: bool


@dataclass(frozen=True)
class TranscriptRow:
    date: date
    question: str
    sources: str
    credit_type: str
    amount: float
    status: str = ""


def claim_status(claim: Any) -> str:
    """What a record is worth: real credit, or a demonstration record; demo content noted."""
    status = "credit" if getattr(claim, "accredited", False) else DEMONSTRATION
    if getattr(claim, "demo_content", False):
        status += " (demonstration content)"
    return status


def _day(claim: Any) -> date:
    return as_utc(claim.issued_at).date()


def _standing(claims: Iterable[Any]) -> list[NetClaim]:
    """Claims that still carry credit after corrections, oldest first."""
    kept = [n for n in net_claims(claims) if n.amount > 0]
    return sorted(kept, key=lambda n: as_utc(n.claim.issued_at))


def _sources_text(episode: Any) -> str:
    if not episode.sources:
        return "learner's own sources (no vetted answer)" if episode.abstained else ""
    return "; ".join(
        f"{s.get('title') or s.get('doc_id')} [{str(s.get('version', ''))[:12]}]"
        for s in episode.sources
    )


# ---------------------------------------------------------------- transcript


def transcript_rows(
    claims: Iterable[Any], episodes: Iterable[Any], *, rules: CreditRules | None = None
) -> list[TranscriptRow]:
    """One row per standing claim; credit types shown by label when rules are given."""
    by_id = {e.id: e for e in episodes}
    rows = []
    for net in _standing(claims):
        episode = by_id[net.claim.episode_id]
        kind = net.claim.credit_type
        label = rules.credit_type(kind).label if rules else kind
        status = claim_status(net.claim)
        if net.amount != net.claim.amount:  # shown, so the figure is never a surprise
            status += f" (corrected from {net.claim.amount:g})"
        rows.append(TranscriptRow(_day(net.claim), episode.question, _sources_text(episode),
                                  label, net.amount, status))
    return rows


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas: questions are free text typed by users."""
    return safe_cell(value)


def transcript_csv(rows: Iterable[TranscriptRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "question", "sources", "credit_type", "amount", "status"])
    for r in rows:
        writer.writerow([r.date.isoformat(), _cell(r.question), _cell(r.sources),
                         r.credit_type, f"{r.amount:g}", r.status])
    return out.getvalue()


# ---------------------------------------------------------------- certificate

_PDF_REPLACEMENTS = {"™": "(TM)", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                     "…": "...", "•": "-"}


def pdf_safe(text: str) -> str:
    """Text the PDF core fonts (Latin-1) can draw: ™ becomes (TM), the rest "?"."""
    for char, plain in _PDF_REPLACEMENTS.items():
        text = text.replace(char, plain)
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(
    *,
    learner_name: str,
    claims: Iterable[Any],
    rules: CreditRules,
    period: tuple[date, date] | None = None,
) -> bytes:
    """The learner's certificate for each standing claim, totals and designations.

    Honest by construction: it is issued in a name (never an e-mail address), and states
    an accreditation only for claims issued while an accredited provider was configured;
    anything else is a plain record of participation marked as a demonstration.
    """
    if not learner_name.strip() or "@" in learner_name:
        raise NameRequired()
    standing = [n for n in _standing(claims)
                if period is None or period[0] <= _day(n.claim) <= period[1]]
    valid = rules.accredited and any(getattr(n.claim, "accredited", False) for n in standing)
    pdf = FPDF(format="Letter")
    pdf.set_title(pdf_safe(f"Certificate - {learner_name}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)

    def line(text: str, h: float = 7, **kw: Any) -> None:
        pdf.multi_cell(0, h, pdf_safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, **kw)

    line("Certificate" if valid else "Record of Participation", 10, align="C")
    pdf.set_font("Helvetica", "", 12)
    if valid:
        line(rules.provider.name, align="C")
    else:
        pdf.set_font("Helvetica", "B", 12)
        line(f"{DEMONSTRATION}.", align="C")
        pdf.set_font("Helvetica", "", 12)
        line("No accredited provider is configured for this activity.", align="C")
    pdf.ln(4)
    line("This certifies that" if valid else "This records that")
    pdf.set_font("Helvetica", "B", 14)
    line(learner_name)
    pdf.set_font("Helvetica", "", 12)
    line(f"participated in {rules.activity_title} (activity {rules.activity_id}).")
    if period:
        line(f"Period: {period[0].isoformat()} to {period[1].isoformat()}")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    for text, w in (("Date", 35), ("Credit type", 110), ("Amount", 30)):
        pdf.cell(w, 7, text, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 11)
    totals: dict[str, float] = {}
    for net in standing:
        kind = rules.credit_type(net.claim.credit_type)
        real = valid and getattr(net.claim, "accredited", False)
        if real:
            totals[kind.key] = totals.get(kind.key, 0.0) + net.amount
        pdf.cell(35, 7, _day(net.claim).isoformat())
        pdf.cell(110, 7, pdf_safe(kind.label if real else f"{kind.label} (demonstration)"))
        pdf.cell(30, 7, f"{net.amount:g} {kind.unit}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not standing:
        line("No credit claimed in this period.")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    for key, total in totals.items():
        kind = rules.credit_type(key)
        line(f"Total: {round(total, 4):g} {kind.unit} - {kind.label}")
    pdf.set_font("Helvetica", "", 9)
    if totals:
        pdf.ln(2)
        line(rules.provider.accreditation, 5)
    for key in totals:
        pdf.ln(2)
        line(rules.designation(key), 5)
    return bytes(pdf.output())


# ---------------------------------------------------------------- ACCME PARS

PARS_HEADER = ("Completion Date", "Board ID", "First Name", "Last Name", "Birth Month",
               "Birth Day", "Activity ID", "Board", "CME Credits", "MOC Points")
# Certifying boards whose MOC points ACCME PARS takes (accme.org, "Submit Data via Batch
# Upload or Web Services", checked 2026-12-07).
PARS_BOARDS = ("ABA", "ABIM", "ABOS", "ABOHNS", "ABPATH", "ABP", "ABS", "ABTS")
_BAD_CHARS = re.compile(r"[\t\r\n]")
BOARD_ID = re.compile(r"^[A-Za-z0-9-]{1,20}$")  # a board-issued ID, as PARS takes it


def _check_learner(p: LearnerProfile, *, moc: bool) -> None:
    def bad(field: str, problem: str) -> InvalidExport:
        return InvalidExport(p.learner_id, field, problem)

    for field in ("first_name", "last_name", "board_id"):
        value = getattr(p, field)
        if not value or not str(value).strip():
            raise bad(field, "is missing")
        if _BAD_CHARS.search(str(value)):
            raise bad(field, "contains a tab or line break")
    if not BOARD_ID.match(p.board_id.strip()):
        raise bad("board_id", f"must be the board's ID: letters, digits or '-' "
                              f"(got {p.board_id!r})")
    if moc and (p.board or "").upper() not in PARS_BOARDS:
        raise bad("board", f"must be one of {', '.join(PARS_BOARDS)} to report MOC points "
                           f"(got {p.board!r})")
    if not isinstance(p.birth_month, int) or not 1 <= p.birth_month <= 12:
        raise bad("birth_month", f"must be 1-12 (got {p.birth_month!r})")
    last_day = calendar.monthrange(2000, p.birth_month)[1]  # leap year: 29 Feb is valid
    if not isinstance(p.birth_day, int) or not 1 <= p.birth_day <= last_day:
        raise bad("birth_day", f"must be 1-{last_day} for month {p.birth_month} "
                               f"(got {p.birth_day!r})")


@dataclass
class _Completion:
    """One learner's one completed cycle: its CME credits and MOC points together."""

    day: date
    profile: LearnerProfile
    cme: float = 0.0
    moc: float = 0.0


def _completions(profiles: dict[str, LearnerProfile], claims: Iterable[Any],
                 rules: CreditRules, start: date, end: date) -> list[_Completion]:
    found: dict[tuple[str, str], _Completion] = {}
    for net in _standing(claims):
        claim, day = net.claim, _day(net.claim)
        kind = rules.credit_type(claim.credit_type)
        p = profiles.get(claim.learner_id)
        if p is None or kind.pars_code is None or not start <= day <= end:
            continue
        if not getattr(claim, "accredited", False):  # a demonstration record is not credit
            continue
        if kind.board and (p.board or "").upper() != kind.board.upper():
            continue
        done = found.setdefault((claim.learner_id, claim.episode_id), _Completion(day, p))
        done.day = min(done.day, day)
        if kind.unit == "MOC points":
            done.moc = round(done.moc + net.amount, 4)
        else:
            done.cme = round(done.cme + net.amount, 4)
    return sorted(found.values(), key=lambda c: (c.day, c.profile.last_name,
                                                 c.profile.first_name))


def pars_export(
    *,
    learners: Iterable[LearnerProfile],
    claims: Iterable[Any],
    rules: CreditRules,
    start: date,
    end: date,
) -> str:
    """Tab-delimited ACCME PARS learner completions for cycles completed in [start, end]:
    one row per completion, its AMA PRA Category 1 credits and MOC points side by side.

    What was checked (2026-12-07), since a rejected upload helps nobody:

    - ACCME FAQ "What information should I collect about each board-certified physician
      ... registered for MOC": date of completion, the board-assigned ID, first name, last
      name and date of birth (month/day). ACCME FAQ 10501 lists the same learner data
      (name, licence and/or board ID, month and day of birth).
    - ACCME "Excel Template Instructions for Submitting Learner Completion Data" (19 Nov
      2025) and the tutorial "Reporting Learner Data in PARS": a batch row may carry CME,
      MOC or both for one completion ("report CME and MOC in a single completion record"),
      so a cycle claimed as AMA PRA Category 1 and ABIM MOC is one row, not two.
    - ACCME FAQ on mismatches: PARS refuses a record whose learner data does not match the
      board's, so every field is validated here first and the learner named on failure.
    - "Submit Data via Batch Upload or Web Services": the boards that take MOC via PARS
      (:data:`PARS_BOARDS`).

    The column names are this export's own; the ACCME Learner Template B heading text could
    not be read, so map the columns onto the current template when uploading. Every text
    cell is spreadsheet-safe (a leading = + - @ is neutralised), as the file is usually
    opened in Excel first. Only learners who consented and have a board ID are reported,
    only accredited claims of credit types with a PARS code, MOC only for that board's
    learners; a demonstration install (no provider configured) has nothing to report.
    """
    if not rules.accredited:
        raise ProviderNotConfigured()
    profiles = {p.learner_id: p for p in learners if p.consent and p.board_id}
    lines = ["\t".join(PARS_HEADER)]
    for done in _completions(profiles, claims, rules, start, end):
        p = done.profile
        if done.cme <= 0 and done.moc <= 0:
            continue
        _check_learner(p, moc=done.moc > 0)
        lines.append("\t".join([
            done.day.strftime("%m/%d/%Y"), _cell(p.board_id.strip()),
            _cell(p.first_name.strip()), _cell(p.last_name.strip()), str(p.birth_month),
            str(p.birth_day), _cell(rules.activity_id), _cell((p.board or "").strip().upper()),
            f"{done.cme:g}", f"{done.moc:g}",
        ]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- xAPI 1.0.3

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/module"
EXT_CREDIT = "https://curbside.example.org/xapi/extensions/credit"
DEFAULT_ACTIVITY_BASE = "https://curbside.example.org/xapi/episodes/"
_STATEMENT_NS = uuid.UUID("6f1f3c1e-7d0a-4c55-9a55-2a4a0c0e5c01")
_EMAIL = re.compile(r"^[^@\s:]+@[^@\s]+\.[^@\s]+$")


def xapi_statements(
    *,
    claims: Iterable[Any],
    episodes: Iterable[Any],
    learner_email: str,
    learner_name: str,
    activity_base: str = DEFAULT_ACTIVITY_BASE,
) -> list[dict]:
    """One "completed" statement per standing claim.

    Statement ids derive from the claim id (UUID v5), so re-sending to an LRS is idempotent.
    """
    if not _EMAIL.match(learner_email or ""):
        raise InvalidExport(learner_name, "email", f"is not an e-mail address ({learner_email!r})")
    by_id = {e.id: e for e in episodes}
    out = []
    for net in _standing(claims):
        claim = net.claim
        episode = by_id[claim.episode_id]
        out.append({
            "id": str(uuid.uuid5(_STATEMENT_NS, f"claim:{claim.id}")),
            "actor": {"objectType": "Agent", "name": learner_name,
                      "mbox": f"mailto:{learner_email}"},
            "verb": {"id": VERB_COMPLETED, "display": {"en-US": "completed"}},
            "object": {
                "objectType": "Activity",
                "id": activity_base.rstrip("/") + "/" + episode.id,
                "definition": {
                    "name": {"en-US": episode.question[:250]},
                    "description": {"en-US": "Internet point-of-care learning cycle: clinical "
                                             "question, sources consulted, reflection."},
                    "type": ACTIVITY_TYPE,
                },
            },
            "result": {"completion": True, "extensions": {EXT_CREDIT: {
                "type": claim.credit_type, "amount": net.amount, "claim_id": claim.id,
                "sources": [s.get("doc_id") for s in episode.sources]}}},
            "timestamp": as_utc(claim.issued_at).isoformat().replace("+00:00", "Z"),
        })
    return out


_STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                   "authority", "version", "attachments"}
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def _is_iri(value: Any) -> bool:
    parsed = urlparse(value) if isinstance(value, str) else None
    return bool(parsed and parsed.scheme and (parsed.netloc or parsed.path))


def _lang_map(value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, dict) or not value:
        problems.append(f"{where} must be a non-empty language map")
        return
    for tag, text in value.items():
        if not _LANG.match(str(tag)) or not isinstance(text, str):
            problems.append(f"{where} has an invalid entry {tag!r}")


def _check_actor(actor: Any, problems: list[str]) -> None:
    if not isinstance(actor, dict):
        problems.append("actor must be an object")
        return
    if actor.get("objectType", "Agent") not in ("Agent", "Group"):
        problems.append("actor.objectType must be Agent or Group")
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        problems.append("actor must have exactly one identifier (mbox, mbox_sha1sum, ...)")
    mbox = actor.get("mbox")
    if mbox is not None and not (isinstance(mbox, str) and mbox.startswith("mailto:")
                                 and _EMAIL.match(mbox.removeprefix("mailto:"))):
        problems.append("actor.mbox must be 'mailto:' followed by an e-mail address")


def validate_xapi(statement: dict) -> list[str]:
    """Problems that would make an xAPI 1.0.3 LRS reject the statement (empty = valid)."""
    problems: list[str] = []
    if not isinstance(statement, dict):
        return ["statement must be a JSON object"]
    unknown = set(statement) - _STATEMENT_KEYS
    if unknown:
        problems.append(f"unknown properties: {', '.join(sorted(unknown))}")
    for key in ("actor", "verb", "object"):
        if key not in statement:
            problems.append(f"{key} is required")
    if "id" in statement:
        try:
            uuid.UUID(str(statement["id"]))
        except ValueError:
            problems.append("id must be a UUID")
    _check_actor(statement.get("actor"), problems)
    verb = statement.get("verb") or {}
    if not _is_iri(verb.get("id")):
        problems.append("verb.id must be an IRI")
    if "display" in verb:
        _lang_map(verb["display"], "verb.display", problems)
    obj = statement.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity":
        if not _is_iri(obj.get("id")):
            problems.append("object.id must be an IRI")
        definition = obj.get("definition") or {}
        for key in ("name", "description"):
            if key in definition:
                _lang_map(definition[key], f"object.definition.{key}", problems)
        if "type" in definition and not _is_iri(definition["type"]):
            problems.append("object.definition.type must be an IRI")
    result = statement.get("result") or {}
    for key in ("completion", "success"):
        if key in result and not isinstance(result[key], bool):
            problems.append(f"result.{key} must be true or false")
    for key in (result.get("extensions") or {}):
        if not _is_iri(key):
            problems.append(f"result.extensions key {key!r} must be an IRI")
    if "timestamp" in statement:
        try:
            moment = datetime.fromisoformat(str(statement["timestamp"]))
            if moment.tzinfo is None:
                problems.append("timestamp must include a time zone")
        except ValueError:
            problems.append("timestamp must be ISO 8601")
    return problems
