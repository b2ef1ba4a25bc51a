"""Shared reply helpers and keyboards (thin; no domain logic)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.domain.i18n import N_, Translator
from handlers.context import BotContext

# (callback data, label) of the main menu, in reading order; two per row on a phone.
MENU_ITEMS: tuple[tuple[str, str], ...] = (
    ("menu:status", N_("🛡 Check protection")),
    ("menu:eligibility", N_("✅ Check eligibility")),
    ("menu:benefits", N_("💰 Benefits & fees")),
    ("menu:faq", N_("❓ Questions")),
    ("menu:interest", N_("📝 Sign up interest")),
    ("menu:help", N_("ℹ️ Help")),
)


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def main_menu_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t.gettext(label), callback_data=data) for data, label in MENU_ITEMS]
    return InlineKeyboardMarkup(rows(buttons))


def back_to_menu_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("🏠 Main menu"), callback_data="menu:home")]])


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
