"""Shared reply helpers and keyboards (thin; no domain logic)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.domain.i18n import Translator
from handlers.keyboards import MENU_ITEMS, back_to_menu_keyboard, main_menu_keyboard, rows

__all__ = ["MENU_ITEMS", "back_to_menu_keyboard", "main_menu_keyboard", "rows"]
from handlers.context import BotContext


def main_menu_text(t: Translator) -> str:
    return t.gettext("What would you like to do? Tap a button below.")


async def say(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a message to the chat of this update (works for messages and button presses)."""
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def ack(update: Update) -> None:
    """Answer a button press so the phone stops showing the spinner."""
    if update.callback_query is not None:
        await update.callback_query.answer()


async def show_main_menu(update: Update, context: BotContext, intro: str | None = None) -> Message:
    t = context.i18n
    text = main_menu_text(t) if intro is None else intro + "\n\n" + main_menu_text(t)
    return await say(update, context, text, main_menu_keyboard(t))


async def forget_user_message(update: Update) -> bool:
    """Delete the user's own message (e.g. one holding a NIK) so it does not stay readable in the chat on a
    shared phone. Best effort: True when deleted."""
    message = update.effective_message
    if message is None:
        return False
    try:
        return bool(await message.delete())
    except TelegramError:
        return False


async def edit_or_say(update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the message whose button was pressed; a new message when there is none (a command)."""
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        await say(update, context, text, markup)
