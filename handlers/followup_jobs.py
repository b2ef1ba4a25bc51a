"""Messages the follow-up sends on its own: the notice about a new request (right away, or grouped when many
arrive), the worker's update after a decision (sent before the decision is saved: see `tell_worker`), and the
08:00 WITA digest of untouched requests. `FollowupService` decides who hears what; this module renders and
sends. At start, a one-off job encrypts the typed reasons older rows still hold in clear.

Several processes (issue 15): the 08:00 digest of a day is claimed by one process (`ScheduledRuns.run`), and
each message in it once more before it is sent (`ScheduledRuns.first`), so a run taken over from a process
that died sends only what the dead one had not claimed; held notices are claimed before they are sent
(`FollowupService.due_digests`)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.followup import WorkerUnreachable
from bot.domain.i18n import Translator
from bot.domain.interest import InterestRequestView
from bot.domain.markup import escape
from bot.domain.officials import InviteError, areas_text, bot_link
from bot.domain.regions import region
from bot.domain.routing import GapDigest, UncoveredDesa, place_name
from bot.domain.services import Services
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.followup_views import daily_digest, notice_digest_text, notice_text, open_button
from handlers.guards import requires
from handlers.keyboards import button
from handlers.questions_jobs import send_question_digests
from handlers.ui import ack, say

log = logging.getLogger(__name__)
DIGEST_JOB = "followup-daily-digest"
DIGEST_ITEMS = "followup-daily-digest-item"  # one claim per message of a day's digest
NOTICE_JOB = "followup-notice-digests"
SEAL_JOB = "followup-seal-reasons"
GONE = ("chat not found", "user not found")  # 400s that mean the worker can never be told
DIGEST_HOUR = 8
NOTICE_INTERVAL = 60  # seconds between looks for grouped notices whose window has closed
GAPS_MAX = 10  # desa listed (each with its invite button) in the admins' morning message


@dataclass(frozen=True)
class InviteForDesa(CallbackData):
    """✉️ under the admins' morning list: an invite link for an official of this desa (`fuj:inv:<code>`)."""

    PREFIX = "fuj:inv"
    code: str


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError:
        log.warning("could not notify official %s", chat_id)


class TelegramNotices:
    """`NoticeSender` for `FollowupService`: the notice about a new request, with an Open button."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def new_request(self, official_id: int, language: str, request: InterestRequestView) -> None:
        t = self.services.translator(language)
        await _send(self.bot, official_id, notice_text(t, request), open_button(t, request.id))

    async def tell_worker(self, user_id: int, text: str) -> bool:
        """A decision, to its worker, before it is saved: True sent; False never possible (blocked the bot,
        account gone: the decision stands); WorkerUnreachable for anything else (network, 429, 5xx, a 400), so
        that the official tries again rather than the worker never hearing. A read time-out may have been
        delivered: the retry can tell the worker twice, which beats never."""
        try:
            await self.bot.send_message(user_id, text)
        except Forbidden:
            return False
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in GONE):
                return False
            log.warning("a decision could not be sent to its worker: BadRequest")  # its text may quote theirs
            raise WorkerUnreachable("BadRequest") from error
        except TelegramError as error:
            log.warning("a decision could not be sent to its worker: %s", type(error).__name__)
            raise WorkerUnreachable(type(error).__name__) from error
        return True


async def send_notice_digests(services: Services, bot: Bot) -> int:
    """Grouped notices for officials who had more than NOTICE_BURST new requests within the window."""
    sent = 0
    for digest in await services.followup.due_digests():
        await _send(bot, digest.official_id, notice_digest_text(services.translator(digest.language), digest))
        sent += 1
    return sent


async def run_daily_digest(services: Services, bot: Bot, day: str | None = None) -> int:
    """08:00 WITA: each official hears about requests in their area untouched for 3+ days. Each message is
    claimed for `day` before it is sent (at most once per person and day, whichever process runs it); without a
    day (a direct call), nothing is claimed."""
    sent = 0
    now = services.clock.now()
    for digest in await services.followup.daily_digests():
        if day is None or await services.schedule.first(DIGEST_ITEMS, f"{day}/requests/{digest.official_id}"):
            text, keyboard = daily_digest(services.translator(digest.language), digest, now)
            await _send(bot, digest.official_id, text, keyboard)
            sent += 1
    sent += await send_question_digests(services, bot, day)  # workers' questions waiting 2+ days (issue 11)
    for gaps in await services.followup.gap_digests():  # desa with waiting requests and no official (issue 12)
        if day is None or await services.schedule.first(DIGEST_ITEMS, f"{day}/gaps/{gaps.admin_id}"):
            text, keyboard = gaps_message(services.translator(gaps.language), gaps)
            await _send(bot, gaps.admin_id, text, keyboard)
            sent += 1
    return sent


def _gap_line(t: Translator, gap: UncoveredDesa) -> str:
    _ = t.gettext
    who = gap.covered_by
    covered = (_("the officials of {area} follow up for now").format(area=escape(place_name(who.area_code)))
               if who.level != "admins" else _("nobody: only the admins"))
    count = t.ngettext("{n} request waiting", "{n} requests waiting", gap.waiting).format(n=t.number(gap.waiting))
    return f"• <b>{areas_text([gap.desa_code])}</b> · {count} · {covered}"


def gaps_message(t: Translator, digest: GapDigest) -> tuple[str, InlineKeyboardMarkup]:
    """The admins' morning list of desa without their own official, each with an invite button."""
    _ = t.gettext
    shown = digest.desa[:GAPS_MAX]
    lines = [t.ngettext("🏘 {n} desa has requests waiting and no official of its own in the bot:",
                        "🏘 {n} desa have requests waiting and no official of their own in the bot:",
                        len(digest.desa)).format(n=len(digest.desa)),
             *(_gap_line(t, gap) for gap in shown)]
    if len(digest.desa) > GAPS_MAX:
        lines.append(_("… and {n} more.").format(n=len(digest.desa) - GAPS_MAX))
    lines.append(_("Tap a desa to create an invite link for its official."))
    keyboard = [[button(_("✉️ Invite for {desa}").format(desa=place_name(gap.desa_code)),
                        InviteForDesa(gap.desa_code))] for gap in shown]
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


