"""The `curbside` command line (contract: DESIGN.md section 3, "CLI").

Every command prints a clear message and exits non-zero on bad input; no tracebacks.
Models load once per process, so `ask --file` answers thousands of questions quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from app.logs import configure_logging

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing failure: printed as `curbside: error: ...`, exit status 2."""


def _curbside():
    from app.services import Curbside
    from app.settings import Settings

    return Curbside(Settings())


def cmd_ingest(args: argparse.Namespace) -> int:
    curbside = _curbside()
    progress = sys.stderr.isatty() or args.progress
    if args.jsonl:
        report = curbside.ingest_jsonl(Path(args.jsonl), progress=progress, rebuild=args.rebuild)
    else:
        from retrieval.site_docs import is_site_document

        paths = [Path(p) for p in args.paths]
        site = [p for p in paths if is_site_document(p)]
        cards = [p for p in paths if not is_site_document(p)]
        if site and cards:
            from retrieval.cards import load_cards

            load_cards(cards)  # validate the cards before the documents are written
        if site:
            report = curbside.ingest_site_documents(site, progress=progress)
            print(f"site documents arrive as drafts: approve each with `curbside content "
                  f"review DOC_ID --approve --reviewer NAME` (ids: "
                  f"{', '.join(sorted(set(map(_site_id, site))))})", file=sys.stderr)
        if cards or not site:
            report = curbside.ingest_cards(cards or None, progress=progress, rebuild=args.rebuild)
    print(
        f"ingested {report.documents} documents: {report.changed} new or changed, "
        f"{report.unchanged} unchanged, {report.chunks_embedded} passages and "
        f"{report.sentences_embedded} card sentences embedded in {report.seconds:.1f} s"
    )
    return 0


def _site_id(path: Path) -> str:
    from retrieval.site_docs import doc_id_for

    return doc_id_for(path)


def cmd_ask(args: argparse.Namespace) -> int:
    curbside = _curbside()
    if args.file:
        items = _read_questions(Path(args.file))
    elif args.question:
        items = [(None, args.question)]
    else:
        raise CliError("give a QUESTION or --file QUESTIONS.jsonl")
    for item_id, question in items:
        outcome = curbside.ask(question, specialty=args.specialty)
        data = outcome.as_dict()
        if item_id is not None:
            data = {"id": item_id, **data}
        if args.json:
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print(_human(data), flush=True)
    return 0


