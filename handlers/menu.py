"""Main-menu buttons whose feature has not landed yet: a polite "coming soon" (registered last)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.context import BotContext
from handlers.ui import MENU_ITEMS, ack, show_main_menu


async def coming_soon(update: Update, context: BotContext) -> None:
    await ack(update)
    _ = context.i18n.gettext
    query = update.callback_query
    labels = dict(MENU_ITEMS)
    label = _(labels.get(query.data or "", "")) if query is not None else ""
    text = _("<b>{feature}</b> is coming soon. 🙏 Thank you for your patience.").format(feature=label)
    await show_main_menu(update, context, text)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(coming_soon, pattern=r"^menu:"))
