"""A counting conversation for crash tests and benchmarks of the durable inbox (tests/flows/test_inbox*.py,
bench/soak.py, bench/scale.py): it shows at once whether an update was lost, handled twice, or handled against
the wrong state.

`/langkah` enters it; then the user sends "1", "2", "3", … The conversation alternates between two persistent
states (ODD expects an odd number, EVEN an even one) and user_data keeps the last number; each number is answered
"ok N", or "dup N" (N was already counted: the update ran again against the state it had written) or "step N
want M" (out of step: the state is older or newer than the update). A handler may be slowed with `/lambat S`
(seconds, for the kill tests: the reply is sent, then the handler sleeps before its state is committed).

A real `jagakerja run` process gets it with JAGAKERJA_TEST_CONFIGURE=bot.testing.step_flow:add_step_flow.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.testing.double import BotApiDouble
from handlers.context import BotContext

ODD, EVEN = "odd", "even"
KEY = "step_flow_n"
SLOW = "step_flow_slow"


async def _enter(update: Update, context: BotContext) -> str:
    assert update.effective_chat is not None and context.user_data is not None
    context.user_data[KEY] = 0
    await context.bot.send_message(update.effective_chat.id, "siap 0")
    return ODD


async def _slow(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    parts = (update.effective_message.text or "").split()
    context.bot_data[SLOW] = float(parts[1]) if len(parts) > 1 else 0.0
    await context.bot.send_message(update.effective_chat.id, "lambat ok")
    raise ApplicationHandlerStop


def _step(parity: int) -> Any:
    async def step(update: Update, context: BotContext) -> str:
        assert update.effective_chat is not None and update.effective_message is not None
        assert context.user_data is not None
        text = (update.effective_message.text or "").strip()
        number = int(text) if text.isdigit() else -1
        last = int(context.user_data.get(KEY, 0))
        if number == last + 1 and number % 2 == parity:
            reply, last = f"ok {number}", number
        elif 0 < number <= last:
            reply = f"dup {number}"
        else:
            reply = f"step {number} want {last + 1}"
        context.user_data[KEY] = last
        await context.bot.send_message(update.effective_chat.id, reply)
        delay = float(context.bot_data.get(SLOW, 0.0))
        if delay:
            await asyncio.sleep(delay)  # reply sent, state not yet committed: the window a kill aims at
        return EVEN if last % 2 == 1 else ODD

    return step


def add_step_flow(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    numbers = filters.Regex(r"^\d+$")
    application.add_handler(CommandHandler("lambat", _slow), group=-5)
    application.add_handler(ConversationHandler(
        entry_points=[CommandHandler("langkah", _enter)],
        states={ODD: [MessageHandler(numbers, _step(1))], EVEN: [MessageHandler(numbers, _step(0))]},
        fallbacks=[],
        name="test_step_flow",
        persistent=True,
        allow_reentry=True,
    ))


async def start_bot_process(double: BotApiDouble, database_url: str, data_key: str, folder: Path,
                            **env: str) -> asyncio.subprocess.Process:
    """A real `jagakerja run` process against the double, with this flow; its log goes to folder/bot-N.log."""
    environment = {
        **os.environ,
        "BOT_TOKEN": "123456:TEST",
        "BOT_API_URL": double.base_url,
        "DATA_KEY": data_key,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "JAGAKERJA_TEST_CONFIGURE": "bot.testing.step_flow:add_step_flow",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        **env,
    }
    log = (folder / f"bot-{len(list(folder.glob('bot-*.log')))}.log").open("w")
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=environment, cwd=folder,
                                                stdout=log, stderr=log)


def replies(double: BotApiDouble, chat_id: int) -> list[str]:
    return [m.text or "" for m in double.messages if m.chat_id == chat_id]


def step_report(texts: list[str], expected: int) -> dict[str, int]:
    """Counts for the replies to one user who sent 1..expected: lost (a number never answered "ok"), repeated
    (an "ok N" answered again right after itself: the update in flight at a crash, handled again), dup and
    out_of_step (handled against the wrong state: must stay 0)."""
    oks = [int(t.split()[1]) for t in texts if t.startswith("ok ")]
    collapsed = [n for i, n in enumerate(oks) if i == 0 or oks[i - 1] != n]
    return {
        "lost": len(set(range(1, expected + 1)) - set(oks)),
        "repeated": len(oks) - len(collapsed),
        "dup": sum(t.startswith("dup ") for t in texts),
        "out_of_step": sum(t.startswith("step ") for t in texts) + (collapsed != sorted(collapsed)),
    }