def _jsonl_objects(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) of every non-empty line; a clear error for anything else."""
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    objects = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise CliError(f"{path}:{number}: each line must be a JSON object")
        objects.append((number, record))
    return objects


def _read_questions(path: Path) -> list[tuple[str, str]]:
    items = []
    for number, record in _jsonl_objects(path):
        if not isinstance(record.get("question"), str):
            raise CliError(f"{path}:{number}: each line needs a string 'question'")
        items.append((record.get("id", number), record["question"]))
    return items


def _human(data: dict) -> str:
    if data["abstained"]:
        return f"Not covered by vetted content. {data['abstain_reason']}"
    lines = [data["answer"], ""]
    lines += [f"[{i}] {c['title']} <{c['url']}>" for i, c in enumerate(data["citations"], 1)]
    if data.get("demo"):
        lines.append("(demonstration content: verify before clinical use)")
    return "\n".join(lines)


def cmd_scrub(args: argparse.Namespace) -> int:
    from privacy import PhiScrubber

    scrubber = PhiScrubber()
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise CliError(f"{path}: no such file")
        lines = path.read_text(encoding="utf-8").splitlines()
    else:
        lines = sys.stdin.read().splitlines()
    for line in lines:
        print(scrubber.scrub_text(line), flush=True)
    return 0


def cmd_content_lint(args: argparse.Namespace) -> int:
    from app.settings import Settings
    from retrieval.lint import allowed_specialties, lint_report

    settings = Settings()
    paths = [Path(p) for p in args.paths] or [settings.content_dir]
    for path in paths:
        if not path.exists():
            raise CliError(f"{path}: no such file or folder")
    report = lint_report(paths, specialties=allowed_specialties(settings.content_dir),
                         strict=args.strict, today=settings.today())
    problems = report.problems
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.warnings:
        print(f"{len(report.warnings)} warning(s) (--strict makes them errors)", file=sys.stderr)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("content is lint-clean")
    return 0


def cmd_content_review(args: argparse.Namespace) -> int:
    from retrieval.governance import find_card, review_card

    curbside = _curbside()
    action = "approve" if args.approve else "retire"
    if curbside.site_library.record(args.card_id):  # a site document, reviewed in its sidecar
        entry = curbside.review_site_document(args.card_id, action=action,
                                              reviewer=args.reviewer, note=args.note or "")
        due = f", next review due {entry['review_due']}" if entry["review_due"] else ""
        print(f"{args.card_id}: {action}d by {entry['reviewer']} at {entry['at']}{due} "
              f"(version {entry['version_before']} -> {entry['version_after']})")
        return 0
    record = review_card(
        curbside.settings.content_dir, args.card_id, action=action, reviewer=args.reviewer,
        note=args.note or "",
    )
    if curbside.files.exists():  # serve the new status right away
        curbside.ingest_cards([find_card(curbside.settings.content_dir, args.card_id)])
    due = f", next review due {record.review_due}" if record.review_due else ""
    print(f"{record.card_id}: {record.action}d by {record.reviewer} at {record.at}{due} "
          f"(version {record.version_before} -> {record.version_after})")
    return 0


def cmd_content_coverage(args: argparse.Namespace) -> int:
    from app.settings import Settings
    from retrieval.governance import coverage

    settings = Settings()
    report = coverage(settings.content_dir, today=args.today or settings.today())
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['cards']} cards {report['by_status']}; topics covered "
          f"{report['topics_covered']}/{report['topics_total']}")
    for specialty, count in report["per_specialty"].items():
        print(f"  {specialty:<24} {count}")
    for label, key in (("topics without a card", "topics_missing"),
                       ("past-due reviews", "past_due"),
                       ("cards without review questions", "without_review_questions"),
                       ("sources checked more than 12 months ago", "stale_sources"),
                       ("cards with sources never checked", "unchecked_sources"),
                       ("cards needing a re-check (past due or stale sources)",
                        "needs_recheck")):
        items = report[key]
        print(f"{label}: {len(items)}")
        for item in items:
            print(f"  {item}: {items[item]}" if isinstance(items, dict) else f"  {item}")
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    from app.settings import Settings
    from retrieval.consistency import check_library
    from retrieval.index import shared_embedder
    from retrieval.verifier import GroundingVerifier

    settings = Settings()
    paths = [Path(p) for p in args.paths] or [settings.content_dir]
    for path in paths:
        if not path.exists():
            raise CliError(f"{path}: no such file or folder")
    embedder = shared_embedder(settings.resolved_model_cache, settings.retrieval.quantized)
    report = check_library(paths, GroundingVerifier(embedder))
    for finding in report.open:
        print(finding)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if args.verbose:
        for finding in report.acknowledged:
            print(f"acknowledged ({finding.acknowledged}): {finding}")
    print(f"{report.cards} cards, {report.statements} statements, {report.checks} checks: "
          f"{len(report.open)} contradiction(s), {len(report.acknowledged)} acknowledged",
          file=sys.stderr)
    return 0 if report.ok else 1


def cmd_verify(args: argparse.Namespace) -> int:
    from retrieval.verifier import GroundingVerifier

    path = Path(args.file)
    pairs = []
    for number, pair in _jsonl_objects(path):
        if not isinstance(pair.get("evidence"), list) or not isinstance(pair.get("claim"), str):
            raise CliError(f"{path}:{number}: needs 'claim' (string) and 'evidence' (list)")
        pairs.append(pair)
    verifier = GroundingVerifier(_curbside().files.embedder())
    for pair in pairs:
        verdict = verifier.verify(pair["claim"], [str(e) for e in pair["evidence"]])
        result = {"id": pair.get("id"), "label": verdict.label, "score": round(verdict.score, 4)}
        print(json.dumps(result) if args.json else f"{result['id']}\t{verdict.label}\t"
              f"{verdict.score:.3f}\t{'; '.join(verdict.reasons)}", flush=True)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from app.evaluation import Evaluation
    from evals.adapters import ADAPTERS, load_adapter
    from evals.suites import SuiteError, load_suite

    evaluation = Evaluation(_eval_curbside(args.llm))
    try:
        suites = [load_suite(name) for name in args.suites if name not in ADAPTERS]
        adapters = [load_adapter(name) for name in args.suites if name in ADAPTERS]
    except SuiteError as exc:
        raise CliError(str(exc)) from exc
    runs = [evaluation.run(suites)] if suites else []
    for suite, corpus in adapters:
        target = evaluation.for_corpus(suite.name, corpus) if corpus else evaluation
        runs.append(target.run([suite]))
    failures = []
    for run in runs:
        failures += _report_run(run, args)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


def _eval_curbside(llm: str | None):
    """The service the suites run through: as configured, or forced to one answering mode
    (`--llm openai` / `--llm none`), so evaluators can compare the two on the same suites."""
    from app.services import Curbside
    from app.settings import Settings

    settings = Settings()
    if llm:
        settings = settings.model_copy(update={"llm": llm})
    if settings.llm == "openai" and not (settings.openai_base_url or settings.openai_api_key):
        raise CliError("--llm openai needs OPENAI_BASE_URL (an OpenAI-compatible server) or "
                       "OPENAI_API_KEY, and CURBSIDE_LLM_MODEL")
    return Curbside(settings)


def _report_run(run, args: argparse.Namespace) -> list[str]:
    from evals.harness import check_thresholds
    from evals.report import render_html, render_junit

    if args.report:
        Path(args.report).write_text(render_html(run), encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(render_junit(run), encoding="utf-8")
    if args.json:
        print(json.dumps({"run_id": run.id, "seconds": run.seconds, "metrics": run.metrics,
                          "per_suite": run.per_suite,
                          "answering": run.settings.get("answering")}, indent=2))
    else:
        print(f"run {run.id}: {len(run.cases)} cases in {run.seconds} s "
              f"(content {run.content_version})")
        if (way := run.settings.get("answering", {})).get("mode") == "llm":
            print(f"  answering: model {way['model']}, prompt {way['prompt']['id']} "
                  f"v{way['prompt']['version']}: {way['drafts']} drafts, claims kept "
                  f"{way['kept']}, dropped {way['dropped']}, fallbacks {way['fallbacks']}")
        for name, metrics in run.per_suite.items():
            shown = ", ".join(f"{k}={v}" for k, v in metrics.items() if v is not None)
            print(f"  {name}: {shown}")
        print(f"  all: {', '.join(f'{k}={v}' for k, v in run.metrics.items() if v is not None)}")
    try:
        return check_thresholds(run.metrics, args.fail_under or [])
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def cmd_users_add(args: argparse.Namespace) -> int:
    import secrets

    from sqlmodel import Session

    from app.accounts import AccountError, create_user

    password = args.password or secrets.token_urlsafe(12)
    with Session(_curbside().engine) as session:
        try:
            user = create_user(session, email=args.email, password=password, role=args.role,
                               first_name=args.first_name, last_name=args.last_name)
        except AccountError as exc:
            raise CliError(str(exc)) from exc
    print(f"added {user.email} ({user.role})")
    if not args.password:
        print(f"password: {password}")
    return 0


def _date(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def cmd_credits_due(args: argparse.Namespace) -> int:
    from app.learning import Learning

    learning = Learning(_curbside())
    due = learning.due_soon(args.days)
    names = learning.names([e.learner_id for e in due])  # people by name, not ids
    for episode in due:
        name = names.get(episode.learner_id, episode.learner_id)
        print(f"{episode.due_at:%Y-%m-%d}\t{name}\t{episode.id}\t{episode.question}")
    print(f"{len(due)} episode(s) due within {args.days} days", file=sys.stderr)
    return 0


def cmd_credits_export_pars(args: argparse.Namespace) -> int:
    from app.learning import Learning
    from credit_capture.errors import CreditError

    if args.end < args.start:
        raise CliError("--to is before --from")
    try:
        text = Learning(_curbside()).pars(args.start, args.end)
    except CreditError as exc:
        raise CliError(str(exc)) from exc
    Path(args.out).write_text(text, encoding="utf-8")
    rows = max(0, len(text.strip().splitlines()) - 1)
    print(f"wrote {rows} learner completion(s) to {args.out}")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from credit_capture import audit

    with Session(_curbside().engine) as session:
        report = audit.verify(session, write_missing_head=True)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        print(f"audit log FAILED verification: {len(report.problems)} problem(s)",
              file=sys.stderr)
        return 1
    head = f", signed head at seq {report.head_seq}" if report.head_seq else ""
    print(f"audit log verified: hash chain intact, keyed seals match ({report.events} events, "
          f"{report.claims} claims sealed{head})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from sqlmodel import Session

    from app.accounts import ensure_first_admin, write_private
    from app.main import create_app
    from app.settings import Settings

    curbside = _curbside()
    if not curbside.files.exists():
        print("no index yet: ingesting content/ first", file=sys.stderr)
        curbside.ingest_cards(progress=True)
    with Session(curbside.engine) as session:
        first = ensure_first_admin(session)
    if first:  # never in the log: logs are collected and kept; this file is only yours
        secret = curbside.settings.home.resolve() / "first-admin-password.txt"
        write_private(secret, f"email: {first[0]}\npassword: {first[1]}\n")
        print(f"first run: created admin {first[0]}; the password is in {secret} "
              "(readable only by you; delete it once you have signed in)", file=sys.stderr)
    options = {"host": args.host, "port": args.port, "log_level": "info", "access_log": False}
    if args.workers > 1:  # each worker process builds its own app from the environment
        # Workers share the cores: an encoder per worker using every core makes them queue
        # for each other (throughput under load is what the threads are for).
        os.environ.setdefault("CURBSIDE_RETRIEVAL__ENCODER_THREADS",
                              str(max(1, (os.cpu_count() or 1) // args.workers)))
        uvicorn.run("app.main:served_app", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(create_app(Settings(), warm=True), **options)
    return 0


def _usage(parser: argparse.ArgumentParser):
    """Handler for a command group called without its action: show that group's help."""

    def show(_: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    return show


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="curbside",
        description="Point-of-care answers from vetted content, every claim cited.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = sub.add_parser("ingest", help="index content cards, site documents or a JSONL corpus")
    ingest.add_argument("paths", nargs="*", help="card files or folders (default: content/), or "
                        "a site's own PDF, HTML or DOCX documents (they arrive as drafts)")
    ingest.add_argument("--jsonl", metavar="FILE", help='corpus: {"id","title","text","url"} lines')
    ingest.add_argument("--progress", action="store_true", help="show a progress bar")
    ingest.add_argument("--rebuild", action="store_true",
                        help="build a new index (the old one is kept as index.damaged-TIME)")
    ingest.set_defaults(handler=cmd_ingest)

    ask = sub.add_parser("ask", help="answer a question (or a file of questions)")
    ask.add_argument("question", nargs="?", help="the clinical question")
    ask.add_argument("--file", metavar="FILE", help='JSONL lines {"id", "question"}')
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--specialty", help="restrict to one specialty's content")
    ask.set_defaults(handler=cmd_ask)

    scrub = sub.add_parser("scrub", help="print lines with patient identifiers removed")
    scrub.add_argument("--file", metavar="FILE", help="read lines from FILE instead of stdin")
    scrub.set_defaults(handler=cmd_scrub)

    content = sub.add_parser("content", help="content governance: lint, review, coverage")
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION")
    content.set_defaults(handler=_usage(content))
    content_lint = content_sub.add_parser("lint", help="check cards: schema, ids, sources, dates")
    content_lint.add_argument("paths", nargs="*", help="card files or folders (default: content/)")
    content_lint.add_argument("--strict", action="store_true",
                              help="sources without a checked date or label version are errors")
    content_lint.set_defaults(handler=cmd_content_lint)
    content_review = content_sub.add_parser("review", help="approve or retire a card")
    content_review.add_argument("card_id", metavar="ID")
    decision = content_review.add_mutually_exclusive_group(required=True)
    decision.add_argument("--approve", action="store_true")
    decision.add_argument("--retire", action="store_true")
    content_review.add_argument("--reviewer", required=True, metavar="NAME")
    content_review.add_argument("--note", help="why (kept in content/reviews.jsonl)")
    content_review.set_defaults(handler=cmd_content_review)
    content_coverage = content_sub.add_parser("coverage", help="cards per specialty and topic")
    content_coverage.add_argument("--json", action="store_true")
    content_coverage.add_argument("--today", type=_date, metavar="DATE",
                                  help="report as of DATE (default: today)")
    content_coverage.set_defaults(handler=cmd_content_coverage)
    from app.insights_cli import register_content_requests

    register_content_requests(content_sub)
    content_check = content_sub.add_parser(
        "check", help="find statements in different cards that contradict each other")
    content_check.add_argument("paths", nargs="*", help="card files or folders (default: content/)")
    content_check.add_argument("--verbose", action="store_true",
                               help="also list acknowledged differences")
    content_check.set_defaults(handler=cmd_content_check)

    verify = sub.add_parser("verify", help="label claims against evidence passages")
    verify.add_argument("--file", required=True, metavar="PAIRS.jsonl",
                        help='lines {"id", "evidence": [str, ...], "claim": str}')
    verify.add_argument("--json", action="store_true", help="print one JSON object a line")
    verify.set_defaults(handler=cmd_verify)

    evaluate = sub.add_parser("eval", help="run eval suites through the live pipeline")
    evaluate.add_argument("suites", nargs="+", metavar="SUITE",
                          help="shipped suite (answerable, out_of_scope, adversarial, verifier), "
                          "a folder/JSONL file of cases, or a development-data adapter "
                          "(pubmedqa, medquad, kqa; reads CURBSIDE_DATA or ../shared/data)")
    evaluate.add_argument("--json", action="store_true", help="print metrics as JSON")
    evaluate.add_argument("--report", metavar="FILE.html", help="write an HTML report")
    evaluate.add_argument("--junit", metavar="FILE.xml", help="write JUnit XML")
    evaluate.add_argument("--fail-under", nargs="*", metavar="METRIC=VALUE",
                          help="exit 1 when a metric is below VALUE (METRIC<=VALUE: above)")
    evaluate.add_argument("--llm", nargs="?", const="openai", choices=("openai", "none"),
                          help="answer through the configured model (OPENAI_BASE_URL, "
                          "CURBSIDE_LLM_MODEL) and its guard; 'none': extractive only")
    evaluate.set_defaults(handler=cmd_eval)

    users = sub.add_parser("users", help="manage accounts")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    users.set_defaults(handler=_usage(users))
    users_add = users_sub.add_parser("add", help="add a user (prints a password if none given)")
    users_add.add_argument("email")
    users_add.add_argument("--role", default="learner",
                           help="learner (clinician), planner, evaluator or admin")
    users_add.add_argument("--first-name", default="")
    users_add.add_argument("--last-name", default="")
    users_add.add_argument("--password", help="at least 8 characters (default: generated)")
    users_add.set_defaults(handler=cmd_users_add)
    from app.accounts_cli import register as register_users

    register_users(users_sub)  # list, passwd, set-role, deactivate, activate

    credits = sub.add_parser("credits", help="credit reminders and exports")
    credits_sub = credits.add_subparsers(dest="credits_command", metavar="ACTION")
    credits.set_defaults(handler=_usage(credits))
    credits_due = credits_sub.add_parser("due", help="open episodes whose window closes soon")
    credits_due.add_argument("--days", type=int, default=7)
    credits_due.set_defaults(handler=cmd_credits_due)
    credits_export = credits_sub.add_parser("export", help="export completions")
    export_sub = credits_export.add_subparsers(dest="export_kind", metavar="FORMAT")
    credits_export.set_defaults(handler=_usage(credits_export))
    pars = export_sub.add_parser("pars", help="ACCME PARS learner completions (tab-delimited)")
    pars.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    pars.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    pars.add_argument("--out", required=True, metavar="FILE")
    pars.set_defaults(handler=cmd_credits_export_pars)

    audit = sub.add_parser("audit", help="audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    audit.set_defaults(handler=_usage(audit))
    audit_verify = audit_sub.add_parser("verify", help="check the hash chain for tampering")
    audit_verify.set_defaults(handler=cmd_audit_verify)

    serve = sub.add_parser("serve", help="run the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_positive, default=1,
                       help="worker processes (they share only the database and the index)")
    serve.set_defaults(handler=cmd_serve)
    from app.insights_cli import register

    register(sub, _usage)
    from app.claims_cli import register as register_claims

    register_claims(sub, _usage)  # claims list|correct
    from app.reminders_cli import register as register_reminders

    register_reminders(sub, _usage)  # reminders send
    from app.backup import register as register_backup

    register_backup(sub)  # backup FILE, restore FILE
    return parser



def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    configure_logging()  # before any library is imported: no DEBUG lines, no banners
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    from pydantic import ValidationError

    from app.db import SchemaError
    from app.errors import BadQuestion
    from app.index_lock import IndexBusy
    from retrieval.errors import RetrievalError

    try:
        return args.handler(args)
    except (CliError, BadQuestion, RetrievalError, SchemaError, IndexBusy) as exc:
        print(f"curbside: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:  # a bad CURBSIDE_*/OPENAI_* variable: say which
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        print(f"curbside: error: {where}: {first['msg']}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
