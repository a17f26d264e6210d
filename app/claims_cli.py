"""`curbside claims list|correct|audit` (registered by `app.cli`): an admin's corrections
from the shell, the same rules and messages as the /admin/claims page, and an ACCME-style
audit of a random sample of claims (the checks live in `credit_capture.claim_audit`).

Every refusal (unknown claim, empty reason, a figure over what a cycle earns or over the
annual cap, an unknown or non-admin `--by`, nothing to audit) is one `curbside: error:`
line and exit 2. `claims audit` exits 1 when a sampled claim fails a criterion.
"""

from __future__ import annotations

import argparse
import json
import random
import sys


def _learning():
    from app.cli import _curbside
    from app.learning import Learning

    return Learning(_curbside())


def _cli_error(message: str) -> Exception:
    from app.cli import CliError

    return CliError(message)


def _admin(learning, email: str | None) -> str:
    """The admin the correction is recorded under: --by, or the only active admin."""
    from sqlmodel import select

    from app.accounts import Role, User

    with learning.session() as session:
        admins = session.exec(select(User).where(User.role == Role.admin,
                                                 User.active == True)).all()  # noqa: E712
    if email:
        found = [a for a in admins if a.email.lower() == email.strip().lower()]
        if not found:
            raise _cli_error(f"{email} is not an active admin account")
        return found[0].email
    if len(admins) != 1:
        raise _cli_error("say which admin makes the correction: --by ADMIN_EMAIL")
    return admins[0].email


def cmd_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from app.corrections import find_claims

    views = find_claims(_learning(), args.query or "", limit=args.limit)
    if args.json:
        print(json.dumps({"claims": [asdict(v) for v in views]}))
        return 0
    for v in views:
        print(f"{v.id}\t{v.issued}\t{v.learner}\t{v.credit}\tissued {v.issued_amount:g}"
              f"\tnow {v.standing:g}")
        for f in v.corrections:
            print(f"\t{f.at}\t{f.amount:+g}\tby {f.by}\t{f.reason}")
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from app.corrections import correct
    from credit_capture.errors import CreditError

    learning = _learning()
    admin = _admin(learning, args.by)
    try:
        fix = correct(learning, admin=admin, claim_id=args.claim_id, credits=args.credits,
                      void=args.void, reason=args.reason)
    except CreditError as exc:
        raise _cli_error(str(exc)) from exc
    action = "voided" if args.void else f"now stands at {float(args.credits):g}"
    print(f"claim {fix.corrects_claim_id} {action} (correction {fix.id}, "
          f"{fix.amount:+g}, by {admin})")
    return 0


def _auditing_curbside():
    """Curbside as the audit needs it: the answering path only decides whether a question
    is clinical, which happens before any model writes, so no LLM is ever called."""
    from app.services import Curbside
    from app.settings import Settings

    return Curbside(Settings().model_copy(update={"llm": "none"}))


def _clinical_judge(curbside):
    """The answering path's own test of a clinical question (the one that decides whether
    an inquiry opens an episode), applied to the stored, scrubbed question."""

    def is_clinical(question: str, previous: str | None) -> bool:
        return bool(curbside.answer(question, previous=previous).clinical)

    return is_clinical


def cmd_audit(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from app.accounts import User
    from credit_capture.claim_audit import LearnerOnRecord, NothingToAudit, audit_sample

    curbside = _auditing_curbside()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 100000)
    with Session(curbside.engine) as session:
        learners = {u.id: LearnerOnRecord(u.id, u.first_name, u.last_name, u.profession)
                    for u in session.exec(select(User))}
        try:
            sample = audit_sample(session, rules=curbside.credit_rules, learners=learners,
                                  is_clinical=_clinical_judge(curbside), size=args.sample,
                                  seed=seed)
        except NothingToAudit as exc:
            raise _cli_error(str(exc)) from exc
    if args.json:
        print(json.dumps(_audit_json(sample, asked=args.sample)))
    else:
        _print_audit(sample, asked=args.sample)
    return 0 if sample.passed else 1


