"""Status lookup latency on a large roster (issue 16: p99 ≤ 1 ms at 1,000,000 rows), on a fixture built once.

    python bench/status.py                          # builds /tmp/jagakerja-status-1000000.db on first use
    python bench/status.py --rows 100000 --lookups 5000
    python bench/status.py --profile                # pyinstrument over the lookups

The fixture (the roster imported through `RosterService`, and its DATA_KEY in `<db>.key`) takes a minute or
more to build and is reused by later runs. Then `--lookups` random roster rows are looked up as the status
check does (`StatusService.lookup`: NIK hash, one indexed read, decrypt the name, compare the second factor;
80 % with the right name), timed one by one. Prints wall p50/p99/max (ms) and the process CPU per lookup
(p50/p99: on a loaded machine the wall p99 is the scheduler's, the CPU p99 is ours). `--sqlalchemy` reads
through SQLAlchemy and aiosqlite, as PostgreSQL does and as SQLite did before issue 16.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.clock import SystemClock
from bot.domain.nik import Nik
from bot.domain.privacy import Vault, generate_key
from bot.domain.roster import RosterService
from bot.domain.roster_files import SampleRow, sample_rows, write_sample_csv
from bot.domain.status_check import Answer, StatusService
from storage import roster_lookup
from storage.db import open_database
from storage.roster import RosterRepository
from storage.status_checks import StatusCheckRepository

WITA = ZoneInfo("Asia/Makassar")


async def build(path: Path, rows: int) -> None:
    key = generate_key()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "roster.csv"
        write_sample_csv(csv, sample_rows(rows))
        db = await open_database(f"sqlite+aiosqlite:///{path}")
        try:
            started = time.perf_counter()
            roster = RosterService(RosterRepository(db), Vault(key), SystemClock(), WITA)
            result = await roster.import_file(csv, file_name=csv.name, imported_by="bench")
            assert result.status == "imported", result.errors[:5]
            print(f"fixture: {result.inserted:,} rows imported in {time.perf_counter() - started:.1f} s")
        finally:
            await db.close()
    Path(f"{path}.key").write_text(key)


def picks(rows: int, lookups: int, rng: random.Random) -> list[SampleRow]:
    wanted = set(rng.sample(range(rows), min(lookups, rows)))
    chosen = [row for index, row in enumerate(sample_rows(rows)) if index in wanted]
    rng.shuffle(chosen)
    return chosen


async def main(args: argparse.Namespace) -> None:
    path = Path(args.fixture or f"/tmp/jagakerja-status-{args.rows}.db")
    if not path.exists() or not Path(f"{path}.key").exists():
        await build(path, args.rows)
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    if args.sqlalchemy:
        roster_lookup._readers[db] = None  # as on PostgreSQL: the prepared SQLAlchemy statement, through aiosqlite
    try:
        vault = Vault(Path(f"{path}.key").read_text().strip())
        checker = StatusService(RosterRepository(db), StatusCheckRepository(db), vault, SystemClock(), per_day=5,
                                tz=WITA)
        today = dt.datetime.now(WITA).date()
        rng = random.Random(args.seed)
        chosen = picks(args.rows, args.lookups, rng)
        cases = [(Nik.parse(row.nik, today), row.nama if rng.random() < 0.8 else "Nama Lain Sekali", row)
                 for row in chosen]
        for nik, name, _ in cases[:50]:  # warm the connection pool and the statement cache
            await checker.lookup(nik, Answer("name", name))
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0001, async_mode="disabled")
            profiler.start()
        timings: list[float] = []
        cpus: list[float] = []
        for nik, name, row in cases:
            c0, t0 = time.process_time(), time.perf_counter()
            member = await checker.lookup(nik, Answer("name", name))
            timings.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
            assert (member is not None) == (name == row.nama)
        cpus.sort()
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        timings.sort()
        p99 = timings[int(len(timings) * 0.99) - 1]
        print(f"{args.rows:,} rows, {len(timings):,} lookups{' (SQLAlchemy path)' if args.sqlalchemy else ''}: "
              f"wall p50 {statistics.median(timings):.3f} ms  p99 {p99:.3f} ms  max {timings[-1]:.3f} ms;  "
              f"CPU (process) p50 {statistics.median(cpus):.3f} ms  p99 {cpus[int(len(cpus) * 0.99) - 1]:.3f} ms")
    finally:
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--fixture", default=None, help="the SQLite file (default /tmp/jagakerja-status-ROWS.db)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlalchemy", action="store_true", help="read through SQLAlchemy (the path before)")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the lookups")
    asyncio.run(main(parser.parse_args()))
