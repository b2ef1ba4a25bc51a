"""The error handler: log the traceback (personal data masked by the log filter), apologise to the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TimedOut
from telegram.ext import Application

from handlers.context import BotContext
from handlers.ui import back_to_menu_keyboard

log = logging.getLogger("jagakerja.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        await context.services.users.mark_blocked(update.effective_user.id)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, TimedOut):
        # A send that timed out is not repeated (it may well have arrived): no apology on top of the reply.
        log.warning("Telegram answered too slowly while handling update %s", update_id)
        return
    log.error("error while handling update %s", update_id, exc_info=error, extra={"update_id": update_id})
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    t = context.i18n
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            t.gettext("Sorry, something went wrong on our side. 🙏 Please try again, or go back to the menu."),
            reply_markup=back_to_menu_keyboard(t),
        )
    except Exception:
        log.exception("could not tell the user about the error")


def register(application: Application) -> None:
    application.add_error_handler(on_error)
