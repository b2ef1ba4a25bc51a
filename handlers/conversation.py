"""A factory for persistent conversations with the standard way out (/batal, 🏠 Main menu)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import BotContext
from handlers.ui import ack, show_main_menu

CANCEL_COMMANDS = ("batal", "cancel")


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the conversation; keep nothing of it in user_data under the conversation's prefix."""
    await ack(update)
    t = context.i18n
    await show_main_menu(update, context, t.gettext("Okay, stopped. Nothing was sent."))
    return ConversationHandler.END


def persistent_conversation(
    name: str,
    entry_points: Sequence[BaseHandler[Update, Any, Any]],
    states: dict[object, list[BaseHandler[Update, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Update, Any, Any]] = (),
) -> ConversationHandler[Any]:
    """ConversationHandler stored in the database (survives restarts); /batal and the main-menu
    button leave it from any step (dropping `user_data[name]`, the conversation's draft); a new entry
    point restarts it."""

    async def leave(update: Update, context: BotContext) -> int:
        context.user_data.pop(name, None)  # type: ignore[union-attr]
        return await cancel(update, context)

    return ConversationHandler(
        entry_points=list(entry_points),
        states=states,
        fallbacks=[
            CommandHandler(list(CANCEL_COMMANDS), leave),
            CallbackQueryHandler(leave, pattern=r"^menu:home$"),
            *fallbacks,
        ],
        name=name,
        persistent=True,
        allow_reentry=True,
    )
