"""Expiry reminders: opt in after a *Protected* answer, opt out from a reminder, and the daily run at 08:00.

The state lives in the database (storage/reminders.py): the job only asks "what is due today and not yet
claimed", so a restart, a missed day or a second machine never sends a reminder twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.i18n import Translator
from bot.domain.reminders import DAILY_RUN_HOUR, FIRST_REMINDER_DAYS, due_kinds, reminder_text
from bot.runtime.services import Services
from handlers.context import BotContext
from handlers.ui import ack, back_to_menu_keyboard, say

log = logging.getLogger(__name__)
JOB_NAME = "roster-reminders"


def reminder_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("🛡 Check protection"), callback_data="menu:status")],
        [InlineKeyboardButton(_("🔕 Stop reminders"), callback_data="remind:stop")],
    ])


async def run_due_reminders(services: Services, bot: Bot, now: dt.datetime) -> int:
    """Send every reminder due today that was not sent before; returns how many were sent."""
    tz = services.config.tz
    today = now.astimezone(tz).date()
    repo = services.reminders
    sent = 0
    for candidate in await repo.candidates(today, FIRST_REMINDER_DAYS):
        t = services.translator(candidate.language or services.config.default_language)
        for kind in due_kinds(candidate, today):
            if not await repo.claim(candidate.user_id, candidate.berakhir, kind, now):
                continue
            try:
                await bot.send_message(candidate.user_id, reminder_text(kind, candidate, t, today),
                                       reply_markup=reminder_keyboard(t))
            except Forbidden:
                await repo.mark(candidate.user_id, candidate.berakhir, kind, "failed", now)
                await services.users.mark_blocked(candidate.user_id)
                break
            except Exception:
                log.exception("reminder %s for a subscriber failed", kind)
                await repo.mark(candidate.user_id, candidate.berakhir, kind, "failed", now)
                continue
            await repo.mark(candidate.user_id, candidate.berakhir, kind, "sent", now)
            sent += 1
        if candidate.berakhir > candidate.known_berakhir:
            await repo.set_known_berakhir(candidate.user_id, candidate.berakhir)
    await services.status_checks.purge_quota(today - dt.timedelta(days=2))
    return sent


async def daily_job(context: BotContext) -> None:
    services = context.services
    count = await run_due_reminders(services, context.bot, services.clock.now())
    log.info("daily reminders: %d sent", count)


async def opt_in(update: Update, context: BotContext) -> None:
    await ack(update)
    assert context.profile is not None
    services, t = context.services, context.i18n
    _ = t.gettext
    last = (context.user_data or {}).get("status_last") or {}
    member = await services.roster.get(int(last["member_id"])) if last.get("member_id") else None
    if member is None or member.removed_on is not None:
        await say(update, context, _("Please check your protection first; then I can remind you."),
                  back_to_menu_keyboard(t))
        return
    await services.reminders.subscribe(context.profile.id, member.id, member.berakhir, services.clock.now())
    if update.callback_query is not None and update.callback_query.message is not None:
        await update.callback_query.edit_message_reply_markup(reply_markup=back_to_menu_keyboard(t))
    text = _("🔔 Done. I will remind you {first} days and {last} days before {end}, at 08.00 {tz}. "
             "Stop any time with the button in the reminder.").format(
        first=FIRST_REMINDER_DAYS, last=7, end=t.date(member.berakhir), tz=t.tz_label)
    await say(update, context, text, back_to_menu_keyboard(t))


async def opt_out(update: Update, context: BotContext) -> None:
    await ack(update)
    assert context.profile is not None
    t = context.i18n
    await context.services.reminders.unsubscribe(context.profile.id)
    await say(update, context, t.gettext("🔕 Okay, no more reminders."), back_to_menu_keyboard(t))


def register(application: Application) -> None:
    services: Services = application.services  # type: ignore[attr-defined]

    async def my_data(user_id: int, t: Translator) -> list[str]:
        subscription = await services.reminders.get(user_id)
        if subscription is None:
            return []
        return [t.gettext("Reminders: on (protection until {end})").format(end=t.date(subscription.known_berakhir))]

    if services.reminders.erase not in services.erase_hooks:
        services.erase_hooks.append(services.reminders.erase)
        services.my_data_hooks.append(my_data)
    application.add_handler(CallbackQueryHandler(opt_in, pattern=r"^status:remind$"))
    application.add_handler(CallbackQueryHandler(opt_out, pattern=r"^remind:stop$"))
    if application.job_queue is not None:
        application.job_queue.run_daily(
            daily_job, time=dt.time(DAILY_RUN_HOUR, 0, tzinfo=services.config.tz), name=JOB_NAME)
