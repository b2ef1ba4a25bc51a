"""Workers can stop announcements: /berhenti or the 🔕 button under every broadcast message stops them, /lanjut
resumes them (`UserService.stop_broadcasts` / `resume_broadcasts`; the audiences of /siaran leave them out).

The button is added by the broadcast sender (handlers/broadcast_sender.py: `stop_markup`), in the bot's default
language like the broadcast text it sits under."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.i18n import N_, Translator
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.keyboards import button
from handlers.ui import ack, say, set_buttons

STOP_LABEL = N_("🔕 Stop getting announcements")


@dataclass(frozen=True)
class StopAnnouncements(CallbackData):
    """`news:stop`: the button under a broadcast message."""

    PREFIX = "news:stop"


def stop_markup(t: Translator) -> InlineKeyboardMarkup:
    """The one button under each broadcast message."""
    return InlineKeyboardMarkup([[button(t.gettext(STOP_LABEL), StopAnnouncements())]])


async def stop(update: Update, context: BotContext) -> None:
    """/berhenti, or 🔕 under a broadcast (its button then goes: the choice is made)."""
    assert context.profile is not None
    await context.services.users.stop_broadcasts(context.profile.id)
    _ = context.i18n.gettext
    await ack(update, _("🔕 Done: no more announcements."))
    await set_buttons(update, context)
    await say(update, context, _("🔕 You will not get announcements any more. Send /lanjut if you want them "
                                 "again. Your requests and reminders are not affected."))


async def resume(update: Update, context: BotContext) -> None:
    """/lanjut."""
    assert context.profile is not None
    resumed = await context.services.users.resume_broadcasts(context.profile.id)
    _ = context.i18n.gettext
    await say(update, context, _("🔔 You will get announcements again. To stop them: /berhenti") if resumed
              else _("🔔 You already get announcements. To stop them: /berhenti"))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["berhenti", "stopnews"], stop))
    application.add_handler(CommandHandler(["lanjut", "resumenews"], resume))
    application.add_handler(CallbackQueryHandler(stop, pattern=StopAnnouncements.pattern()))
