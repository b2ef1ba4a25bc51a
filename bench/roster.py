"""Roster benchmark: generate N synthetic valid rows, import them (validate + encrypt + stage in short
transactions, then apply in chunks), then time status lookups (NIK hash + name check). Prints rows/s,
lookup p50/p99, peak RSS (the file is generated in a child process: the figure is the import's) and the
import's CPU time, this process and its pool workers apart (on a shared machine the wall time says little).

    python bench/roster.py                 # 100,000 rows on a throwaway SQLite file
    python bench/roster.py --rows 1000000
    python bench/roster.py --rows 300000 --xlsx        # the same rows as an .xlsx (made in a child process)
    python bench/roster.py --bomb 240      # an .xlsx whose shared strings unpack to 240 MB (~0.6 MB file)
    python bench/roster.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python bench/roster.py --undo          # then import the same file again (every row an update), undo that
                                           # (rows restored), then undo the first import (rows deleted)
Targets (issue 5): 1,000,000 rows in ≤ 60 s, lookup p99 ≤ 2 ms, RSS ≤ 200 MB; (issue 14) any accepted file
≤ 200 MB RSS, a bomb refused without the memory it asks for; (issue 12) the undo of a 1,000,000-row import
≤ 60 s; (issue 16) 1,000,000 rows on SQLite ≤ 45 s and ≤ 150 MB peak RSS, 100,000 rows on PostgreSQL ≤ 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import os
import random
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.clock import SystemClock
from bot.domain.nik import Nik
from bot.domain.privacy import Vault, generate_key
from bot.domain.roster import RosterService
from bot.domain.roster_files import SAMPLE_HEADER, sample_rows, write_sample_csv, write_xlsx_bomb
from bot.domain.status_check import Answer, StatusService
from storage.db import open_database
from storage.roster import RosterRepository, roster_history, roster_members, roster_staging
from storage.status_checks import StatusCheckRepository

WITA = ZoneInfo("Asia/Makassar")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeCpu:
    """CPU seconds (user + system) of this process and of every process below it (the import's pool workers are
    children of multiprocessing's fork server, not of this process): /proc is sampled every 0.2 s, so a worker
    that ends between two samples loses at most that much. Also the peak RSS of the largest of them. On a shared
    machine the wall time says little; CPU time says what the import costs."""

    def __init__(self) -> None:
        self._seen: dict[int, float] = {}
        self.child_peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> TreeCpu:
        self._start = time.process_time()
        self._base = self._children()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.parent = time.process_time() - self._start
        self.children = sum(self._seen.values()) - sum(self._base.values())

    def _children(self) -> dict[int, float]:
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        peaks: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/status") as handle:
                    peak = next((int(line.split()[1]) for line in handle if line.startswith("VmHWM")), 0)
            except (OSError, StopIteration):
                continue
            parents[int(entry)] = int(fields[1])
            cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / self._tick
            peaks[int(entry)] = peak / 1024
        mine, found = os.getpid(), {}
        for pid in cpu:
            ancestor = parents.get(pid)
            while ancestor and ancestor != mine:
                ancestor = parents.get(ancestor)
            if ancestor == mine:
                found[pid] = cpu[pid]
                self.child_peak_mb = max(self.child_peak_mb, peaks[pid])
        return found

    def _sample(self) -> None:
        for pid, seconds in self._children().items():
            self._seen[pid] = max(seconds, self._seen.get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()


def write_sample_xlsx(path: Path, rows: int) -> None:
    """The sample rows as an .xlsx (run in a child process: openpyxl holds the shared strings while writing)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(SAMPLE_HEADER)
    for row in sample_rows(rows):
        sheet.append(row.cells())
    workbook.save(path)


def write_sample_file(path: Path, rows: int) -> None:
    """The sample rows as a CSV (run in a child process, so that the generator's memory is not counted in this
    process's peak RSS: the figure is the import's)."""
    write_sample_csv(path, sample_rows(rows))


def in_child(function: object, *args: object) -> None:
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        pool.submit(function, *args).result()  # type: ignore[arg-type]


async def bomb(db_url: str | None, folder: Path, unpacked_mb: int) -> None:
    path = folder / "bomb.xlsx"
    in_child(write_xlsx_bomb, path, unpacked_mb)
    print(f"bomb: {path.stat().st_size / 1e3:.0f} KB file, shared strings {unpacked_mb} MB unpacked")
    db = await open_database(db_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    try:
        roster = RosterService(RosterRepository(db), Vault(generate_key()), SystemClock(), WITA)
        before = peak_rss_mb()
        started = time.perf_counter()
        result = await roster.import_file(path, file_name=path.name, imported_by="bench")
        print(f"{result.status} in {time.perf_counter() - started:.1f} s: "
              f"{[(e.row, e.code) for e in result.errors[:3]]}")
        print(f"peak RSS: {before:.0f} MB before, {peak_rss_mb():.0f} MB after")
    finally:
        await db.close()


async def undo_bench(roster: RosterService, path: Path, first: int, rows: int) -> None:
    """Import the file again (all updates), undo that (restores), then undo the first import (deletes)."""
    started = time.perf_counter()
    again = await roster.import_file(path, file_name=path.name, imported_by="bench")
    elapsed = time.perf_counter() - started
    assert again.status == "imported" and again.updated == rows, (again.status, again.updated)
    print(f"re-import (every row an update, before-images kept): {rows:,} rows in {elapsed:.1f} s = "
          f"{rows / elapsed:,.0f} rows/s")
    for label, import_id in (("undo of the re-import (rows restored)", again.import_id),
                             ("undo of the first import (rows deleted)", first)):
        started = time.perf_counter()
        check = await roster.undo(import_id or 0, by="bench")
        elapsed = time.perf_counter() - started
        assert check.problem is None, check.problem
        print(f"{label}: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s")
    assert await roster.count_by_area() == 0
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


async def main(rows: int, lookups: int, db_url: str | None, folder: Path, xlsx: bool, undo: bool = False) -> None:
    path = folder / ("roster.xlsx" if xlsx else "roster.csv")
    started = time.perf_counter()
    if xlsx:
        in_child(write_sample_xlsx, path, rows)
    else:
        in_child(write_sample_file, path, rows)
    print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    url = db_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    db = await open_database(url)
    try:
        if db_url:  # a shared server database: start from an empty roster
            async with db.transaction() as conn:
                await conn.execute(roster_members.delete())
                await conn.execute(roster_staging.delete())
                await conn.execute(roster_history.delete())
        vault = Vault(generate_key())
        roster = RosterService(RosterRepository(db), vault, SystemClock(), WITA)
        before = peak_rss_mb()
        started = time.perf_counter()
        with TreeCpu() as cpu:
            result = await roster.import_file(path, file_name=path.name, imported_by="bench")
        elapsed = time.perf_counter() - started
        assert result.status == "imported", result.errors[:5]
        print(f"import (validate + encrypt + stage, then apply in chunks): {result.inserted:,} rows in "
              f"{elapsed:.1f} s = {rows / elapsed:,.0f} rows/s; peak RSS {before:.0f} MB before, "
              f"{peak_rss_mb():.0f} MB after")
        print(f"import CPU: {cpu.parent:.1f} s this process + {cpu.children:.1f} s its children (pool) = "
              f"{cpu.parent + cpu.children:.1f} s; children's peak RSS {cpu.child_peak_mb:.0f} MB")
        print(f"roster size 64.08: {await roster.count_by_area('64.08'):,}")

        checker = StatusService(roster.repository, StatusCheckRepository(db), vault, SystemClock(), per_day=5, tz=WITA)
        today = dt.datetime.now(WITA).date()
        rng = random.Random(1)
        wanted = sorted(rng.sample(range(rows), min(lookups, rows)))
        picks = []
        targets = iter(wanted)
        target = next(targets, None)
        for index, row in enumerate(sample_rows(rows)):
            if index == target:
                picks.append(row)
                target = next(targets, None)
                if target is None:
                    break
        rng.shuffle(picks)
        timings = []
        for row in picks:
            right = rng.random() < 0.8
            answer = Answer("name", row.nama if right else "Nama Lain Sekali")
            nik = Nik.parse(row.nik, today)
            t0 = time.perf_counter()
            member = await checker.lookup(nik, answer)
            timings.append((time.perf_counter() - t0) * 1000)
            assert (member is not None) == right
        timings.sort()
        p50 = statistics.median(timings)
        p99 = timings[int(len(timings) * 0.99) - 1]
        print(f"lookups: {len(timings):,}  p50 {p50:.3f} ms  p99 {p99:.3f} ms")
        print(f"peak RSS: {peak_rss_mb():.0f} MB")
        if undo:
            await undo_bench(roster, path, result.import_id or 0, rows)
    finally:
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--db", default=None, help="database URL (default: a throwaway SQLite file)")
    parser.add_argument("--xlsx", action="store_true", help="import an .xlsx instead of a .csv")
    parser.add_argument("--bomb", type=int, default=0, metavar="MB",
                        help="import an .xlsx bomb whose shared strings unpack to MB megabytes, and stop")
    parser.add_argument("--undo", action="store_true", help="also time undoing the import (see above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        if args.bomb:
            asyncio.run(bomb(args.db, Path(tmp), args.bomb))
        else:
            asyncio.run(main(args.rows, args.lookups, args.db, Path(tmp), args.xlsx, args.undo))
