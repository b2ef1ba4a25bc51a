"""🔎 Search the follow-up queue (issue 12): by reference (`JK-7F3Q2`), name, or the NIK's last 4 digits, within
the official's area (`FollowupService.search`). `/cari <text>` searches at once; the 🔎 button asks for the
text. The results open as a selection list (`handlers/followup_bulk.py`): tick several, change them together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.followup import search_kind
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.flow_state import FlowState
from handlers.followup_bulk import BulkSelection, show_selection
from handlers.guards import requires
from handlers.ui import ack, say, typed

TYPING = "typing"


@dataclass
class SearchState(FlowState):
    """While an official types what to search for (nothing to remember but that they are typing)."""

    KEY: ClassVar[str] = "followup_search"
    asked: bool = False


@dataclass(frozen=True)
class SearchStart(CallbackData):
    """`fs:s`: ask what to search for."""

    PREFIX = "fs:s"


def _hint(context: BotContext) -> str:
    return context.i18n.gettext("Type a reference (JK-…), a name, or the last 4 digits of the NIK. /batal to stop.")


async def _search(update: Update, context: BotContext, text: str) -> bool:
    """Show the results as a selection list; False when nothing was found (the official is told)."""
    _ = context.i18n.gettext
    if search_kind(text) is None:
        await say(update, context, _hint(context))
        return False
    found = await context.services.followup.search(context.actor, text)
    if not found:
        await say(update, context, _("Nothing found in your area. Check the spelling, or try the reference or the "
                                     "last 4 digits of the NIK."))
        return False
    header = context.i18n.ngettext("🔎 {n} request found.", "🔎 {n} requests found.", len(found)).format(n=len(found))
    await show_selection(update, context, BulkSelection(ids=[r.id for r in found]), header=header)
    return True


@requires("staff")
async def ask(update: Update, context: BotContext) -> str | int:
    await ack(update)
    SearchState(asked=True).save(context)
    await say(update, context, "🔎 " + _hint(context))
    return TYPING


@requires("staff")
async def command(update: Update, context: BotContext) -> str | int:
    text = " ".join(context.args or [])
    if not text:
        return await ask(update, context)
    await _search(update, context, text)
    return ConversationHandler.END


@requires("staff")
async def got_text(update: Update, context: BotContext) -> str | int:
    if not await _search(update, context, typed(update)):
        return TYPING  # type again, or /batal
    SearchState.clear(context)
    return ConversationHandler.END


def register(application: Application) -> None:
    application.add_handler(declare_flow(
        application,
        SearchState.KEY,
        entry_points=[CallbackQueryHandler(ask, pattern=SearchStart.pattern()),
                      CommandHandler(["cari", "search"], command)],
        steps={TYPING: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_text)]},
    ))
