"""`curbside claims list|correct` (registered by `app.cli`): an admin's corrections from
the shell, the same rules and messages as the /admin/claims page.

Every refusal (unknown claim, empty reason, a figure over what a cycle earns or over the
annual cap, an unknown or non-admin `--by`) is one `curbside: error:` line and exit 2.
"""

from __future__ import annotations

import argparse
import json


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


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 1 to 10000")
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
