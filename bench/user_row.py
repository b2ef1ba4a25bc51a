"""The per-update user lookup (group -1, `UserService.arrive`): the user row and role with the actor cache on and
off (off = `MULTI_PROCESS`, and what every update cost before issue 16).

    python bench/user_row.py [--users 50] [--rounds 200] [--db sqlite|URL]

N users (one of them an official) are created, then each round every user "arrives" once, as an update would.
Prints wall time and CPU time per arrival (µs; the CPU of the event loop's thread and aiosqlite's thread both
count) and the p50/p99 wall latency, cache off then on.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.domain.actor_cache import ActorCache
from bot.domain.clock import SystemClock
from bot.domain.privacy import Vault, generate_key
from bot.domain.roles import RoleService
from bot.domain.users import UserService
from storage.db import Database, open_database
from storage.officials import OfficialRepository
from storage.users import UserRepository


async def measure(db: Database, uids: list[int], rounds: int, cache: ActorCache) -> dict[str, float]:
    clock = SystemClock()
    users = UserService(UserRepository(db), Vault(generate_key()), clock, RoleService(OfficialRepository(db),
                        frozenset({uids[0]})), cache)
    for uid in uids:  # warm: rows exist and last-seen is fresh, so no arrival writes
        await users.arrive(uid, "id")
    latencies: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for uid in uids:
            start = time.perf_counter()
            await users.arrive(uid, "id")
            latencies.append(time.perf_counter() - start)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    cuts = statistics.quantiles(latencies, n=100)
    n = len(latencies)
    return {"wall_us": wall / n * 1e6, "cpu_us": cpu / n * 1e6, "p50_us": cuts[49] * 1e6, "p99_us": cuts[98] * 1e6}


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}" if args.db == "sqlite" else args.db
        db = await open_database(url)
        try:
            uids = list(range(800_000, 800_000 + args.users))
            for label, cache in (("cache off (MULTI_PROCESS, before)", ActorCache(enabled=False)),
                                 ("cache on", ActorCache())):
                r = await measure(db, uids, args.rounds, cache)
                print(f"{label:<36} wall {r['wall_us']:7.1f} µs  CPU {r['cpu_us']:7.1f} µs  "
                      f"p50 {r['p50_us']:7.1f} µs  p99 {r['p99_us']:7.1f} µs per arrival")
        finally:
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a database URL")
    asyncio.run(main(parser.parse_args()))
