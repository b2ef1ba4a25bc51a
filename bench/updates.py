"""Update throughput and latency: JagaKerja vs a bare python-telegram-bot echo bot, same double, same run.

    python bench/updates.py [--users 50] [--messages 20] [--text /bantuan]

N simulated users each send M messages in a closed loop (send, wait for the reply, send again) through the
Bot API test double on 127.0.0.1. Prints updates/s and p50/p99 latency for both bots and the ratio.
JagaKerja runs as in production (SQLite file, user lookup, persistence after every update) except for the
global 30 msg/s outgoing limiter, which is a Telegram flood rule, not our code's speed: it is measured once
with the limiter off (the code) and once on (what users see under a burst).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.testing.double import BotApiDouble
from bot.testing.runtime import TEST_TOKEN, LocalBot
from bot.testing.user import TelegramUser


async def closed_loop(users: list[TelegramUser], messages: int, text: str) -> tuple[float, list[float]]:
    latencies: list[float] = []

    async def one(user: TelegramUser) -> None:
        for _ in range(messages):
            start = time.perf_counter()
            await user.send(text)
            await user.expect_reply(timeout=120)
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    return time.perf_counter() - began, latencies


def summary(name: str, elapsed: float, latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    result = {"rate": len(latencies) / elapsed, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}
    print(f"{name:<34} {result['rate']:8.1f} updates/s   p50 {result['p50']:7.1f} ms   p99 {result['p99']:7.1f} ms")
    return result


async def echo_bot(args: argparse.Namespace, reply: str | None = None) -> dict[str, float]:
    """The baseline: a bare PTB bot that answers every message at once (with `reply`, the same HTML text
    JagaKerja answered, so that both bots send and the double parses the same bytes)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        if reply is None:
            await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")
        else:
            await context.bot.send_message(update.effective_chat.id, reply, parse_mode="HTML")

    async with BotApiDouble() as double:
        app: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(TEST_TOKEN).base_url(double.base_url).base_file_url(double.base_file_url)
            .build()
        )
        app.add_handler(MessageHandler(filters.ALL, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            users = [TelegramUser(double, 500000 + i) for i in range(args.users)]
            elapsed, latencies = await closed_loop(users, args.messages, args.text)
            await app.updater.stop()
            await app.stop()
    return summary("bare PTB bot, same reply" if reply else "bare PTB echo bot", elapsed, latencies)


async def jagakerja(args: argparse.Namespace, limiter: bool) -> tuple[dict[str, float], str]:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        async with LocalBot(f"sqlite+aiosqlite:///{db}", overall_max_rate=30 if limiter else 0) as bot:
            users = [bot.user(600000 + i) for i in range(args.users)]
            elapsed, latencies = await closed_loop(users, args.messages, args.text)
            reply = bot.double.messages[-1].raw_text or ""
    label = "JagaKerja (30 msg/s limiter on)" if limiter else "JagaKerja (limiter off)"
    return summary(label, elapsed, latencies), reply


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--text", default="/bantuan")
    args = parser.parse_args()
    print(f"{args.users} users x {args.messages} messages ({args.text!r}), closed loop, loopback double")
    echo = await echo_bot(args)
    ours, reply = await jagakerja(args, limiter=False)
    same = await echo_bot(args, reply)
    limited, _ = await jagakerja(args, limiter=True)
    print(f"ratio JagaKerja/echo (updates/s): {ours['rate'] / echo['rate']:.2f}; "
          f"JagaKerja/bare bot with the same reply: {ours['rate'] / same['rate']:.2f}; "
          f"with the 30 msg/s flood limiter: {limited['rate'] / echo['rate']:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
