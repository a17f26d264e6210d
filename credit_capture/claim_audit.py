"""An ACCME-style audit of a random sample of credit claims.

An accreditor does not read every record: it draws a handful of claims and asks, for each,
whether the learning cycle really happened. This module answers the same questions from
the stored records, with the rules the product itself applies, so an admin finds a bad
record before an accreditor does:

1. **clinical question**: the claim's inquiry exists, is the learner's own, and is judged a
   clinical question now by the answering path's own test (injected as ``is_clinical``, so
   this module needs no index and never imports the web layer);
2. **sources opened**: at least one of the answer's sources was opened before the
   reflection, and each recorded opening has its ``episode.source_opened`` audit event (a
   question Curbside could not answer needs the learner's own sources instead);
3. **real reflection**: the stored reflection passes today's reflection validation (no
   empty or token answers, application to practice documented) and was written within the
   window, before the claim;
4. **credit type**: the rules file offers that credit type to the learner's profession;
5. **certificate**: a certificate is produced for the claim and, read back from the PDF,
   carries the learner's name, the standing amount, and the provider's accreditation
   statement, or the demonstration watermark when no provider is configured;
6. **audit chain**: the claim (and each correction) was issued by a sealing event, and
   ``audit verify`` reports nothing against it or against the log as a whole.

A corrected claim is audited as it now stands (original plus corrections). Nothing here
writes: the audit may be run on a live database at any time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from sqlmodel import Session, col, select

from credit_capture import audit, claims, episodes, exports
from credit_capture.credit_errors import (
    InvalidReflection,
    NameRequired,
    NotForProfession,
    ProfessionRequired,
    UnknownCreditType,
)
from credit_capture.errors import CreditError
from credit_capture.models import Inquiry
from credit_capture.rules import DEMONSTRATION, CreditRules

CRITERIA = ("clinical question", "sources opened", "real reflection", "credit type",
            "certificate", "audit chain")
# (question, the earlier question a follow-up continues, or None) -> is it clinical?
ClinicalJudge = Callable[[str, str | None], bool]
_RECORD_ID = re.compile(r"\b[0-9a-f]{32}\b")  # claim, episode and reflection ids (uuid4 hex)


class NothingToAudit(CreditError):
    """The database holds no claim yet, so there is no sample to draw."""

    def __init__(self) -> None:
        super().__init__("no credit claims to audit yet")


@dataclass(frozen=True)
class LearnerOnRecord:
    """What the audit needs to know about a learner; the app maps its accounts onto it."""

    learner_id: str
    first_name: str
    last_name: str
    profession: str | None

    @property
    def certificate_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Finding:
    """One criterion's verdict for one claim, with the evidence an auditor would read."""

    criterion: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class ClaimAudit:
    """Every criterion for one sampled claim, as it stands after corrections."""

    claim_id: str
    learner: str
    profession: str | None
    credit_type: str
    standing: float
    issued_amount: float
    issued_on: str
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.findings)

    @property
    def failed_criteria(self) -> list[str]:
        return [f.criterion for f in self.findings if not f.passed]


@dataclass
class AuditSample:
    """The drawn sample: which claims, with what seed, and what each was found to be."""

    seed: int
    total_claims: int
    audited: list[ClaimAudit] = field(default_factory=list)
    chain_problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.audited)

    @property
    def failed(self) -> list[ClaimAudit]:
        return [c for c in self.audited if not c.passed]


# ------------------------------------------------------------------------------ sampling

def _originals(session: Session) -> list[claims.Claim]:
    """Every original claim in a fixed order, so one seed always draws the same sample."""
    stmt = select(claims.Claim).where(col(claims.Claim.corrects_claim_id).is_(None))
    return sorted(session.exec(stmt), key=lambda c: (audit.as_utc(c.issued_at), c.id))


