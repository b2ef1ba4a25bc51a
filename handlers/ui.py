"""Shared reply helpers and keyboards (thin; no domain logic).

The one way to answer a button press is `ack` (answers it once, whatever calls it later in the same update),
the one way to change the pressed message is `edit_or_say` / `clear_buttons` (never an edit Telegram would
refuse as "message is not modified", never an edit of a message the bot can no longer see)."""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from typing import Any, cast

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.domain.i18n import Translator
from handlers.context import BotContext
from handlers.keyboards import MENU_ITEMS, back_to_menu_keyboard, main_menu_keyboard, rows

__all__ = ["MENU_ITEMS", "back_to_menu_keyboard", "main_menu_keyboard", "rows"]

_TAG = re.compile(r"<[^>]*>")
_ANSWERED: OrderedDict[int, CallbackQuery] = OrderedDict()  # id(query) -> the query (held: ids stay unique)
_ANSWERED_MAX = 4096
_DELETED = "ui.deleted"  # bot_data: (chat, message) of user messages this process deleted
_DELETED_MAX = 4096
_LAST_EDITS = "ui.last_edits"  # bot_data: (chat, message) -> what this process last wrote into it
_LAST_EDITS_MAX = 4096
Shown = tuple[str, InlineKeyboardMarkup | None]


def main_menu_text(t: Translator) -> str:
    return t.gettext("What would you like to do? Tap a button below.")


async def say(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a message to the chat of this update (works for messages and button presses)."""
    chat = update.effective_chat or update.effective_user  # a private chat's id is its user's id
    if chat is None:
        raise ValueError("say() needs an update from a chat or a user")  # preprocess lets none such through
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def ack(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press so the phone stops showing the spinner (optionally with a short text).

    Only the first call for a press answers it: Telegram refuses a second answer, and a handler that answers
    ("This button has expired.") and then shows a screen whose handler also acks must not send one."""
    query = update.callback_query
    if query is None or _ANSWERED.get(id(query)) is query:
        return
    _ANSWERED[id(query)] = query
    while len(_ANSWERED) > _ANSWERED_MAX:
        _ANSWERED.popitem(last=False)
    await query.answer(text, show_alert=alert)


async def tell(update: Update, context: BotContext, text: str) -> None:
    """A short notice for whatever the user just did: an alert over a pressed button, a message after typing."""
    if update.callback_query is not None:
        await ack(update, text, alert=True)
    else:
        await say(update, context, text)


def answered(update: Update) -> bool:
    """Whether `ack` already answered this update's button press."""
    query = update.callback_query
    return query is not None and _ANSWERED.get(id(query)) is query


async def show_main_menu(update: Update, context: BotContext, intro: str | None = None) -> Message:
    t = context.i18n
    text = main_menu_text(t) if intro is None else intro + "\n\n" + main_menu_text(t)
    return await say(update, context, text, main_menu_keyboard(t))


async def forget_user_message(update: Update, context: BotContext) -> bool:
    """Delete the user's own message (e.g. one holding a NIK) so it does not stay readable in the chat on a
    shared phone. Best effort: True when deleted."""
    message = update.effective_message
    if message is None:
        return False
    key = (message.chat_id, message.message_id)
    data: dict[Any, Any] = context.bot_data
    done = cast(OrderedDict[tuple[int, int], None], data.setdefault(_DELETED, OrderedDict()))
    if key in done:  # an edit of a message already deleted: Telegram would answer "not found"
        return True
    try:
        deleted = bool(await message.delete())
    except TelegramError:
        return False
    done[key] = None
    while len(done) > _DELETED_MAX:
        done.popitem(last=False)
    return deleted


def typed(update: Update) -> str:
    """The text the user typed: a new message or an edited one (an edit counts as typed again); "" for none."""
    message = update.effective_message
    return (message.text if message is not None else None) or ""


def pressed_message(update: Update) -> Message | None:
    """The message whose button was pressed, when the bot can still see it (None for a command, a message
    sent in inline mode or one Telegram reports as inaccessible: date 0)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) and message.is_accessible else None


async def edit_or_say(update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show `text` in the message whose button was pressed; a new message when there is none (a command) or it
    holds no text to edit. Nothing is sent when the message already shows exactly this (a double tap)."""
    message = pressed_message(update)
    if message is None or message.text is None:
        await say(update, context, text, markup)
        return
    await _edit(context, message, text, markup)


async def set_buttons(update: Update, context: BotContext, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the buttons of the pressed message (default: take them off, a question answered); nothing is
    sent when it already has these buttons, or when there is no pressed message the bot can see."""
    message = pressed_message(update)
    if message is not None:
        await _edit(context, message, None, markup)


async def _edit(context: BotContext, message: Message, text: str | None, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the text (None: keep it) and the buttons, unless nothing would change: compared with the message as
    the press carried it and with what this process last wrote into it (a double tap carries the message as it
    was before the first tap's edit)."""
    current = _shown(message)
    remembered = _last_edits(context).get((message.chat_id, message.message_id))
    latest = remembered or current
    wanted: Shown = (latest[0] if text is None else _plain(text), _buttons(markup))
    if wanted in (current, remembered) or (text is None and latest[1] == wanted[1]):
        return
    try:
        if text is None:
            await message.edit_reply_markup(reply_markup=markup)
        else:
            await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():  # else: another press got there first; all done
            raise
    _remember(context, message, wanted)


def _plain(text: str) -> str:
    """What Telegram shows for an HTML text: tags dropped, entities decoded, ends trimmed."""
    return html.unescape(_TAG.sub("", text)).strip()


def _buttons(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    return markup if markup is not None and markup.inline_keyboard else None


def _shown(message: Message) -> Shown:
    return (message.text or message.caption or "").strip(), _buttons(message.reply_markup)


def _last_edits(context: BotContext) -> OrderedDict[tuple[int, int], Shown]:
    data: dict[Any, Any] = context.bot_data
    if _LAST_EDITS not in data:
        data[_LAST_EDITS] = OrderedDict()
    return cast(OrderedDict[tuple[int, int], Shown], data[_LAST_EDITS])


def _remember(context: BotContext, message: Message, shown: Shown) -> None:
    edits = _last_edits(context)
    edits[(message.chat_id, message.message_id)] = shown
    edits.move_to_end((message.chat_id, message.message_id))
    while len(edits) > _LAST_EDITS_MAX:
        edits.popitem(last=False)
