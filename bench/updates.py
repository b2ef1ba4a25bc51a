"""Update throughput, latency and CPU per update: JagaKerja vs a bare python-telegram-bot echo bot.

    python bench/updates.py [--users 50] [--messages 20] [--text /bantuan] [--runs 3]

Each bot runs in its OWN process (so its CPU time is its own, not the harness's); the Bot API double and N
simulated users run in this process on 127.0.0.1. The users send M messages each in a closed loop (send, wait
for the reply, send again) after one warm-up message each (not counted: first contact creates the user row).

Bots, interleaved in every run so that the machine's load hits them alike:
  echo/httpx     the baseline: a bare PTB echo bot on PTB's default httpx transport
  echo/aiohttp   the same echo bot on JagaKerja's aiohttp transport (bot/runtime/aiohttp_request.py)
  ours/httpx     JagaKerja with HTTP_TRANSPORT=httpx (before)
  ours/aiohttp   JagaKerja with HTTP_TRANSPORT=aiohttp (the default)
JagaKerja runs as in production (SQLite file, user lookup, persistence after every update) except for the
global 30 msg/s outgoing limiter, a Telegram flood rule rather than our code's speed (off here).

Prints per bot: updates/s, p50/p99 latency, the bot process's CPU per update (time.process_time() delta
over the measured load, read inside the bot process) and the harness's CPU per update (this process), each
as min / median / max over the runs; then the ratios ours/echo-httpx and ours/echo-same-transport.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.testing.double import BotApiDouble
from bot.testing.user import TelegramUser

BOTS = ("echo/httpx", "echo/aiohttp", "ours/httpx", "ours/aiohttp")


# --------------------------------------------------------------------------- the bot process


class _RemoteDouble:
    """What LocalBot needs of a double that runs in another process: its URLs."""

    def __init__(self, base_url: str, base_file_url: str) -> None:
        self.base_url = base_url
        self.base_file_url = base_file_url
        self.port = 1


async def _lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def _measure_cpu(reader: asyncio.StreamReader) -> None:
    """ready → (begin) → CPU delta → (end): the parent brackets the measured load."""
    print("ready", flush=True)
    await reader.readline()  # begin
    start = time.process_time()
    await reader.readline()  # end
    print(f"cpu {time.process_time() - start:.6f}", flush=True)


async def serve_echo(api: str, file_api: str, transport: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    from bot.runtime.aiohttp_request import build_request
    from bot.testing.runtime import TEST_TOKEN

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")

    builder = ApplicationBuilder().token(TEST_TOKEN).base_url(api).base_file_url(file_api)
    if transport == "aiohttp":  # httpx: PTB's defaults, untouched
        builder = builder.request(build_request("aiohttp"))
        builder = builder.get_updates_request(build_request("aiohttp", for_updates=True))
    app = builder.build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    reader = await _lines()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await _measure_cpu(reader)
        await app.updater.stop()
        await app.stop()


async def serve_ours(api: str, file_api: str, transport: str) -> None:
    from bot.testing.runtime import LocalBot

    reader = await _lines()
    with tempfile.TemporaryDirectory() as folder:
        remote = cast(Any, _RemoteDouble(api, file_api))
        async with LocalBot(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", double=remote, overall_max_rate=0,
                            HTTP_TRANSPORT=transport):
            await _measure_cpu(reader)


# --------------------------------------------------------------------------- the harness


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


async def run_bot(name: str, args: argparse.Namespace, first_id: int) -> dict[str, float]:
    """One bot process against a fresh double: warm-up, measured closed loop, CPU of both sides."""
    kind, transport = name.split("/")
    async with BotApiDouble() as double:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", kind, "--transport", transport, "--api", double.base_url,
            "--file-api", double.base_file_url,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdin is not None and proc.stdout is not None
        try:
            await _expect(proc.stdout, b"ready", 120)
            users = [TelegramUser(double, first_id + i) for i in range(args.users)]
            await closed_loop(users, 1, args.text)  # warm-up: first contact, imports, connections
            proc.stdin.write(b"begin\n")
            await proc.stdin.drain()
            harness_start = time.process_time()
            elapsed, latencies = await closed_loop(users, args.messages, args.text)
            harness_cpu = time.process_time() - harness_start
            proc.stdin.write(b"end\n")
            await proc.stdin.drain()
            bot_cpu = float((await _expect(proc.stdout, b"cpu", 60)).split()[1])
            proc.stdin.close()
            await asyncio.wait_for(proc.wait(), 60)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    cuts = statistics.quantiles(latencies, n=100)
    count = len(latencies)
    return {"rate": count / elapsed, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000,
            "cpu": bot_cpu / count * 1000, "harness": harness_cpu / count * 1000}


async def _expect(stream: asyncio.StreamReader, word: bytes, timeout: float) -> bytes:
    """The next line of the bot process starting with `word` (anything else it prints is skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            line = await stream.readline()
            if not line:
                raise RuntimeError(f"the bot process ended before printing {word!r}")
            if line.startswith(word):
                return line


def spread(values: list[float], digits: int = 2) -> str:
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f}"


async def main(args: argparse.Namespace) -> None:
    print(f"{args.users} users x {args.messages} messages ({args.text!r}), closed loop, loopback double, "
          f"{args.runs} runs; each bot in its own process; figures: min / median / max")
    results: dict[str, list[dict[str, float]]] = {name: [] for name in BOTS}
    for run in range(args.runs):
        for index, name in enumerate(BOTS):
            result = await run_bot(name, args, 600_000 + 10_000 * (run * len(BOTS) + index))
            results[name].append(result)
            print(f"  run {run + 1} {name:<13} {result['rate']:7.1f} updates/s  p50 {result['p50']:6.1f} ms  "
                  f"p99 {result['p99']:6.1f} ms  bot CPU {result['cpu']:5.2f} ms/update  "
                  f"harness CPU {result['harness']:5.2f} ms/update", flush=True)
    print()
    for name in BOTS:
        rows = results[name]
        print(f"{name:<13} updates/s {spread([r['rate'] for r in rows], 1)}; "
              f"p99 ms {spread([r['p99'] for r in rows], 1)}; "
              f"bot CPU ms/update {spread([r['cpu'] for r in rows])}; harness CPU ms/update "
              f"{spread([r['harness'] for r in rows])}")

    def ratio(ours: str, base: str) -> str:
        return spread([o["rate"] / b["rate"] for o, b in zip(results[ours], results[base], strict=True)])

    print(f"ratio ours/aiohttp / echo/httpx (default transports):  {ratio('ours/aiohttp', 'echo/httpx')}")
    print(f"ratio ours/aiohttp / echo/aiohttp (same transport):    {ratio('ours/aiohttp', 'echo/aiohttp')}")
    print(f"ratio ours/httpx   / echo/httpx (before: both httpx):  {ratio('ours/httpx', 'echo/httpx')}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--text", default="/bantuan")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", choices=("echo", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--transport", choices=("httpx", "aiohttp"), default="aiohttp", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--file-api", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve == "echo":
        asyncio.run(serve_echo(arguments.api, arguments.file_api, arguments.transport))
    elif arguments.serve == "ours":
        asyncio.run(serve_ours(arguments.api, arguments.file_api, arguments.transport))
    else:
        asyncio.run(main(arguments))
