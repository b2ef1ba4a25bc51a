"""Scale: throughput of one vs two `jagakerja run` processes (MULTI_PROCESS) on one PostgreSQL, same load.

    python bench/scale.py [--users 50] [--steps 20] [--server postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Each run gets a fresh database on the server. The load is the counting flow (bot/testing/step_flow.py): every
user's /langkah and numbers are queued at once (users × (steps + 1) updates), so each user is one ordered lane and
the lanes run in parallel. Measured: from the first update queued to the last answer recorded; every answer is
checked (exactly once, in order). On a 2-core machine two processes share the same cores: the ratio shows the
overhead of claiming across processes more than the gain of a second machine.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble
from bot.testing.step_flow import replies, start_bot_process, step_report
from bot.testing.user import TelegramUser


async def ready(log: Path, timeout: float = 300) -> None:
    """The process logged that it is running (a cold start on a loaded machine takes a while)."""
    deadline = time.monotonic() + timeout
    while "is running" not in (log.read_text() if log.exists() else ""):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{log} never said it was running")
        await asyncio.sleep(0.2)


async def one_run(server: str, processes: int, users: int, steps: int) -> tuple[float, Counter[str]]:
    name = "jk_scale_" + uuid.uuid4().hex[:8]
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as folder_name:
            folder = Path(folder_name)
            async with BotApiDouble() as double:
                key = generate_key()
                running = []
                for i in range(processes):  # one at a time: the first migrates the new database
                    running.append(await start_bot_process(double, url, key, folder, MULTI_PROCESS="true",
                                                           LOG_LEVEL="INFO"))
                    await ready(folder / f"bot-{i}.log")
                lanes = [TelegramUser(double, 800000 + i) for i in range(users)]
                began = time.perf_counter()
                for lane in lanes:
                    await lane.send("/langkah")
                for n in range(1, steps + 1):
                    for lane in lanes:
                        await lane.send(str(n))
                await double.wait_for(lambda: all(f"ok {steps}" in replies(double, lane.chat_id) for lane in lanes),
                                      600, "every lane's last answer")
                elapsed = time.perf_counter() - began
                for process in running:
                    process.send_signal(signal.SIGTERM)
                await asyncio.gather(*(p.wait() for p in running))
                report: Counter[str] = Counter()
                for lane in lanes:
                    report.update(step_report(replies(double, lane.chat_id), steps))
                report["messages"] = len(double.messages)
                odd = [m.text for m in double.messages if not (m.text or "").startswith(("ok ", "siap "))]
                if odd:
                    print(f"  {len(odd)} other answers, e.g. {odd[:3]}", flush=True)
                    for log in sorted(folder.glob("bot-*.log")):
                        warnings = [ln for ln in log.read_text().splitlines() if " WARNING " in ln or " ERROR " in ln]
                        print(f"  {log.name}: {len(warnings)} warnings/errors, e.g. {warnings[:3]}", flush=True)
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    return elapsed, report


async def scale(args: argparse.Namespace) -> None:
    total = args.users * (args.steps + 1)
    rates = {}
    for processes in args.processes:
        elapsed, report = await one_run(args.server, processes, args.users, args.steps)
        rates[processes] = total / elapsed
        print(f"{processes} process(es): {total} updates in {elapsed:6.1f} s = {rates[processes]:6.1f} updates/s   "
              f"lost {report['lost']} dup {report['dup']} out-of-step {report['out_of_step']} "
              f"repeated {report['repeated']} (messages {report['messages']})", flush=True)
    if 1 in rates and 2 in rates:
        print(f"ratio 2/1: {rates[2] / rates[1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--server", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL server where this user may create databases")
    asyncio.run(scale(parser.parse_args()))


if __name__ == "__main__":
    main()
