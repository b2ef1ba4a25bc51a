"""/siaran, the last steps: the preview, then send now, schedule (a quick button or a typed time) or cancel."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.ext import ConversationHandler

from handlers.broadcast_callbacks import ScheduleAt
from handlers.broadcast_draft import CONFIRM, SCHEDULE, BroadcastDraft, admin_step, new_draft
from handlers.broadcast_sender import TelegramSender, ensure_transport
from handlers.broadcast_views import job_controls, preview_summary, schedule_keyboard
from handlers.context import BotContext
from handlers.flow import cancel
from handlers.ui import ack, say, set_buttons

log = logging.getLogger(__name__)


async def show_preview(update: Update, context: BotContext) -> int:
    found = BroadcastDraft.load(context).ready()
    chat = update.effective_chat
    if found is None or chat is None:
        return await new_draft(update, context)
    await say(update, context, context.i18n.gettext("Preview — recipients will see exactly this:"))
    await TelegramSender(context.bot).send(chat.id, found.content)
    count = await context.services.broadcasts.count(found.audience)
    await say(update, context, *preview_summary(context.i18n, found.audience, count))
    return CONFIRM


@admin_step
async def send_now(update: Update, context: BotContext) -> int:
    await ack(update)
    found = BroadcastDraft.load(context).ready()
    if found is None:
        return await new_draft(update, context)
    await set_buttons(update, context)
    job_id = await ensure_transport(context.application).create(context.actor.user_id, found)
    BroadcastDraft.clear(context)
    log.info("broadcast %d started by an admin", job_id)
    return ConversationHandler.END


@admin_step
async def ask_schedule(update: Update, context: BotContext) -> int:
    await ack(update)
    await set_buttons(update, context)
    _ = context.i18n.gettext
    await say(update, context, _("When? Type the date and time in WITA, e.g. <code>25/11 08:00</code>, "
                                 "or tap a button."), schedule_keyboard(context.i18n))
    return SCHEDULE


@admin_step
async def schedule_quick(update: Update, context: BotContext) -> int:
    choice = ScheduleAt.of(update)
    assert choice is not None
    await ack(update)
    return await _schedule(update, context, context.services.broadcasts.quick_time(choice.when))


@admin_step
async def schedule_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    service = context.services.broadcasts
    _ = context.i18n.gettext
    when = service.read_time(message.text)
    if when is None:
        await say(update, context, _("I couldn't read that time. Please write it like <code>25/11 08:00</code> "
                                     "(WITA)."), schedule_keyboard(context.i18n))
        return SCHEDULE
    if service.is_past(when):
        await say(update, context, _("That time has already passed. Please pick a time in the future."),
                  schedule_keyboard(context.i18n))
        return SCHEDULE
    return await _schedule(update, context, when)


async def _schedule(update: Update, context: BotContext, when: dt.datetime) -> int:
    found = BroadcastDraft.load(context).ready()
    if found is None:
        return await new_draft(update, context)
    await set_buttons(update, context)
    job_id = await ensure_transport(context.application).create(context.actor.user_id, found, scheduled_at=when)
    BroadcastDraft.clear(context)
    _ = context.i18n.gettext
    text = _("🕒 Broadcast #{id} is scheduled for {when}.").format(id=job_id, when=context.i18n.datetime(when))
    await say(update, context, text + "\n" + _("Change your mind? /siaran_status"),
              job_controls(context.i18n, job_id, "scheduled"))
    return ConversationHandler.END


async def cancel_draft(update: Update, context: BotContext) -> int:
    await set_buttons(update, context)
    BroadcastDraft.clear(context)
    return await cancel(update, context)
