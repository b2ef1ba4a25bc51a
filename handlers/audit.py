"""/audit (admins): the last 50 entries of the audit log, or the whole log as a CSV file."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain import audit
from handlers.context import BotContext
from handlers.officials import require_admin
from handlers.ui import ack, say

LIMIT = 50
MESSAGE_MAX = 3900


async def show(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    t = context.i18n
    _ = t.gettext
    entries = await context.services.audit.recent(LIMIT)
    if not entries:
        await say(update, context, _("The audit log is empty."))
        return
    lines = [_("<b>Audit log</b>, newest first (times in {tz}):").format(tz=t.tz_label)]
    lines += [audit.line(t, e) for e in entries]
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + len(line) + 1 <= MESSAGE_MAX:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("📄 Whole log as a file"), callback_data="aud:file")]])
    for index, chunk in enumerate(chunks):
        await say(update, context, chunk, keyboard if index == len(chunks) - 1 else None)


async def as_file(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    services = context.services
    data = audit.to_csv(context.i18n, await services.audit.all())
    stamp = services.clock.now().astimezone(context.i18n.tz).strftime("%Y%m%d-%H%M")
    assert update.effective_chat is not None
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=f"audit-{stamp}.csv"))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("audit", show))
    application.add_handler(CallbackQueryHandler(as_file, pattern=r"^aud:file$"))
