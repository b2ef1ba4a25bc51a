"""Broadcast benchmark: recipients through the Bot API test double at a set rate.

    python bench/broadcast.py    # 10,000 at 500 msg/s (sender in its own process, then in-process),
                                 # 250 at 25 msg/s, then 10,000 with the sender SIGKILLed at random moments
    python bench/broadcast.py --recipients 2000 --kills 5

Prints achieved/configured rate, duplicates (a chat that got the broadcast twice) and misses (a recipient
that never got it). The kill run starts the sender as a separate process, SIGKILLs it at random moments
and starts it again until the job is done; the double (this process) records what really arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.audience import Audience, AudienceResolver
from bot.domain.broadcast import (
    BroadcastRunner,
    BroadcastService,
    ChatSpacing,
    Content,
    Draft,
    Progress,
    RealTimer,
    RunnerOptions,
    Transport,
)
from bot.testing.double import BotApiDouble
from bot.testing.runtime import TEST_TOKEN
from storage.broadcasts import BroadcastRepository, BroadcastRow
from storage.db import Database, open_database
from storage.schema import users
from storage.users import UserRepository

FIRST_ID = 5_000_000
TEXT = "Info BPJS Ketenagakerjaan: pendaftaran pekerja rentan dibuka."


class QuietProgress:
    async def update(self, job: BroadcastRow, progress: Progress) -> None:
        return None

    async def finished(self, job: BroadcastRow, progress: Progress) -> None:
        return None


async def make_users(db: Database, count: int) -> list[int]:
    now = dt.datetime.now(dt.UTC)
    ids = list(range(FIRST_ID, FIRST_ID + count))
    async with db.transaction() as conn:
        for start in range(0, count, 1000):
            await conn.execute(sa.insert(users), [
                {"id": uid, "language": "id", "created_at": now, "last_seen_at": now} for uid in ids[start:start + 1000]
            ])
    return ids


TRANSPORT = os.environ.get("HTTP_TRANSPORT", "aiohttp")  # the sender's HTTP client, as the bot's setting


@contextlib.asynccontextmanager
async def sender_for(api_base: str):  # type: ignore[no-untyped-def]
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from bot.runtime.aiohttp_request import AiohttpRequest
    from handlers.broadcast_sender import SENDER_POOL, TelegramSender

    request = (AiohttpRequest(connection_pool_size=SENDER_POOL, read_timeout=20.0) if TRANSPORT == "aiohttp"
               else HTTPXRequest(connection_pool_size=SENDER_POOL, read_timeout=20.0))
    bot = Bot(TEST_TOKEN, base_url=api_base, request=request)
    await bot.initialize()
    try:
        yield TelegramSender(bot)
    finally:
        await bot.shutdown()


def delivered(double: BotApiDouble, ids: list[int]) -> tuple[Counter[int], list[float]]:
    wanted = set(ids)
    calls = [c for c in double.calls_to("sendMessage") if c.status == 200 and int(c.params["chat_id"]) in wanted]
    return Counter(int(c.params["chat_id"]) for c in calls), sorted(c.time for c in calls)


def report(title: str, ids: list[int], double: BotApiDouble, rate: float, extra: str = "") -> float:
    per_chat, times = delivered(double, ids)
    duplicates = sum(1 for n in per_chat.values() if n > 1)
    misses = sum(1 for uid in ids if per_chat[uid] == 0)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else 0.0
    print(f"{title}: {len(ids):,} recipients, {len(times):,} delivered in {span:.2f} s; "
          f"achieved {achieved:.1f} msg/s of {rate:g} configured ({achieved / rate:.1%}); "
          f"duplicates {duplicates}, misses {misses}{extra}", flush=True)
    return achieved / rate


async def run_in_process(double: BotApiDouble, folder: Path, count: int, rate: float) -> None:
    db = await open_database(f"sqlite+aiosqlite:///{folder / f'inproc-{count}-{rate:g}.db'}")
    try:
        ids = await make_users(db, count)
        repo = BroadcastRepository(db)
        service = BroadcastService(repo, UserRepository(db), AudienceResolver(repo, default_language="id"),
                                   clock=_Clock(), options=RunnerOptions(rate=rate, progress_interval=3600))
        service.attach(Transport(open_sender=lambda: sender_for(double.base_url), progress=QuietProgress(),
                                 spawn=asyncio.create_task))
        job_id = await service.create(1, Draft(Content("text", TEXT), Audience("everyone")))
        await service.wait(job_id)
        counts = await repo.counts(job_id)
        report(f"in-process @ {rate:g}/s", ids, double, rate, f"; rows: sent {counts['sent']:,}")
    finally:
        await db.close()


class _Clock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


async def worker(db_url: str, api_base: str, job_id: int, rate: float) -> None:
    """The sender process of the kill run: resume the job and send until done (or killed)."""
    db = Database(db_url)
    try:
        repo = BroadcastRepository(db)
        async with sender_for(api_base) as sender:
            runner = BroadcastRunner(repo, UserRepository(db), job_id, sender, QuietProgress(), clock=_Clock(),
                                     timer=RealTimer(), spacing=ChatSpacing(RealTimer()),
                                     options=RunnerOptions(rate=rate, progress_interval=3600))
            cpu = time.process_time()
            profile_to = os.environ.get("BENCH_PROFILE")  # a path: pyinstrument's text profile of the sender
            if profile_to:
                from pyinstrument import Profiler

                with Profiler(async_mode="disabled") as profiler:
                    await runner.run()
                Path(profile_to).write_text(profiler.output_text(unicode=True, show_all=False))
            else:
                await runner.run()
            print(f"cpu {time.process_time() - cpu:.6f}", flush=True)  # the sender's own CPU while sending
    finally:
        await db.close()


async def run_with_kills(double: BotApiDouble, folder: Path, count: int, rate: float, kills: int) -> None:
    url = f"sqlite+aiosqlite:///{folder / f'sender-{kills}.db'}"
    db = await open_database(url)
    try:
        ids = await make_users(db, count)
        repo = BroadcastRepository(db)
        job_id = await repo.create(created_by=1, kind="text", body=TEXT, photo_file_id=None, audience_kind="everyone",
                                   audience_value=None, state="scheduled", scheduled_at=None,
                                   now=dt.datetime.now(dt.UTC))
        await repo.start(job_id, ids, dt.datetime.now(dt.UTC))
        expected = count / rate
        starts = killed = 0
        started = time.monotonic()
        while True:
            starts += 1
            proc = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--worker", "--db", url, "--api", double.base_url, "--job", str(job_id),
                "--rate", str(rate), stdout=asyncio.subprocess.PIPE if kills == 0 else None)
            if killed < kills:
                # kill at a random moment while it is really sending (not while Python is still importing)
                before = len(double.calls)
                while len(double.calls) == before and proc.returncode is None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(proc.wait(), 0.01)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), random.uniform(0.0, min(2.0, 2 * expected / kills)))
                if proc.returncode is None:
                    proc.send_signal(signal.SIGKILL)
                    await proc.wait()
                    killed += 1
                    continue
            output = (await proc.communicate())[0] if kills == 0 else b""
            await proc.wait()
            job = await repo.get(job_id)
            if job is not None and job.state == "done":
                break
        elapsed = time.monotonic() - started
        if kills == 0:
            cpu = next((float(line.split()[1]) for line in output.splitlines() if line.startswith(b"cpu ")), 0.0)
            report(f"sender process ({TRANSPORT}) @ {rate:g}/s", ids, double, rate,
                   f"; sender CPU {cpu / count * 1000:.3f} ms/message (max rate on one free core "
                   f"{count / cpu if cpu else 0:.0f}/s)")
            return
        counts = await repo.counts(job_id)
        states = await repo.recipient_states(job_id)
        per_chat, _ = delivered(double, ids)
        unknown = [uid for uid, state in states.items() if state == "unknown"]
        unknown_arrived = sum(1 for uid in unknown if per_chat[uid] > 0)
        duplicates = sum(1 for n in per_chat.values() if n > 1)
        misses = sum(1 for uid in ids if per_chat[uid] == 0)
        print(f"SIGKILL run @ {rate:g}/s: {count:,} recipients, {killed} kills, {starts} starts, {elapsed:.1f} s; "
              f"delivered {sum(1 for n in per_chat.values() if n):,}; duplicates {duplicates}, misses {misses}; "
              f"rows: sent {counts['sent']:,}, unknown {len(unknown)} (of which arrived {unknown_arrived}, "
              f"never arrived {len(unknown) - unknown_arrived})")
    finally:
        await db.close()


async def main(args: argparse.Namespace) -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # requests cut by SIGKILL are expected
    if args.worker:
        await worker(args.db, args.api, args.job, args.rate)
        return
    random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        folder = Path(tmp)
        if args.sender_only:  # the rate figure alone, `--runs` times (issue 16's table row)
            for run in range(args.runs):
                async with BotApiDouble() as double:
                    await run_with_kills(double, folder / str(run), args.recipients, args.rate, 0)
            return
        async with BotApiDouble() as double:
            await run_with_kills(double, folder, args.recipients, args.rate, 0)
        async with BotApiDouble() as double:
            await run_in_process(double, folder, args.recipients, args.rate)
        async with BotApiDouble() as double:
            await run_in_process(double, folder, args.sample, 25.0)
        async with BotApiDouble() as double:
            await run_with_kills(double, folder, args.recipients, args.rate, args.kills)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--sample", type=int, default=250, help="recipients of the 25 msg/s sample")
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sender-only", action="store_true",
                        help="only the sender-process run at --rate, --runs times (HTTP_TRANSPORT picks the client)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main(parser.parse_args()))
