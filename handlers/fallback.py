"""Last resort: anything no other handler took gets a helpful reply with the menu, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.context import BotContext
from handlers.ui import ack, show_main_menu


async def unknown_message(update: Update, context: BotContext) -> None:
    _ = context.i18n.gettext
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        intro = _("I don't know that command. /bantuan lists the ones I know.")
    else:
        intro = _("Sorry, I didn't understand that. 🙏")
    await show_main_menu(update, context, intro)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message whose flow has ended or changed, or forged data no handler takes."""
    await ack(update, context.i18n.gettext("This button has expired."))
    await show_main_menu(update, context)


def register(application: Application) -> None:
    application.add_handler(MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, unknown_message))
    application.add_handler(CallbackQueryHandler(stale_button))
