"""`curbside db`, `curbside insights` and `curbside demo` (contract: DESIGN.md section 3).

Registered by `app.cli.build_parser`; every failure is a `CliError` (one line, exit 2).
"""

from __future__ import annotations

import argparse
import sys


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


def cmd_insights_brief(args: argparse.Namespace) -> int:
    from pathlib import Path

    from insights.brief import render

    insights = _insights()
    insights.join_new()  # as the web brief: questions asked since the last view count too
    try:
        data = render(insights, args.week, args.format)
    except ValueError as exc:
        raise _cli_error(str(exc)) from exc
    out = Path(args.out)
    if not out.parent.is_dir():
        raise _cli_error(f"{out.parent}: no such folder")
    out.write_bytes(data)
    print(f"brief for {args.week} written to {out} ({len(data)} bytes)")
    return 0


def _demo_questions(count: int) -> list[str]:
    """Clinician-style questions shipped with the evals (in scope) and some the library
    does not cover (out of scope), so the demo shows gaps too."""
    import json
    import random
    from importlib.resources import files

    suites = files("evals") / "suites"
    def read(name: str) -> list[str]:
        text = (suites / name / "cases.jsonl").read_text(encoding="utf-8")
        return [json.loads(line)["question"] for line in text.splitlines() if line.strip()]

    inside = read("clinician_dev")
    random.Random(7).shuffle(inside)
    return inside[:count] + read("out_of_scope")


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.accounts import User
    from app.services import Curbside
    from insights import demo

    curbside = Curbside(_settings())
    if not curbside.files.exists():
        print("no index yet: ingesting content/ first", file=sys.stderr)
        curbside.ingest_cards()

    def answer(question: str) -> demo.Answered:
        result = curbside.answer(question)
        return demo.Answered(
            answer=result.answer, abstained=result.abstained,
            abstain_reason=result.abstain_reason, signals=result.signals or {},
            citations=[{"doc_id": c.doc_id, "title": c.title, "url": c.url,
                        "version": c.version, "score": c.score} for c in result.citations],
        )

    with Session(curbside.engine) as session:
        try:
            counts = demo.seed(session, questions=_demo_questions(args.questions),
                               answer=answer, user_model=User, today=curbside.settings.today(),
                               inquiries=args.inquiries, clinicians=args.clinicians)
        except ValueError as exc:
            raise _cli_error(str(exc)) from exc
    from app.insights_service import insights_of

    report = insights_of(curbside).rebuild()
    print(f"demo history: {counts['inquiries']} questions ({counts['questions']} distinct) "
          f"from {counts['clinicians']} clinicians, {counts['reflections']} reflections; "
          f"{report.themes} themes. Remove with: curbside demo clear")
    return 0


