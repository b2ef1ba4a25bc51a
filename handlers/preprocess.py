"""Group -1: before any handler, decide whether the handlers see this update at all, then load or create the
user, pick their language and resolve the actor.

The handlers serve one person in a private chat with the bot. Everything else stops here (no handler, no
reply, no user row): posts in groups and channels, messages with no person as sender (anonymous group admins,
bots), edits of anything but a text. An edited text counts as typed again. A button on a message the bot
cannot see any more (sent in inline mode, or reported inaccessible), or with no data, is answered "expired"
with the main menu.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.domain.i18n import N_, resolve_language
from handlers.context import BotContext
from handlers.flow import leave_flows_for_menu
from handlers.ui import ack, pressed_message, show_main_menu

EXPIRED = N_("This button has expired.")


def from_a_person_in_private(update: Update) -> bool:
    """A message, an edited text or a button press of a person, in their private chat with the bot (a press on
    a message sent in inline mode has no chat: it passes here and is answered as expired)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot:
        return False
    if update.callback_query is not None:
        return chat is None or chat.type == ChatType.PRIVATE
    if update.edited_message is not None and update.edited_message.text is None:
        return False  # a new caption or media: never run a file upload or a step again
    return chat is None or chat.type == ChatType.PRIVATE


async def load_user(update: object, context: BotContext) -> None:
    if not isinstance(update, Update):
        return
    if not from_a_person_in_private(update):
        await ack(update, context.i18n.gettext(EXPIRED))  # a button in a group: stop the spinner
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None:  # updates that are neither messages nor presses (e.g. a poll closing): nothing to do
        return
    services = context.services
    arrival = await services.users.arrive(user.id, user.language_code)
    context.profile, context.actor = arrival.profile, arrival.actor
    language = resolve_language(arrival.profile.language, user.language_code, services.config.default_language)
    context.i18n = services.translator(language)
    query = update.callback_query
    if query is not None and (pressed_message(update) is None or not isinstance(query.data, str) or not query.data):
        # no data: forged (Telegram's buttons carry 1-64 bytes), and PTB would give it to every button handler
        await ack(update, context.i18n.gettext(EXPIRED))
        if update.effective_chat is not None:  # inaccessible, in a known chat: the way back in
            await show_main_menu(update, context)
        raise ApplicationHandlerStop
    leave_flows_for_menu(update, context)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, load_user), group=-1)