def _audit_json(sample, *, asked: int) -> dict:
    return {
        "seed": sample.seed, "asked": asked, "total_claims": sample.total_claims,
        "audited": len(sample.audited), "passed": sample.passed,
        "failed": [c.claim_id for c in sample.failed], "chain_problems": sample.chain_problems,
        "claims": [{
            "claim_id": c.claim_id, "learner": c.learner, "profession": c.profession,
            "credit_type": c.credit_type, "standing": c.standing,
            "issued_amount": c.issued_amount, "issued_on": c.issued_on, "passed": c.passed,
            "checks": [{"criterion": f.criterion, "passed": f.passed, "detail": f.detail}
                       for f in c.findings],
        } for c in sample.audited],
    }


def _print_audit(sample, *, asked: int) -> None:
    width = max(len(f.criterion) for c in sample.audited for f in c.findings)
    for c in sample.audited:
        corrected = (f" (issued {c.issued_amount:g}, corrected)"
                     if c.standing != c.issued_amount else "")
        print(f"claim {c.claim_id[:8]}  {c.learner} · {c.profession or 'no profession'} · "
              f"{c.credit_type} · {c.standing:g}{corrected} · issued {c.issued_on}")
        for f in c.findings:
            print(f"  {'pass' if f.passed else 'FAIL'}  {f.criterion:<{width}}  {f.detail}")
        print()
    for problem in sample.chain_problems:
        print(f"audit verify: {problem}", file=sys.stderr)
    drawn = f"{len(sample.audited)} of {sample.total_claims} claims"
    if len(sample.audited) < asked:
        drawn += f" (asked for {asked}; that is all there are)"
    verdict = f"{len(sample.audited) - len(sample.failed)} passed, {len(sample.failed)} failed"
    if sample.failed:
        verdict += ": " + "; ".join(f"{c.claim_id[:8]} {', '.join(c.failed_criteria)}"
                                    for c in sample.failed)
    print(f"audited {drawn}, seed {sample.seed}: {verdict}")


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 1 to 10000")
    return int(text)


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return int(text)


def register(sub, usage) -> None:
    """Add the `claims` command group to the top-level parser."""
    claims = sub.add_parser("claims", help="find and correct credit claims (admins)")
    claims_sub = claims.add_subparsers(dest="claims_command", metavar="ACTION")
    claims.set_defaults(handler=usage(claims))
    listing = claims_sub.add_parser("list", help="newest claims, or those matching a query")
    listing.add_argument("query", nargs="?", help="claim id (or its start), e-mail or name")
    listing.add_argument("--limit", type=_limit, default=50, help="at most this many")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)
    fix = claims_sub.add_parser(
        "correct", help="record what a claim should stand at (a new record; never an edit)")
    fix.add_argument("claim_id", metavar="CLAIM_ID")
    figure = fix.add_mutually_exclusive_group(required=True)
    figure.add_argument("--credits", metavar="X", help="the amount it should stand at")
    figure.add_argument("--void", action="store_true", help="void it (0 credits)")
    fix.add_argument("--reason", required=True, help="why (kept on the record and audited)")
    fix.add_argument("--by", metavar="ADMIN_EMAIL",
                     help="the admin making it (default: the only active admin)")
    fix.set_defaults(handler=cmd_correct)
    check = claims_sub.add_parser(
        "audit", help="ACCME-style audit of a random sample of claims (exit 1 if one fails)",
        description="For each sampled claim: a clinical question, sources opened, a real "
        "reflection, a credit type the learner's profession is offered, a valid certificate "
        "and an intact audit record. Corrected claims are audited as they now stand.")
    check.add_argument("--sample", type=_limit, default=10, metavar="N",
                       help="how many claims to draw at random (default 10)")
    check.add_argument("--seed", type=_seed, metavar="S",
                       help="draw the same sample again (printed with every audit)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_audit)
