"""`curbside reminders send` (registered by `app.cli`): e-mail due practice checks and
reflections about to close, each once. Meant for cron; safe to run as often as you like.

Exit 0 when everything due was sent (or nothing was due), 1 when the SMTP server refused
some messages (they are retried by the next run), 2 when e-mail is not configured.
"""

from __future__ import annotations

import argparse
import json
import sys


def cmd_send(args: argparse.Namespace) -> int:
    from app.cli import CliError, _curbside
    from app.practice import Practice
    from credit_capture.errors import CreditError

    try:
        report = Practice(_curbside()).send_reminders(dry_run=args.dry_run)
    except CreditError as exc:  # e-mail off, or a bad rules file
        raise CliError(str(exc)) from exc
    if args.json:
        print(json.dumps({"messages": report.messages, "items": report.items,
                          "already_sent": report.skipped, "failed": len(report.failed),
                          "dry_run": args.dry_run}))
    else:
        verb = "would send" if args.dry_run else "sent"
        print(f"{verb} {report.messages} message(s) with {report.items} reminder(s); "
              f"{report.skipped} already sent earlier")
    for error in dict.fromkeys(report.errors):
        print(f"curbside: error: {error}", file=sys.stderr)
    return 1 if report.failed else 0


def register(sub, usage) -> None:
    """Add the `reminders` command group to the top-level parser."""
    group = sub.add_parser("reminders", help="e-mail practice checks and closing reflections")
    group_sub = group.add_subparsers(dest="reminders_command", metavar="ACTION")
    group.set_defaults(handler=usage(group))
    send = group_sub.add_parser(
        "send", help="e-mail what is due now, each reminder once (run it from cron)")
    send.add_argument("--dry-run", action="store_true",
                      help="count what would be sent; send and record nothing")
    send.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    send.set_defaults(handler=cmd_send)
