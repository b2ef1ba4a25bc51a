"""Fairness under a flood: one user sends 500 messages at once; how long do the others wait for a reply?

    python bench/fairness.py [--flood 500] [--probe-users 3] [--probes 20] [--text /bantuan] [--only after]

The flooding user's messages are all queued before the bot takes any of them; then `--probe-users` other users
each send `--probes` messages in a closed loop (send, wait for the reply, send again) while the backlog drains.
Prints the probes' p50/p99/max latency, and how much of the backlog was still waiting when the probes were done
(it must be > 0, or the probes did not run during the flood).

"idle" is the same probes without the flood (the reference), "before" is the old update processor (each
update takes one of the 64 shared slots, then waits for its user's lock: the flooder's backlog holds every
slot), "after" is `bot.runtime.concurrency.PerUserUpdateProcessor` (an update waits for its user's turn
first, then takes a slot). Same code otherwise, production settings: SQLite file, persistence after every
update, the 30 msg/s outgoing limiter. Target: after, p99 <= 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from telegram.ext import BaseUpdateProcessor

from bot.runtime.app import JagaKerjaApplication
from bot.runtime.concurrency import _key
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser

FLOODER = 810001


class SlotFirstProcessor(BaseUpdateProcessor):
    """The processor before the fix (kept here only to measure it): PTB's semaphore (64 slots) is taken first,
    then the update waits for its user's lock while holding the slot."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        async with self._locks.setdefault(key, asyncio.Lock()):
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def use_slot_first(app: JagaKerjaApplication) -> None:
    app._update_processor = SlotFirstProcessor()  # benchmark only: the "before" figure


async def probe(user: TelegramUser, count: int, text: str, latencies: list[float]) -> None:
    for _ in range(count):
        began = time.perf_counter()
        await user.send(text)
        await user.expect_reply(timeout=300)
        latencies.append(time.perf_counter() - began)


async def run(args: argparse.Namespace, label: str, flood: int) -> dict[str, float]:
    configure = use_slot_first if label == "before" else None
    with tempfile.TemporaryDirectory() as folder:
        async with LocalBot(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", configure=configure) as bot:
            warm = bot.user(810000)  # first update pays for imports and caches: not part of either figure
            await warm.send(args.text)
            await warm.expect_reply(timeout=60)
            flooder = bot.user(FLOODER)
            began = time.perf_counter()
            for _ in range(flood):
                await flooder.send(args.text)
            latencies: list[float] = []
            users = [bot.user(820000 + i) for i in range(args.probe_users)]
            await asyncio.gather(*(probe(u, args.probes, args.text, latencies) for u in users))
            probes_done = time.perf_counter() - began
            backlog_left = flood - len(bot.double.messages_to(FLOODER))
            await bot.double.wait_for(lambda: len(bot.double.messages_to(FLOODER)) >= flood, timeout=600)
            flood_done = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    result = {"p50": cuts[49], "p99": cuts[98], "max": max(latencies), "left": backlog_left,
              "probes_done": probes_done, "flood_done": flood_done}
    print(f"{label:<7} probes p50 {result['p50'] * 1000:7.1f} ms  p99 {result['p99'] * 1000:8.1f} ms  "
          f"max {result['max'] * 1000:8.1f} ms | probes done at {probes_done:5.1f} s with {backlog_left} of "
          f"{flood} flood messages still unanswered; flood answered at {flood_done:5.1f} s")
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood", type=int, default=500)
    parser.add_argument("--probe-users", type=int, default=3)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--text", default="/bantuan")
    parser.add_argument("--only", choices=["idle", "before", "after"])
    args = parser.parse_args()
    print(f"one user floods {args.flood} x {args.text!r}; {args.probe_users} other users x {args.probes} "
          f"{args.text!r} in a closed loop meanwhile")
    for label in ("idle", "before", "after"):
        if args.only in (None, label):
            result = await run(args, label, flood=0 if label == "idle" else args.flood)
            if label == "after":
                verdict = "OK" if result["p99"] <= 0.5 and result["left"] > 0 else "MISSED"
                print(f"target p99 <= 500 ms during the backlog: {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
