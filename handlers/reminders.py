"""Expiry reminders: opt in after a *Protected* answer, opt out from a reminder, and the daily run at 08:00.

The policy (claim before sending, mark sent/failed, a blocked user is marked) is `ReminderService`
(bot/domain/reminders.py); this module only sends. The state lives in the database: the job only asks "what is
due today and not yet claimed", so a restart, a missed day or a second machine never sends a reminder twice.
Several processes (issue 15): the day's run itself is claimed by one process (`ScheduledRuns.run`); if it dies,
another takes the run over and the per-reminder claims keep what was sent from going out again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import cast

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.i18n import Translator
from bot.domain.reminders import (
    DAILY_RUN_HOUR,
    DueReminder,
    RecipientBlocked,
    opt_in_text,
    reminder_text,
)
from bot.domain.services import Services
from handlers.callbacks import CallbackData, Menu
from handlers.context import BotContext, HasServices
from handlers.keyboards import back_to_menu_keyboard, button
from handlers.status_state import LastProtected
from handlers.ui import ack, say, set_buttons

log = logging.getLogger(__name__)
JOB_NAME = "roster-reminders"


@dataclass(frozen=True)
class RemindMe(CallbackData):
    """🔔 under a *Protected* answer: subscribe to that roster entry."""

    PREFIX = "status:remind"


@dataclass(frozen=True)
class StopReminders(CallbackData):
    PREFIX = "remind:stop"


def reminder_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [button(_("🛡 Check protection"), Menu("status"))],
        [button(_("🔕 Stop reminders"), StopReminders())],
    ])


class TelegramReminderSender:
    """Delivers a reminder in the subscriber's language (`ReminderSender`)."""

    def __init__(self, services: Services, bot: Bot) -> None:
        self.services = services
        self.bot = bot

    async def send(self, reminder: DueReminder) -> None:
        t = self.services.translator(reminder.candidate.language or self.services.config.default_language)
        try:
            await self.bot.send_message(reminder.user_id, reminder_text(reminder.kind, reminder.candidate, t,
                                                                        reminder.today),
                                        reply_markup=reminder_keyboard(t))
        except Forbidden as exc:
            raise RecipientBlocked from exc


async def run_due_reminders(services: Services, bot: Bot, now: dt.datetime) -> int:
    """The daily run: every reminder due today that was not sent before (returns how many were sent), and the
    status-check quota of past days forgotten."""
    sent = await services.reminders.run_due(TelegramReminderSender(services, bot), now)
    await services.status_checks.purge_quota()
    return sent


async def daily_job(context: BotContext) -> None:
    """Once a day across all processes (the work is registered in `register`)."""
    await context.services.schedule.run(JOB_NAME)


async def _daily_run(services: Services, bot: Bot) -> int:
    count = await run_due_reminders(services, bot, services.clock.now())
    await services.schedule.purge()  # done runs older than two weeks
    log.info("daily reminders: %d sent", count)
    return count


async def opt_in(update: Update, context: BotContext) -> None:
    await ack(update)
    assert context.profile is not None
    t = context.i18n
    _ = t.gettext
    end = await context.services.reminders.subscribe(context.profile.id, LastProtected.load(context).member_id)
    if end is None:
        await say(update, context, _("Please check your protection first; then I can remind you."),
                  back_to_menu_keyboard(t))
        return
    await set_buttons(update, context, back_to_menu_keyboard(t))
    await say(update, context, opt_in_text(end, context.services.clock.now(), t), back_to_menu_keyboard(t))


async def opt_out(update: Update, context: BotContext) -> None:
    await ack(update)
    assert context.profile is not None
    t = context.i18n
    await context.services.reminders.unsubscribe(context.profile.id)
    await say(update, context, t.gettext("🔕 Okay, no more reminders."), back_to_menu_keyboard(t))


def register(application: Application) -> None:
    services = cast(HasServices, application).services
    services.schedule.register(JOB_NAME, lambda _day: _daily_run(services, application.bot))
    application.add_handler(CallbackQueryHandler(opt_in, pattern=RemindMe.pattern()))
    application.add_handler(CallbackQueryHandler(opt_out, pattern=StopReminders.pattern()))
    if application.job_queue is not None:
        application.job_queue.run_daily(
            daily_job, time=dt.time(DAILY_RUN_HOUR, 0, tzinfo=services.config.tz), name=JOB_NAME)
