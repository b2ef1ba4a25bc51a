"""Last resort: anything no other handler took gets a helpful reply with the menu, never silence."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, TypeHandler, filters

from handlers.callbacks import prefix_of
from handlers.context import BotContext
from handlers.ui import ack, answered, show_main_menu

log = logging.getLogger("jagakerja.unanswered")


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


async def settle_press(update: Update, context: BotContext) -> None:
    """After every handler (group 1): a press its handler left unanswered still stops the phone's spinner. Each
    case is a bug in that handler, logged (the button's prefix only, no data) so tests and the fuzzer find it."""
    if update.callback_query is None or answered(update):
        return
    log.warning("a press of %s was left unanswered by its handler", prefix_of(update.callback_query.data))
    await ack(update, context.i18n.gettext("This button has expired."))


def register(application: Application) -> None:
    application.add_handler(MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, unknown_message))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(TypeHandler(Update, settle_press), group=1)