def draw_sample(session: Session, *, size: int, seed: int) -> tuple[int, list[claims.Claim]]:
    """``size`` original claims drawn at random (all of them when there are fewer), in
    issue order, and how many there were to draw from."""
    if size < 1:
        raise ValueError("the sample size must be at least 1")
    everything = _originals(session)
    if not everything:
        raise NothingToAudit()
    drawn = random.Random(seed).sample(everything, min(size, len(everything)))
    return len(everything), sorted(drawn, key=lambda c: (audit.as_utc(c.issued_at), c.id))


def audit_sample(
    session: Session,
    *,
    rules: CreditRules,
    learners: Mapping[str, LearnerOnRecord],
    is_clinical: ClinicalJudge,
    size: int,
    seed: int,
) -> AuditSample:
    """Draw ``size`` claims with ``seed`` and check each against every criterion."""
    total, drawn = draw_sample(session, size=size, seed=seed)
    report = audit.verify(session)
    chain_wide = [p for p in report.problems if not _RECORD_ID.search(p)]
    sample = AuditSample(seed=seed, total_claims=total, chain_problems=list(report.problems))
    for claim in drawn:
        sample.audited.append(audit_claim(
            session, claim, rules=rules, learner=learners.get(claim.learner_id),
            is_clinical=is_clinical, verify_problems=report.problems, chain_wide=chain_wide,
        ))
    return sample


# ------------------------------------------------------------------------------ one claim

def audit_claim(
    session: Session,
    claim: claims.Claim,
    *,
    rules: CreditRules,
    learner: LearnerOnRecord | None,
    is_clinical: ClinicalJudge,
    verify_problems: list[str],
    chain_wide: list[str],
) -> ClaimAudit:
    """Every criterion for one original claim, judged on the record as it now stands."""
    fixes = claims.corrections_of(session, claim.id)
    standing = claims.net_claims([claim, *fixes])[0].amount
    episode = session.get(episodes.Episode, claim.episode_id)
    reflection = episodes.get_reflection(session, episode_id=claim.episode_id)
    profession = claim.profession or (learner.profession if learner else None)
    try:
        label = rules.credit_type(claim.credit_type).label
    except UnknownCreditType:
        label = claim.credit_type
    if episode is None:  # nothing to judge the cycle by: its first three steps all fail
        gone = f"episode {claim.episode_id} is missing"
        evidence = [Finding(criterion, False, gone) for criterion in CRITERIA[:3]]
    else:
        evidence = [
            _clinical_question(session, claim, episode, is_clinical),
            _sources_opened(session, episode, reflection),
            _real_reflection(claim, episode, reflection),
        ]
    ids = {claim.id, claim.episode_id, *(f.id for f in fixes)}
    if reflection is not None:
        ids.add(reflection.id)
    findings = (
        *evidence,
        _credit_type(rules, claim, profession, learner),
        _certificate(rules, claim, fixes, standing, learner),
        _audit_chain(session, claim, fixes, ids, verify_problems, chain_wide),
    )
    return ClaimAudit(
        claim_id=claim.id,
        learner=(learner.certificate_name or learner.learner_id) if learner else claim.learner_id,
        profession=profession, credit_type=label, standing=standing,
        issued_amount=claim.amount, issued_on=f"{audit.as_utc(claim.issued_at):%Y-%m-%d}",
        findings=findings,
    )


def _clinical_question(session: Session, claim: Any, episode: Any,
                       is_clinical: ClinicalJudge) -> Finding:
    """The question that opened the episode, judged by the answering path's own test."""
    name = "clinical question"
    inquiry = session.get(Inquiry, episode.inquiry_id)
    if inquiry is None:
        return Finding(name, False, f"inquiry {episode.inquiry_id} is missing")
    if inquiry.learner_id != claim.learner_id:
        return Finding(name, False, "the inquiry was asked by someone else")
    earlier_id = (inquiry.signals or {}).get("follow_up_of")
    earlier = session.get(Inquiry, earlier_id) if earlier_id else None
    quoted = _quote(inquiry.question)
    if not is_clinical(inquiry.question, earlier.question if earlier else None):
        return Finding(name, False, f"{quoted} is not a clinical question")
    return Finding(name, True, quoted + (" (a follow-up)" if earlier else ""))


