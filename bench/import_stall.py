"""Import stall: how long a NEW user's /start waits while a large roster import runs in the bot's process.

    python bench/import_stall.py                        # 200,000 rows, SQLite file
    python bench/import_stall.py --rows 1000000
    python bench/import_stall.py --rows 200000 --duplicates 50000   # a rejected file: the duplicate report
    python bench/import_stall.py --cli                  # the import as `jagakerja roster import` (other process)

The real Application runs against the Bot API double (as in production: SQLite file, persistence after every
update). While the import runs (in the bot's event loop, as a chat upload does; or with --cli in a second
process on the same database), a fresh user sends /start every --interval seconds (open loop: latency is
counted from the moment the message was due, so a blocked event loop is not hidden). Prints /start p50/p99/max
with no import (baseline) and during it, the longest event-loop stall, the import time and the peak RSS.
Target (issue 14): /start p99 <= 0.5 s during a 1,000,000-row import.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.domain.privacy import generate_key
from bot.domain.roster_files import sample_rows, write_sample_csv
from bot.testing.runtime import LocalBot

_ids = itertools.count(700_000)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def figures(latencies: list[float]) -> str:
    if len(latencies) < 2:
        return f"{len(latencies)} probes"
    cuts = statistics.quantiles(latencies, n=100)
    return (f"{len(latencies)} probes   p50 {cuts[49]:.3f} s   p99 {cuts[98]:.3f} s   "
            f"max {max(latencies):.3f} s")


async def probe_while(bot: LocalBot, work: Awaitable[object] | None, seconds: float,
                      interval: float) -> tuple[list[float], float]:
    """New users send /start every `interval` s until `work` ends (or for `seconds` without work); returns the
    latencies (from the moment each /start was due) and the longest event-loop stall seen meanwhile."""
    done = asyncio.Event()
    latencies: list[float] = []
    stall = 0.0

    async def watch_loop() -> None:
        nonlocal stall
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            stall = max(stall, time.perf_counter() - before - 0.01)

    async def one(due: float) -> None:
        user = bot.user(next(_ids))
        await user.send("/start")
        await user.expect_reply(timeout=3600)
        latencies.append(time.perf_counter() - due)

    async def schedule() -> None:
        probes: list[asyncio.Task[None]] = []
        start = time.perf_counter()
        for index in itertools.count():
            due = start + index * interval
            if work is None and due - start > seconds:
                break
            wait = due - time.perf_counter()
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), wait)
            if done.is_set():
                break
            probes.append(asyncio.create_task(one(due)))
        await asyncio.gather(*probes)

    watcher = asyncio.create_task(watch_loop())
    prober = asyncio.create_task(schedule())
    if work is not None:
        try:
            await work
        finally:
            done.set()
    else:
        await asyncio.sleep(seconds)
        done.set()
    await prober
    await watcher
    return latencies, stall


def _write_file(path: Path, rows: int, duplicates: int) -> None:
    """Run in a child process, so that the generator's memory does not count in this process's peak RSS."""
    write_sample_csv(path, sample_rows(rows))
    with path.open("a", encoding="utf-8", newline="") as handle:
        for row in itertools.islice(sample_rows(rows), duplicates):
            handle.write(",".join(row.cells()) + "\n")


class ErrorCount(logging.Handler):
    """Counts the bot's errors (e.g. "database is locked" when a write waited too long)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def main(args: argparse.Namespace, folder: Path) -> None:
    csv_path = folder / "roster.csv"
    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        pool.submit(_write_file, csv_path, args.rows, args.duplicates).result()
    print(f"generated {args.rows:,} rows (+{args.duplicates:,} repeated NIKs) "
          f"({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    key = generate_key()
    async with LocalBot(url, overall_max_rate=0, data_key=key) as bot:
        services = bot.services
        assert services is not None
        base, base_stall = await probe_while(bot, None, args.baseline, args.interval)
        print(f"/start, no import:      {figures(base)}   (loop stall max {base_stall:.3f} s)")
        rss_before = peak_rss_mb()
        outcome: dict[str, object] = {}

        async def in_process() -> None:
            result = await services.roster.import_file(csv_path, file_name=csv_path.name, imported_by="bench")
            outcome.update(status=result.status, rows=result.rows, errors=result.error_count)

        async def other_process() -> None:
            env = {**os.environ, "DATABASE_URL": url, "DATA_KEY": key}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "roster", "import", str(csv_path), "--no-progress",
                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out, _ = await process.communicate()
            outcome.update(exit=process.returncode, output=out.decode()[-300:].strip())

        errors = ErrorCount()
        logging.getLogger().addHandler(errors)
        work: Callable[[], Awaitable[None]] = other_process if args.cli else in_process
        started = time.perf_counter()
        during, stall = await probe_while(bot, work(), 0, args.interval)
        elapsed = time.perf_counter() - started
        where = "CLI, other process" if args.cli else "in the bot's process"
        print(f"import ({where}): {elapsed:.1f} s, {outcome}")
        print(f"/start, during import:  {figures(during)}   (loop stall max {stall:.3f} s; "
              f"errors logged by the bot: {errors.count})")
        print(f"peak RSS: {rss_before:.0f} MB before the import, {peak_rss_mb():.0f} MB after (the Bot API double "
              f"keeps every probe's messages in this process too)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--duplicates", type=int, default=0, help="repeat the first N NIKs (a rejected file)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between two new users' /start")
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of probes before the import")
    parser.add_argument("--cli", action="store_true", help="run the import as a CLI process")
    parser.add_argument("--tmp", type=Path, default=None, help="folder for the files (default: a temporary one)")
    arguments = parser.parse_args()
    if arguments.tmp:
        arguments.tmp.mkdir(parents=True, exist_ok=True)
        asyncio.run(main(arguments, arguments.tmp))
    else:
        with tempfile.TemporaryDirectory(prefix="import-stall-") as tmp:
            asyncio.run(main(arguments, Path(tmp)))
