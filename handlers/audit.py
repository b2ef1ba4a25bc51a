"""/audit (admins): the last 50 entries of the audit log, or the whole log as a CSV file."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import button
from handlers.ui import ack, say

MESSAGE_MAX = 3900


@dataclass(frozen=True)
class AuditFile(CallbackData):
    """📄 Whole log as a file (`aud:file`)."""

    PREFIX = "aud:file"


def chunks(lines: list[str], limit: int = MESSAGE_MAX) -> list[str]:
    """Lines joined into messages of at most `limit` characters."""
    joined: list[str] = []
    for line in lines:
        if joined and len(joined[-1]) + len(line) + 1 <= limit:
            joined[-1] += "\n" + line
        else:
            joined.append(line)
    return joined


@requires("admin")
async def show(update: Update, context: BotContext) -> None:
    t = context.i18n
    _ = t.gettext
    entries = await context.services.audit.recent_lines(t)
    if not entries:
        await say(update, context, _("The audit log is empty."))
        return
    lines = [_("<b>Audit log</b>, newest first (times in {tz}):").format(tz=t.tz_label), *entries]
    keyboard = InlineKeyboardMarkup([[button(_("📄 Whole log as a file"), AuditFile())]])
    messages = chunks(lines)
    for index, chunk in enumerate(messages):
        await say(update, context, chunk, keyboard if index == len(messages) - 1 else None)


@requires("admin")
async def as_file(update: Update, context: BotContext) -> None:
    await ack(update)
    name, data = await context.services.audit.export(context.i18n)
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=name))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show))
    application.add_handler(CallbackQueryHandler(as_file, pattern=AuditFile.pattern()))