def _sources_opened(session: Session, episode: Any, reflection: Any) -> Finding:
    """Step 2 of the cycle: a source consulted, not merely shown, and audited when opened."""
    name = "sources opened"
    if episode.abstained and not episode.sources:
        own = len(reflection.own_sources) if reflection is not None else 0
        if own:
            return Finding(name, True, f"not covered by Curbside; learner named {own} own "
                                       "source(s)")
        return Finding(name, False, "not covered by Curbside and no own source named")
    shown = {s.get("doc_id") for s in episode.sources}
    opened = [o for o in episode.opened or [] if o.get("doc_id") in shown]
    if not opened:
        return Finding(name, False, f"none of the {len(shown)} source(s) shown was opened")
    events = audit.events_for(session, entity="episode", entity_id=episode.id)
    logged = {((e.payload or {}).get("doc_id"), (e.payload or {}).get("via"))
              for e in events if e.action == "episode.source_opened"}
    unlogged = [o["doc_id"] for o in opened if (o["doc_id"], o.get("via")) not in logged]
    if unlogged:
        return Finding(name, False, f"opening of {', '.join(unlogged)} has no audit event")
    if reflection is not None:
        reflected = audit.as_utc(reflection.created_at)
        if all(_when(o) is not None and _when(o) > reflected for o in opened):
            return Finding(name, False, "sources were opened only after the reflection")
    ways = ", ".join(sorted({o.get("via", "?") for o in opened}))
    return Finding(name, True, f"{len({o['doc_id'] for o in opened})} of {len(shown)} opened "
                               f"({ways}), each in the audit log")


def _when(opening: dict) -> datetime | None:
    try:
        return audit.as_utc(datetime.fromisoformat(str(opening.get("at"))))
    except ValueError:
        return None


_REFLECTION_FIELDS = ("reason", "answered", "outcome", "relevance", "patient_use",
                      "health_benefit", "practice_change", "barriers", "free_text",
                      "baseline_answer", "retention_answer", "change_types", "own_sources")


def _real_reflection(claim: Any, episode: Any, reflection: Any) -> Finding:
    """The stored reflection passes the same validation a learner's submission meets."""
    name = "real reflection"
    if reflection is None:
        return Finding(name, False, "no reflection is stored for this cycle")
    if reflection.learner_id != claim.learner_id:
        return Finding(name, False, "the reflection was written by someone else")
    try:
        episodes.parse_reflection({k: getattr(reflection, k) for k in _REFLECTION_FIELDS})
    except InvalidReflection as exc:
        return Finding(name, False, "; ".join(exc.problems))
    written = audit.as_utc(reflection.created_at)
    if written > audit.as_utc(episode.due_at):
        return Finding(name, False, f"written {written:%Y-%m-%d}, after the window closed "
                                    f"({audit.as_utc(episode.due_at):%Y-%m-%d})")
    if written > audit.as_utc(claim.issued_at):
        return Finding(name, False, "written after the credit was issued")
    return Finding(name, True, f"{reflection.outcome}; {_quote(reflection.practice_change)}")


def _credit_type(rules: CreditRules, claim: Any, profession: str | None,
                 learner: LearnerOnRecord | None) -> Finding:
    """The rules file offers this credit type to the profession the learner claimed as."""
    name = "credit type"
    try:
        claims.check_offered(rules, profession, claim.credit_type)
    except UnknownCreditType:
        return Finding(name, False, f"{claim.credit_type} is not in the rules file")
    except ProfessionRequired:
        return Finding(name, False, f"no profession the rules know on record "
                                    f"({profession or 'none'})")
    except NotForProfession as exc:
        return Finding(name, False, f"{claim.credit_type} is not offered to {exc.profession} "
                                    f"(the rules give: {', '.join(exc.offered)})")
    note = ""
    if learner and claim.profession and rules.profession_key(learner.profession) not in (
            None, claim.profession):
        note = f" (profile now says {learner.profession})"
    return Finding(name, True, f"{claim.credit_type} is offered to "
                               f"{rules.profession(profession).label}{note}")