@requires("admin")
async def invite_for_desa(update: Update, context: BotContext) -> None:
    """An invite link for the desa's official, in a new message (the morning list stays as it is)."""
    await ack(update)
    data = InviteForDesa.of(update)
    found = region(data.code) if data is not None else None
    t = context.i18n
    _ = t.gettext
    if found is None or found.level != 4:
        return
    try:
        created = await context.services.officials.create_invite(context.actor, "official", [found.code])
    except InviteError:
        await say(update, context, _("That area is not valid. Start again with /undang."))
        return
    await say(update, context, "\n".join([
        _("✉️ <b>Invite created</b> for: {who}").format(who=areas_text(created.invite.area_codes)),
        _("Send this link to the person. It works once, until {when}.").format(
            when=t.datetime(created.invite.expires_at)),
        "",
        escape(bot_link(context.bot.username, created.payload)),
    ]))


async def _daily_job(context: BotContext) -> None:
    """Once a day across all processes (the others find the day claimed)."""
    await context.services.schedule.run(DIGEST_JOB)


async def _notice_job(context: BotContext) -> None:
    await send_notice_digests(context.services, context.bot)


async def _seal_job(context: BotContext) -> None:
    sealed = await context.services.followup.seal_reasons()
    if sealed:
        log.info("encrypted %d typed status reasons stored in clear by an older version", sealed)


def register(application: Application, services: Services) -> None:
    """Notices go through this application's bot (a restart attaches the new one); jobs are scheduled."""
    services.followup.attach(TelegramNotices(application.bot, services))
    services.schedule.register(DIGEST_JOB, lambda day: run_daily_digest(services, application.bot, day))
    application.add_handler(CallbackQueryHandler(invite_for_desa, pattern=InviteForDesa.pattern()))
    if application.job_queue is not None:
        application.job_queue.run_daily(_daily_job, time=dt.time(DIGEST_HOUR, 0, tzinfo=services.config.tz),
                                        name=DIGEST_JOB)
        application.job_queue.run_repeating(_notice_job, interval=NOTICE_INTERVAL, first=NOTICE_INTERVAL,
                                            name=NOTICE_JOB)
        application.job_queue.run_once(_seal_job, when=0, name=SEAL_JOB)
