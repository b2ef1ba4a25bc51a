"""Soak: a scripted multi-user conversation against a real `jagakerja run` process, killed with SIGKILL at
random moments and restarted each time; counts lost, duplicated and out-of-step steps (target 0/0/0).

    python bench/soak.py [--users 20] [--kills 20] [--database-url postgresql+asyncpg://…]

Each user enters the counting flow (bot/testing/step_flow.py: /langkah, then 1, 2, 3, … in a closed loop: send,
wait for the answer, send the next). The flow answers "ok N" when N is the next number in the state it reads, "dup
N" when it was already counted (an update handled again against the state it wrote), "step N want M" when out of
step. The replies of the update in flight at a kill may come twice (handled again from the state before it):
they are counted and reported separately ("in-flight replies repeated"), not as duplicates.
SQLite by default (the one-process setup).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import signal
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.domain.privacy import generate_key
from bot.testing.double import BotApiDouble
from bot.testing.step_flow import replies, start_bot_process, step_report
from bot.testing.user import TelegramUser

REPLY_TIMEOUT = 180.0  # a restart on a loaded machine takes a while


async def user_loop(double: BotApiDouble, user: TelegramUser, stop: asyncio.Event, sent: Counter[int]) -> None:
    await user.send("/langkah")
    await double.wait_for(lambda: "siap 0" in replies(double, user.chat_id), REPLY_TIMEOUT, "siap")
    n = 0
    while not stop.is_set():
        n += 1
        await user.send(str(n))
        sent[user.user_id] = n
        def answered(n: int = n) -> bool:
            return any(t in (f"ok {n}", f"dup {n}") or t.startswith(f"step {n} ")
                       for t in replies(double, user.chat_id)[-3:])

        try:
            await double.wait_for(answered, REPLY_TIMEOUT, f"answer to {n} from {user.user_id}")
        except TimeoutError:
            # Not counted here: the update may still be waiting in the inbox (two kills in a row); the final
            # count looks for its answer among everything the user received.
            print(f"user {user.user_id}: no answer to {n} within {REPLY_TIMEOUT:.0f} s; going on", flush=True)


def answering_again(double: BotApiDouble, before: int) -> bool:
    return len(double.messages) > before


async def soak(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    key = generate_key()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        url = args.database_url or f"sqlite+aiosqlite:///{folder / 'soak.db'}"
        async with BotApiDouble() as double:
            process = await start_bot_process(double, url, key, folder)
            users = [TelegramUser(double, 700000 + i) for i in range(args.users)]
            stop = asyncio.Event()
            sent: Counter[int] = Counter()
            loops = [asyncio.create_task(user_loop(double, u, stop, sent)) for u in users]
            began = time.perf_counter()
            await double.wait_for(lambda: len(double.messages) >= args.users, REPLY_TIMEOUT, "the first answers")
            restarts: list[float] = []
            for kill in range(1, args.kills + 1):
                await asyncio.sleep(rng.uniform(0.2, args.max_gap))  # a random moment of the load
                process.send_signal(signal.SIGKILL)
                await process.wait()
                killed_at, before = time.perf_counter(), len(double.messages)
                process = await start_bot_process(double, url, key, folder)
                await double.wait_for(functools.partial(answering_again, double, before), REPLY_TIMEOUT,
                                      "answers again")
                restarts.append(time.perf_counter() - killed_at)
                print(f"kill {kill:2d}: answering again {restarts[-1]:.1f} s after the kill", flush=True)
            stop.set()
            await asyncio.gather(*loops)
            elapsed = time.perf_counter() - began
            process.send_signal(signal.SIGTERM)
            await process.wait()
            totals: Counter[str] = Counter()
            for user in users:
                totals.update(step_report(replies(double, user.chat_id), sent[user.user_id]))
            steps = sum(sent.values())
    print(f"\n{args.users} users, {steps} steps in {elapsed:.0f} s, {args.kills} kill -9 (+ restart), "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"lost {totals['lost']} / duplicated {totals['dup']} / out-of-step {totals['out_of_step']}   "
          f"(in-flight replies repeated: {totals['repeated']})")
    print(f"restart to first answer: median {sorted(restarts)[len(restarts) // 2]:.1f} s, max {max(restarts):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--max-gap", type=float, default=3.0, help="longest run between kills (seconds)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    asyncio.run(soak(parser.parse_args()))


if __name__ == "__main__":
    main()
