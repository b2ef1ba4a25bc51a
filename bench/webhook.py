"""Webhook intake: how fast the webhook server answers Telegram (secret check, JSON, inbox commit → 200), and
how long until every update is handled.

    python bench/webhook.py [--updates 1000] [--users 50] [--connections 40]

The real Application in webhook mode (tests/support/webhook.py:WebhookBot: the durable inbox + the webhook
server) on a fresh SQLite file; this process POSTs `/bantuan` updates to it as
Telegram does, with up to `--connections` requests at once (Telegram's default max_connections is 40).
Prints accepted updates/s, p50/p99 of the POST's latency (the time Telegram waits for our 200), and the
updates/s until all were handled (marked done by the inbox).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.runtime.webhook import SECRET_HEADER
from tests.support.webhook import SECRET, WebhookBot


def _update(update_id: int, user_id: int) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "id"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": user_id, "type": "private",
                                                                    "first_name": "Bench"},
        "from": user, "text": "/bantuan", "entities": [{"type": "bot_command", "offset": 0, "length": 8}]}}


async def run(updates: int, users: int, connections: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with WebhookBot(url, overall_max_rate=0) as bot:
            assert bot.app is not None
            latencies: list[float] = []
            queue: asyncio.Queue[int] = asyncio.Queue()
            for number in range(1, updates + 1):
                queue.put_nowait(number)
            headers = {SECRET_HEADER: SECRET}

            async def client(session: aiohttp.ClientSession) -> None:
                while not queue.empty():
                    number = queue.get_nowait()
                    started = time.perf_counter()
                    async with session.post(bot.endpoint(), json=_update(10_000 + number, 500_000 + number % users),
                                            headers=headers) as response:
                        assert response.status == 200, response.status
                    latencies.append(time.perf_counter() - started)

            started = time.perf_counter()
            connector = aiohttp.TCPConnector(limit=connections)
            async with aiohttp.ClientSession(connector=connector) as session:
                await asyncio.gather(*(client(session) for _ in range(connections)))
            accepted = time.perf_counter() - started
            assert bot.inbox is not None
            for number in range(1, updates + 1):
                await bot.inbox.wait_done(10_000 + number, timeout=600)
            handled = time.perf_counter() - started
            cuts = statistics.quantiles(latencies, n=100)
            print(f"{updates} updates, {users} users, {connections} connections, SQLite")
            print(f"accepted: {updates / accepted:.0f} updates/s; POST latency p50 {cuts[49] * 1000:.1f} ms, "
                  f"p99 {cuts[98] * 1000:.1f} ms")
            print(f"handled:  {updates / handled:.0f} updates/s (all done after {handled:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--connections", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run(args.updates, args.users, args.connections))


if __name__ == "__main__":
    main()
