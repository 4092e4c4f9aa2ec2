"""The `shishin` command: a thin layer that parses arguments, calls a service and prints the result."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.chart import chart_png
from bot.chat import run_chat
from bot.container import Services, build_services
from bot.demo import run_demo
from bot.digest import covered_period, digest_markdown
from bot.org import OrgConfig, org_to_yaml
from bot.periods import monday_of, shift
from bot.render_text import render_answer
from bot.scheduler import run_every_minute
from bot.services import utc_now
from bot.settings import Settings, SettingsError, configure_logging
from bot.slack_client import make_client
from knowledge import KnowledgeError, check_kb, load_kb
from storage import upgrade

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FANOUT_RETRIES = 8  # scheduled sends wait out more 429s than a reply would: nobody is waiting on them
logger = logging.getLogger("shishin")


def _settings() -> Settings:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return settings


def cmd_ask(args: argparse.Namespace) -> int:
    settings = _settings()
    services = build_services(settings, with_db=not args.no_record)
    questions = [" ".join(args.question)] if args.question else (line.rstrip("\n") for line in sys.stdin)
    try:
        for question in questions:
            if not question.strip():
                continue
            try:
                result = services.qa.ask(question, source="cli", record=not args.no_record)
            except SQLAlchemyError as error:
                print(
                    f"shishin: could not record the question ({error.__class__.__name__}); answering anyway",
                    file=sys.stderr,
                )
                result = services.qa.ask(question, source="cli", record=False)
            if args.json:
                print(json.dumps(result.answer.to_json(), ensure_ascii=False), flush=True)
            else:
                print(render_answer(result.answer), end="\n\n" if not args.question else "\n", flush=True)
    finally:
        services.close()
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    settings = _settings()
    services = build_services(settings)  # check-ins need the database even when questions aren't recorded
    try:
        return run_chat(services, sys.stdin, sys.stdout, record=not args.no_record)
    finally:
        services.close()


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(Path(args.out) if args.out else None, sys.stdout)


def cmd_kb_check(args: argparse.Namespace) -> int:
    kb, problems = check_kb(Path(args.path) if args.path else None)
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    if kb is None:
        print(f"{errors} error(s); the knowledge base was not loaded", file=sys.stderr)
        return EXIT_FAILED
    checks = len(kb.frameworks["v3"].checks) if "v3" in kb.frameworks else 0
    warnings = len(problems)
    print(
        f"OK: {len(kb.entries)} entries, {len(kb.frameworks)} framework versions, {checks} checks, "
        f"{len(kb.examples)} labelled examples" + (f", {warnings} warning(s)" if warnings else "")
    )
    return EXIT_OK


def cmd_kb_export(args: argparse.Namespace) -> int:
    kb = load_kb(_settings().kb_path)
    entries = [
        {
            "id": e.id,
            "refs": list(e.refs),
            "title": {"en": e.title.en, "ja": e.title.ja},
            "questions": {lang: list(qs) for lang, qs in e.questions.items()},
            "answer": {"en": e.answer.en, "ja": e.answer.ja},
            "source": {"document": e.source.document, "version": e.source.version, "section": e.source.section},
            "related": list(e.related),
        }
        for e in kb.entries
    ]
    json.dump(entries, sys.stdout, ensure_ascii=False, indent=2 if args.pretty else None)
    print()
    return EXIT_OK


def cmd_kb_unanswered(args: argparse.Namespace) -> int:
    services = build_services(_settings())
    try:
        rows = services.qa.unanswered(days=args.days, limit=args.limit)
    finally:
        services.close()
    if not rows:
        print(f"No unanswered questions in the last {args.days} days.")
        return EXIT_OK
    print(f"{'times':>5}  {'last asked':<16}  question")
    for row in rows:
        print(f"{row.count:>5}  {row.last_asked:%Y-%m-%d %H:%M}  {row.text[:120]}")
    return EXIT_OK


def _slack_services(settings: Settings) -> Services:
    settings.require("SLACK_BOT_TOKEN")
    services = build_services(settings)
    services.attach_slack(make_client(settings, max_retries=FANOUT_RETRIES))
    return services


def _start_scheduler(settings: Settings) -> threading.Event:
    services = _slack_services(settings)
    stop = threading.Event()

    def tick(now: datetime) -> None:
        for line in services.tick(now).lines():
            logger.info(line)

    threading.Thread(target=run_every_minute, args=(tick, stop, utc_now), name="scheduler", daemon=True).start()
    return stop


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    settings.require("SLACK_BOT_TOKEN")
    if args.scheduler_only:
        print("Shishin: scheduler only, ticking every minute (Ctrl-C to stop)", file=sys.stderr)
        _start_scheduler(settings).wait()
        return EXIT_OK
    if not args.no_scheduler:
        _start_scheduler(settings)  # in this (parent) process; gunicorn's workers don't inherit the thread
    if settings.socket_mode and not args.http:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415 - only this mode needs it

        from bot.app import build_app  # noqa: PLC0415

        print("Shishin: connecting to Slack in Socket Mode (Ctrl-C to stop)", file=sys.stderr)
        SocketModeHandler(build_app(settings), settings.slack_app_token).start()
        return EXIT_OK
    settings.require("SLACK_SIGNING_SECRET")
    from bot.web import serve  # noqa: PLC0415 - gunicorn and Flask load only for HTTP mode

    port = args.port or settings.port
    print(f"Shishin: serving Slack events on http://0.0.0.0:{port}/slack/events", file=sys.stderr)
    serve(settings, port, args.workers)
    return EXIT_OK


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time, e.g. 2026-12-01T10:00+09:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_tick(args: argparse.Namespace) -> int:
    services = _slack_services(_settings())
    try:
        report = services.tick(args.at or utc_now())
    finally:
        services.close()
    print("\n".join(report.lines()))
    return EXIT_FAILED if report.counts.get("failed") else EXIT_OK


def cmd_org_import(args: argparse.Namespace) -> int:
    services = build_services(_settings())
    try:
        org, problems = services.orgs.import_file(Path(args.path))
    finally:
        services.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    if org is None:
        print(f"{len(problems)} problem(s); nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    owners = sum(len(users) for users in org.owners.values())
    print(
        f"Imported: {len(org.owners)} owned items ({owners} owner assignments), {len(org.admins)} admins, "
        f"{len(org.leadership_channels)} leadership channels, timezone {org.timezone}."
    )
    return EXIT_OK


def cmd_org_show(_args: argparse.Namespace) -> int:
    services = build_services(_settings())
    try:
        org = services.orgs.load()
    finally:
        services.close()
    if org is None:
        print("No organisation configured yet: run `shishin org import org.yaml`.", file=sys.stderr)
        return EXIT_FAILED
    print(org_to_yaml(org), end="")
    return EXIT_OK


def _week(text: str) -> str:
    if not re.fullmatch(r"\d{4}-W\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO week like 2026-W48")
    try:
        monday_of(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a week that exists") from None
    return text


def cmd_digest_preview(args: argparse.Namespace) -> int:
    services = build_services(_settings())
    try:
        org = services.orgs.load()
        if org is None:
            print("No organisation configured yet: run `shishin org import org.yaml`.", file=sys.stderr)
            return EXIT_FAILED
        period = args.week or covered_period(org, utc_now())
        digest = services.digests.build(org, period)
    finally:
        services.close()
    out = Path(args.out or ".")
    out.mkdir(parents=True, exist_ok=True)
    chart = out / f"readiness-{period}.png"
    chart.write_bytes(chart_png(digest.readiness, digest.previous, list(digest.trend)))
    print(digest_markdown(digest, services.kb, args.lang or org.language))
    print(f"Chart written to {chart}", file=sys.stderr)
    return EXIT_OK


def cmd_export_readiness(args: argparse.Namespace) -> int:
    services = build_services(_settings())
    try:
        org = services.orgs.load() or OrgConfig()
        last = covered_period(org, utc_now())
        weeks = [shift(last, -back) for back in range(args.weeks - 1, -1, -1)]
        rows = services.digests.history(org, weeks)
    finally:
        services.close()
    writer = csv.writer(sys.stdout)
    writer.writerow(["week", "overall", *(f"item_{n}" for n in range(1, 11))])
    for week, overall, items in rows:
        writer.writerow([week, _cell(overall), *(_cell(score) for score in items)])
    return EXIT_OK


def _cell(score: float | None) -> str:
    return "" if score is None else f"{score:.1f}"


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    settings = _settings()
    upgrade(settings.database_url)
    print("Database is at the newest schema.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shishin",
        description="Shishin: a Slack app for Japan's METI/IPA Cybersecurity Management Guidelines.",
        epilog="Settings come from the environment; see README, Configuration.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="offline showcase: answers sample questions (needs nothing)")
    demo.add_argument("--out", help="folder to write the demo output to (default: a new temporary folder)")
    demo.set_defaults(func=cmd_demo)

    chat = commands.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--no-record", action="store_true", help="do not store the questions asked")
    chat.set_defaults(func=cmd_chat)

    ask = commands.add_parser(
        "ask",
        help="answer one question, or one per stdin line",
        description="Answer a question from the knowledge base. Without QUESTION, reads one question per line.",
    )
    ask.add_argument("question", nargs="*", help="the question (quote it, or pass words)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--no-record", action="store_true", help="do not store the question")
    ask.set_defaults(func=cmd_ask)

    _add_kb_commands(commands)

    run = commands.add_parser(
        "run",
        help="run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP",
        description="Run the Slack app. Socket Mode when SLACK_APP_TOKEN is set; otherwise (or with --http) "
        "serve POST /slack/events and GET /healthz with gunicorn.",
    )
    run.add_argument("--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT, else 3000)")
    run.add_argument("--workers", type=int, help="gunicorn worker processes (default: WEB_CONCURRENCY, else 2)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--no-scheduler", action="store_true", help="don't run scheduled jobs in this process")
    mode.add_argument("--scheduler-only", action="store_true", help="only run scheduled jobs (the clock process)")
    run.set_defaults(func=cmd_run)

    tick = commands.add_parser(
        "tick",
        help="run every scheduled job due at an instant, once (check-in prompts, reminders, digests), then exit",
    )
    tick.add_argument("--at", type=_instant, help="the instant, ISO 8601 (default: now); no zone means UTC")
    tick.set_defaults(func=cmd_tick)

    org = commands.add_parser("org", help="the organisation: owners, admins, channels, schedules")
    org_commands = org.add_subparsers(dest="org_command", metavar="ORG_COMMAND", required=True)
    org_import = org_commands.add_parser("import", help="validate org.yaml and apply it in one transaction")
    org_import.add_argument("path", help="the org.yaml file")
    org_import.set_defaults(func=cmd_org_import)
    org_commands.add_parser("show", help="print the organisation as it stands (org.yaml format)").set_defaults(
        func=cmd_org_show
    )

    _add_report_commands(commands)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_commands.add_parser("upgrade", help="apply migrations up to the newest schema").set_defaults(func=cmd_db_upgrade)
    return parser


def _add_kb_commands(commands: Any) -> None:
    kb = commands.add_parser("kb", help="check, export or curate the knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    check = kb_commands.add_parser("check", help="validate the knowledge base; problems as file:line")
    check.add_argument("path", nargs="?", help="an extra entries file or folder, or a whole knowledge folder")
    check.set_defaults(func=cmd_kb_check)
    export = kb_commands.add_parser("export", help="print every entry as JSON")
    export.add_argument("--json", action="store_true", default=True, help="JSON output (the only format)")
    export.add_argument("--pretty", action="store_true", help="indent the JSON")
    export.set_defaults(func=cmd_kb_export)
    unanswered = kb_commands.add_parser("unanswered", help="questions the bot could not answer, most asked first")
    unanswered.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")
    unanswered.add_argument("--limit", type=int, default=20, help="at most this many rows (default 20)")
    unanswered.set_defaults(func=cmd_kb_unanswered)


def _add_report_commands(commands: Any) -> None:
    digest = commands.add_parser("digest", help="the weekly readiness digest")
    digest_commands = digest.add_subparsers(dest="digest_command", metavar="DIGEST_COMMAND", required=True)
    preview = digest_commands.add_parser("preview", help="print a week's digest (Markdown) and write its chart PNG")
    preview.add_argument("--week", type=_week, help="ISO week, e.g. 2026-W48 (default: the last closed week)")
    preview.add_argument("--out", help="folder for the chart (default: the current folder)")
    preview.add_argument("--lang", choices=("en", "ja"), help="language (default: the org's)")
    preview.set_defaults(func=cmd_digest_preview)

    export = commands.add_parser("export", help="export data for reports")
    export_commands = export.add_subparsers(dest="export_command", metavar="EXPORT_COMMAND", required=True)
    readiness = export_commands.add_parser("readiness", help="week × item readiness scores, as CSV")
    readiness.add_argument("--csv", action="store_true", default=True, help="CSV on stdout (the only format)")
    readiness.add_argument("--weeks", type=int, default=12, help="how many weeks back (default 12)")
    readiness.set_defaults(func=cmd_export_readiness)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as error:
        print(f"shishin: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeError as error:
        print("shishin: the knowledge base has errors:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    except SQLAlchemyError as error:
        print(f"shishin: database error: {error.__class__.__name__}: {str(error).splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`shishin ask ... | head`): stop quietly, like other Unix tools. Point stdout
        # at /dev/null so the interpreter's final flush doesn't fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
