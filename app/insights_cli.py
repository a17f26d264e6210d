"""`curbside db`, `curbside insights` and `curbside demo` (contract: DESIGN.md section 3).

Registered by `app.cli.build_parser`; every failure is a `CliError` (one line, exit 2).
"""

from __future__ import annotations

import argparse


def _cli_error(message: str) -> Exception:
    from app.cli import CliError

    return CliError(message)


def _settings():
    from app.settings import Settings

    return Settings()


def cmd_db_upgrade(_: argparse.Namespace) -> int:
    from app.db import SchemaError, upgrade

    try:
        before, after = upgrade(_settings().resolved_database_url)
    except SchemaError as exc:
        raise _cli_error(str(exc)) from exc
    if before == after:
        print(f"database schema is current (revision {after})")
    else:
        print(f"database schema upgraded: {before or 'empty'} -> {after}")
    return 0


def cmd_db_status(_: argparse.Namespace) -> int:
    from app.db import current_revision, head_revision

    current, head = current_revision(_settings().resolved_database_url), head_revision()
    state = "current" if current == head else "needs upgrade (run: curbside db upgrade)"
    print(f"database revision {current or 'none'}, this release {head}: {state}")
    return 0 if current == head else 1


def _insights():
    from app.insights_service import insights_of
    from app.services import Curbside

    return insights_of(Curbside(_settings()))


def cmd_insights_rebuild(_: argparse.Namespace) -> int:
    report = _insights().rebuild()
    print(f"themes rebuilt: {report.themes} themes from {report.inquiries} questions "
          f"({report.embedded} newly embedded, {report.kept_ids} ids kept, "
          f"{report.unassigned} unassigned) in {report.seconds:.1f} s")
    return 0


def cmd_insights_themes(args: argparse.Namespace) -> int:
    import json

    insights = _insights()
    insights.join_new()
    shown, suppressed = insights.themes()
    if args.json:
        print(json.dumps({"themes": [t.as_dict() for t in shown], "suppressed": suppressed,
                          "min_clinicians": insights.settings.min_clinicians},
                         ensure_ascii=False))
        return 0
    for theme in shown:
        print(f"{theme.id}  {theme.questions:>5} questions  {theme.clinicians:>4} clinicians  "
              f"{theme.abstention_rate:>4.0%} abstained  {theme.label}")
    print(f"{len(shown)} themes shown; {suppressed} with fewer than "
          f"{insights.settings.min_clinicians} clinicians suppressed")
    return 0


def register(sub, usage) -> None:
    """Add the command groups to the top-level subparsers `sub`."""
    db = sub.add_parser("db", help="database schema: status, upgrade")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db.set_defaults(handler=usage(db))
    db_sub.add_parser("status", help="schema revision of the database vs this release; "
                      "exit 1 when an upgrade is due").set_defaults(handler=cmd_db_status)
    db_sub.add_parser("upgrade", help="migrate the database to this release (also done on "
                      "start)").set_defaults(handler=cmd_db_upgrade)

    insights = sub.add_parser("insights", help="needs-assessment themes and briefs for planners")
    insights_sub = insights.add_subparsers(dest="insights_command", metavar="ACTION")
    insights.set_defaults(handler=usage(insights))
    rebuild = insights_sub.add_parser(
        "rebuild", help="cluster all questions into themes again (persisting themes keep ids)")
    rebuild.set_defaults(handler=cmd_insights_rebuild)
    themes = insights_sub.add_parser("themes", help="list themes (k-anonymous)")
    themes.add_argument("--json", action="store_true", help='print {"themes": [...]}')
    themes.set_defaults(handler=cmd_insights_themes)
