"""Messages the follow-up sends on its own: the notice about a new request (right away, or grouped when many
arrive), the worker's update after a decision (sent before the decision is saved: see `tell_worker`), and the
08:00 WITA digest of untouched requests. `FollowupService` decides who hears what; this module renders and
sends. At start, a one-off job encrypts the typed reasons older rows still hold in clear."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.domain.followup import WorkerUnreachable
from bot.domain.interest import InterestRequestView
from bot.domain.services import Services
from handlers.context import BotContext
from handlers.followup_views import daily_digest, notice_digest_text, notice_text, open_button
from handlers.questions_jobs import send_question_digests

log = logging.getLogger(__name__)
DIGEST_JOB = "followup-daily-digest"
NOTICE_JOB = "followup-notice-digests"
SEAL_JOB = "followup-seal-reasons"
GONE = ("chat not found", "user not found")  # 400s that mean the worker can never be told
DIGEST_HOUR = 8
NOTICE_INTERVAL = 60  # seconds between looks for grouped notices whose window has closed


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


async def run_daily_digest(services: Services, bot: Bot) -> int:
    """08:00 WITA: each official hears about requests in their area untouched for 3+ days."""
    sent = 0
    now = services.clock.now()
    for digest in await services.followup.daily_digests():
        text, keyboard = daily_digest(services.translator(digest.language), digest, now)
        await _send(bot, digest.official_id, text, keyboard)
        sent += 1
    sent += await send_question_digests(services, bot)  # workers' questions waiting 2+ days (issue 11)
    return sent


async def _daily_job(context: BotContext) -> None:
    await run_daily_digest(context.services, context.bot)


async def _notice_job(context: BotContext) -> None:
    await send_notice_digests(context.services, context.bot)


async def _seal_job(context: BotContext) -> None:
    sealed = await context.services.followup.seal_reasons()
    if sealed:
        log.info("encrypted %d typed status reasons stored in clear by an older version", sealed)


def register(application: Application, services: Services) -> None:
    """Notices go through this application's bot (a restart attaches the new one); jobs are scheduled."""
    services.followup.attach(TelegramNotices(application.bot, services))
    if application.job_queue is not None:
        application.job_queue.run_daily(_daily_job, time=dt.time(DIGEST_HOUR, 0, tzinfo=services.config.tz),
                                        name=DIGEST_JOB)
        application.job_queue.run_repeating(_notice_job, interval=NOTICE_INTERVAL, first=NOTICE_INTERVAL,
                                            name=NOTICE_JOB)
        application.job_queue.run_once(_seal_job, when=0, name=SEAL_JOB)