def cmd_demo_clear(_: argparse.Namespace) -> int:
    from sqlmodel import Session

    from app.accounts import User
    from app.insights_service import insights_of
    from app.services import Curbside
    from insights import demo

    curbside = Curbside(_settings())
    with Session(curbside.engine) as session:
        counts = demo.clear(session, user_model=User)
    insights_of(curbside).rebuild()
    print("removed demo data: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def cmd_content_requests(args: argparse.Namespace) -> int:
    import json

    from sqlmodel import Session

    from app.services import Curbside
    from insights import card_requests

    curbside = Curbside(_settings())
    with Session(curbside.engine) as session:
        if args.done is not None:
            try:
                done = card_requests.mark_done(session, args.done)
            except LookupError as exc:
                raise _cli_error(str(exc)) from exc
            print(f"request {done.id} marked done: {done.title}")
            return 0
        found = card_requests.requests(session, status=None if args.all else "open")
    if args.json:
        print(json.dumps({"requests": [r.as_dict() for r in found]}, ensure_ascii=False))
        return 0
    for r in found:
        closest = ", ".join(c["doc_id"] for c in r.near_cards) or "none"
        print(f"#{r.id} [{r.status}] {r.title} ({r.gaps} of {r.questions} questions "
              f"unanswered or low-confidence; requested {r.at:%Y-%m-%d} by {r.by}; "
              f"closest cards: {closest})")
        if r.card_id:
            print(f"    answered by card {r.card_id} since {r.closed_at:%Y-%m-%d}")
        if r.note:
            print(f"    {r.note}")
    state = "" if args.all else "open "
    print(f"{len(found)} {state}draft-card request{'s' if len(found) != 1 else ''} "
          f"from planners")
    return 0


def cmd_content_requests_close(args: argparse.Namespace) -> int:
    """Record the card that answers a request; the planner pages then follow the theme's
    abstention rate from that day."""
    import os
    from datetime import UTC, datetime

    from sqlmodel import Session

    from app.services import Curbside
    from insights import card_requests

    settings = _settings()
    curbside = Curbside(settings)
    # the settings' frozen day when pinned (tests, demos), else the real moment
    now = (datetime.combine(settings.frozen_date, datetime.min.time(), UTC)
           if settings.frozen_date else None)
    card = args.card.strip()
    versions = curbside.content_versions(card) if curbside.files.exists() else []
    if not versions:
        raise _cli_error(f"--card: no card {card!r} in the content index (add it under "
                         f"content/ and run `curbside ingest` first)")
    title = versions[-1][2].title
    with Session(curbside.engine) as session:
        try:
            done = card_requests.close(session, args.id, card_id=card, card_title=title,
                                       by=args.by or os.environ.get("USER", "cli"), now=now)
        except (LookupError, card_requests.CardRequestError) as exc:
            raise _cli_error(str(exc)) from exc
    print(f"request {done.id} answered by card {card} ({title}) since "
          f"{done.closed_at:%Y-%m-%d}: the planner pages now follow whether the gap closes")
    return 0


def register_content_requests(content_sub) -> None:
    """`curbside content requests`: draft cards planners asked for (from insights gaps)."""
    requests = content_sub.add_parser(
        "requests", help="draft cards planners asked for to close content gaps")
    requests.add_argument("--json", action="store_true", help='print {"requests": [...]}')
    requests.add_argument("--all", action="store_true", help="include done requests")
    requests.add_argument("--done", type=int, metavar="ID",
                          help="mark request ID done (its card exists)")
    requests.set_defaults(handler=cmd_content_requests)
    actions = requests.add_subparsers(dest="requests_action", metavar="ACTION",
                                      required=False)
    close = actions.add_parser("close", help="record the card that answers request ID")
    close.add_argument("id", type=int, metavar="ID", help="the request's number")
    close.add_argument("--card", required=True, metavar="SLUG",
                       help="id of the card (in the content index) that answers it")
    close.add_argument("--by", default="", help="who closes it (default: your login)")
    close.set_defaults(handler=cmd_content_requests_close)


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
    brief = insights_sub.add_parser("brief", help="the weekly learning brief")
    brief.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO week, e.g. 2026-W45")
    brief.add_argument("--format", default="pdf", choices=("pdf", "html", "md"))
    brief.add_argument("--out", required=True, metavar="FILE")
    brief.set_defaults(handler=cmd_insights_brief)

    demo = sub.add_parser("demo", help="synthetic history for a populated planner dashboard")
    demo_sub = demo.add_subparsers(dest="demo_command", metavar="ACTION")
    demo.set_defaults(handler=usage(demo))
    seed = demo_sub.add_parser("seed", help="add marked demo clinicians, questions, reflections")
    seed.add_argument("--inquiries", type=int, default=2000, help="questions asked (2000)")
    seed.add_argument("--clinicians", type=int, default=150, help="clinicians asking (150)")
    seed.add_argument("--questions", type=int, default=240,
                      help="distinct in-scope questions drawn from (240, plus 50 out of scope)")
    seed.set_defaults(handler=cmd_demo_seed)
    demo_sub.add_parser("clear", help="remove every demo row").set_defaults(
        handler=cmd_demo_clear)
