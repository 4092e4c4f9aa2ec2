"""One weekly digest over 2,000,000+ stored answers, on SQLite and PostgreSQL.

    python benchmarks/digest.py [--owners 1000] [--weeks 52] [--postgres URL]

Fills a fresh database with OWNERS × WEEKS × 40 answers (every owner answers every check of every
item each week), then builds the digest for the last week several times: the median time, and the
SQL statements one build issued, beside the same for a small history (the count must not grow).
PostgreSQL runs when --postgres or TEST_DATABASE_URL names a server (a scratch schema is used).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.digest import DigestService  # noqa: E402
from bot.org import OrgConfig  # noqa: E402
from bot.periods import period_of, shift, weekday_in  # noqa: E402
from knowledge import load_kb  # noqa: E402
from storage import Database, upgrade  # noqa: E402
from storage.db import normalize_database_url  # noqa: E402

STATUSES = ("on_track", "on_track", "at_risk", "blocked", "done")


def fill(database: Database, kb: Any, *, owners: int, weeks: int, last_week: str, org: OrgConfig) -> int:
    """Bulk-load deliveries and answers with the driver's fastest path; returns the answers loaded."""
    framework = kb.frameworks["v3"]
    rng = random.Random(7)
    delivery_rows, answer_rows = [], []
    delivery_id = 0
    for back in range(weeks - 1, -1, -1):
        week = shift(last_week, -back)
        due = weekday_in(week, 1, org.checkins.at, org.tz)
        for owner in range(owners):
            user = f"U{owner:07d}"
            for item in framework.items:
                delivery_id += 1
                delivery_rows.append(
                    (
                        delivery_id,
                        user,
                        item.number,
                        week,
                        "prompt",
                        "sent",
                        "",
                        due,
                        due + timedelta(hours=72),
                        due,
                        "bench",
                        1,
                        due,
                        "C",
                        "1.0",
                        "en",
                        False,
                        False,
                    )
                )
                at = due + timedelta(minutes=rng.randint(1, 3000))
                for check in item.checks:
                    answer_rows.append(
                        (
                            delivery_id,
                            user,
                            item.number,
                            check.ref,
                            week,
                            rng.choice(STATUSES),
                            rng.randint(0, 5),
                            None,
                            at,
                            user,
                        )
                    )
    delivery_columns = (
        "id, owner_id, item, period, kind, state, checks, due_at, deadline_at, claimed_at, "
        "claim_token, attempts, sent_at, channel, ts, lang, skipped, late"
    )
    answer_columns = "delivery_id, owner_id, item, check_ref, period, status, maturity, note, answered_at, answered_by"
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:

            def iso(row: tuple[Any, ...]) -> tuple[Any, ...]:
                return tuple(
                    v.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if isinstance(v, datetime) else v for v in row
                )

            cursor.executemany(
                f"INSERT INTO deliveries ({delivery_columns}) VALUES ({','.join('?' * 18)})",
                [iso(r) for r in delivery_rows],
            )
            cursor.executemany(
                f"INSERT INTO checkin_answers ({answer_columns}) VALUES ({','.join('?' * 10)})",
                [iso(r) for r in answer_rows],
            )
            cursor.execute("ANALYZE")
        else:
            with cursor.copy(f"COPY deliveries ({delivery_columns}) FROM STDIN") as copy:
                for r in delivery_rows:
                    copy.write_row(r)
            with cursor.copy(f"COPY checkin_answers ({answer_columns}) FROM STDIN") as copy:
                for r in answer_rows:
                    copy.write_row(r)
            cursor.execute("SELECT setval(pg_get_serial_sequence('deliveries', 'id'), %s)", (delivery_id,))
            cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return len(answer_rows)


def measure(url: str, owners: int, weeks: int, runs: int = 5) -> tuple[int, float, int]:
    kb = load_kb()
    org = OrgConfig(
        owners={item: tuple(f"U{n:07d}" for n in range(owners)) for item in range(1, 11)},
        leadership_channels=("C0BENCH",),
    )
    last_week = period_of(datetime(2026, 11, 23, tzinfo=UTC), org.tz)
    upgrade(url)
    database = Database(url)
    try:
        answers = fill(database, kb, owners=owners, weeks=weeks, last_week=last_week, org=org)
        service = DigestService(database, kb)
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        service.build(org, last_week)  # warm caches once
        timings = []
        for _ in range(runs):
            statements = 0
            event.listen(database.engine, "before_cursor_execute", count)
            started = time.perf_counter()
            service.build(org, last_week)
            timings.append(time.perf_counter() - started)
            event.remove(database.engine, "before_cursor_execute", count)
        return answers, statistics.median(timings), statements
    finally:
        database.dispose()


def scratch_postgres(base: str) -> tuple[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    rows = []
    backends = ["SQLite"] + (["PostgreSQL"] if args.postgres else [])
    for backend in backends:
        for owners, weeks in ((100, 4), (args.owners, args.weeks)):
            if backend == "SQLite":
                url, cleanup = f"sqlite:///{tempfile.mkdtemp(prefix='shishin-digest-')}/bench.db", None
            else:
                url, cleanup = scratch_postgres(normalize_database_url(args.postgres))
            try:
                loaded = time.perf_counter()
                answers, seconds, statements = measure(url, owners, weeks)
                print(
                    f"{backend}: {owners} owners × {weeks} weeks loaded and measured in "
                    f"{time.perf_counter() - loaded:.0f} s",
                    file=sys.stderr,
                )
            finally:
                if cleanup:
                    cleanup()
            rows.append((backend, owners, weeks, answers, seconds, statements))
    print("| database | owners | weeks | answers stored | digest build (ms, median of 5) | SQL statements |")
    print("|---|---:|---:|---:|---:|---:|")
    for backend, owners, weeks, answers, seconds, statements in rows:
        print(f"| {backend} | {owners:,} | {weeks} | {answers:,} | {seconds * 1000:.0f} | {statements} |")


if __name__ == "__main__":
    main()
