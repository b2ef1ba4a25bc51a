"""Broadcast jobs after /siaran: /siaran_status, the job's Jeda / Lanjut / Hentikan buttons, the scheduler's tick
and resuming running jobs at start. Admins only (checked on the server for every update).

Several processes (issue 15, `MULTI_PROCESS`): every process runs the takeover tick (`TAKEOVER_JOB`, every
2 s): running broadcasts whose sending process died, and dated runs (08:00 digests, reminders) whose holder
died, are taken over here (`BroadcastService.take_over`, `ScheduledRuns.take_over`); a job starts once
(`launch` is atomic). One process: its start resumes, and once more when its predecessor's lease ran out."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.broadcast import BroadcastService
from bot.domain.schedule import LEASE, TICK_SECONDS
from handlers.broadcast_callbacks import JobButton
from handlers.broadcast_sender import ensure_transport
from handlers.broadcast_views import job_controls, progress_text, status_text
from handlers.context import BotContext, HasServices
from handlers.guards import REFUSALS, allowed, requires
from handlers.ui import ack, edit_or_say, pressed_message, say, set_buttons

log = logging.getLogger(__name__)

SCHEDULER_TICK_SECONDS = 20.0
TAKEOVER_JOB = "takeover"


async def on_start(context: BotContext) -> None:
    """JobQueue, once at start: resume jobs that were running when the process stopped."""
    service = ensure_transport(context.application)
    resumed = await service.resume_running()
    if resumed:
        log.info("resumed broadcasts %s", resumed)


async def takeover_tick(context: BotContext) -> None:
    """JobQueue, every TICK_SECONDS: take over the work of a process that died (broadcasts, dated runs)."""
    await ensure_transport(context.application).take_over()
    await context.services.schedule.take_over()


async def scheduler_tick(context: BotContext) -> None:
    """JobQueue, every few seconds: start scheduled broadcasts whose time has come."""
    await ensure_transport(context.application).start_due()


@requires("admin")
async def status(update: Update, context: BotContext) -> None:
    service = ensure_transport(context.application)
    t = context.i18n
    jobs = await service.recent(5)
    if not jobs:
        await say(update, context, t.gettext("No broadcasts yet. Start one with /siaran."))
        return
    for job, progress in jobs:
        await say(update, context, status_text(t, job, progress), job_controls(t, job.id, job.state))


async def job_control(update: Update, context: BotContext) -> None:
    """Pause / resume / stop / resend. A refusal is a message in the chat (the button may be forged)."""
    data = JobButton.of(update)
    assert data is not None
    if not allowed(context, "admin"):
        await ack(update)
        await say(update, context, context.i18n.gettext(REFUSALS["admin"]))
        return
    _ = context.i18n.gettext
    service = ensure_transport(context.application)
    if not await service.control(data.job_id, data.action, by=context.actor.user_id):
        await ack(update, _("That is no longer possible."))
        return
    answers = {"pause": _("Paused."), "resume": _("Sending again."), "stop": _("Stopped."),
               "resend": _("Resending to the unsure ones.")}
    await ack(update, answers[data.action])
    if data.action == "resend":  # the report stays as it was; progress and a new report follow
        await set_buttons(update, context)
        return
    await _refresh_pressed(update, context, service, data.job_id)


async def _refresh_pressed(update: Update, context: BotContext, service: BroadcastService, job_id: int) -> None:
    """A button pressed on a message other than the live progress message (e.g. under /siaran_status): show the
    job's new state there too (the progress message itself is updated by the sender)."""
    job = await service.job(job_id)
    message = pressed_message(update)
    if job is None or message is None or job.progress_message_id == message.message_id:
        return
    if job.state in ("paused", "running"):
        found = await service.progress(job_id)
        if found is not None:
            await edit_or_say(update, context, progress_text(context.i18n, *found),
                              job_controls(context.i18n, job_id, job.state))
    elif job.state == "stopped":
        await set_buttons(update, context)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(job_control, pattern=JobButton.pattern()))
    application.add_handler(CommandHandler(["siaran_status", "broadcast_status"], status))
    if application.job_queue is not None:
        application.job_queue.run_once(on_start, when=0, name="broadcast-resume")
        application.job_queue.run_repeating(scheduler_tick, interval=SCHEDULER_TICK_SECONDS,
                                            first=SCHEDULER_TICK_SECONDS, name="broadcast-scheduler")
        if cast(HasServices, application).services.config.multi_process:
            application.job_queue.run_repeating(takeover_tick, interval=TICK_SECONDS, first=TICK_SECONDS,
                                                name=TAKEOVER_JOB)
        else:  # one process: its start resumes; once more when the lease of the process it replaced ran out
            application.job_queue.run_once(takeover_tick, when=LEASE.total_seconds() + TICK_SECONDS,
                                           name=TAKEOVER_JOB + "-after-start")