def pdf_text(content: bytes) -> str:
    """The certificate's words as a reader sees them, whitespace folded (lines wrap)."""
    from pypdf import PdfReader

    pages = PdfReader(BytesIO(content)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def _folded(text: str) -> str:
    return " ".join(exports.pdf_safe(text).split())


def _certificate(rules: CreditRules, claim: Any, fixes: list[Any], standing: float,
                 learner: LearnerOnRecord | None) -> Finding:
    """Produce the certificate the learner would download and read it back."""
    name = "certificate"
    if learner is None:
        return Finding(name, False, "no account for this learner: no name to certify")
    try:
        kind = rules.credit_type(claim.credit_type)
    except UnknownCreditType:
        return Finding(name, False, f"credit type {claim.credit_type} is not in the rules file")
    if standing > kind.amount + 1e-9 or claim.amount > kind.amount + 1e-9:
        return Finding(name, False, f"stands at {standing:g} {kind.unit}; one cycle earns "
                                    f"{kind.amount:g}")
    try:
        text = pdf_text(exports.certificate_pdf(
            learner_name=learner.certificate_name, claims=[claim, *fixes], rules=rules))
    except NameRequired:
        return Finding(name, False, "the learner's profile has no name: the certificate "
                                    "would be refused")
    missing = []
    if _folded(learner.certificate_name) not in text:
        missing.append("the learner's name")
    amount = f"{standing:g} {kind.unit}"
    if standing > 0 and amount not in text:
        missing.append(f"the amount ({amount})")
    if standing == 0 and "No credit claimed" not in text:
        missing.append("the void (it still shows credit)")
    real = rules.accredited and claim.accredited
    if real:
        for what, wanted in (("the accreditation statement", rules.provider.accreditation),
                             ("the designation statement", rules.designation(kind.key))):
            if _folded(wanted) not in text:
                missing.append(what)
    elif _folded(DEMONSTRATION) not in text:
        missing.append(f"the {DEMONSTRATION!r} watermark")
    if missing:
        return Finding(name, False, "certificate lacks " + ", ".join(missing))
    shown = "voided: no credit shown" if standing == 0 else amount
    status = "accreditation statement" if real else "demonstration watermark"
    corrected = f" (corrected from {claim.amount:g})" if fixes else ""
    return Finding(name, True, f"name, {shown}{corrected}, {status}")


def _audit_chain(session: Session, claim: Any, fixes: list[Any], ids: set[str],
                 verify_problems: list[str], chain_wide: list[str]) -> Finding:
    """Issued by a sealing event, and `audit verify` finds nothing against this record."""
    name = "audit chain"
    issued = [e for e in audit.events_for(session, entity="claim", entity_id=claim.id)
              if e.action == "claim.issued"]
    if not issued:
        return Finding(name, False, "no claim.issued event: the claim is not in the audit chain")
    for fix in fixes:
        if not any(e.action == "claim.corrected"
                   for e in audit.events_for(session, entity="claim", entity_id=fix.id)):
            return Finding(name, False, f"correction {fix.id[:8]} has no claim.corrected event")
    against = [p for p in verify_problems if set(_RECORD_ID.findall(p)) & ids]
    if against or chain_wide:
        return Finding(name, False, "audit verify: " + "; ".join((against or chain_wide)[:2]))
    sealed = "sealed" if issued[0].row_digest else "recorded"
    return Finding(name, True, f"{sealed} at seq {issued[0].seq}"
                               + (f", {len(fixes)} correction(s) sealed" if fixes else "")
                               + "; audit verify finds nothing against it")


def _quote(text: str | None, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return '"' + (text if len(text) <= limit else text[:limit - 1] + "…") + '"'
