"""The "you are now protected" messages after a roster import confirmed a request (`RosterRequestsService`):
sent right after the import (a task of the application, so the admin's upload does not wait for them), and by a
job every NOTICE_ROUND seconds for those still owed (a send that failed, an import run by the CLI). Sends go
through the application's bot, so PTB's rate limiter paces them. Several processes (issue 15): one round at a
time across all of them (`ScheduledRuns.exclusive`: a lease, taken over if its holder dies)."""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.domain.followup import WorkerUnreachable
from bot.domain.services import Services
from handlers.callbacks import Menu
from handlers.context import BotContext
from handlers.keyboards import MENU_ITEMS, button

log = logging.getLogger(__name__)
NOTICE_JOB = "roster-protected-notices"
NOTICE_ROUND = 120  # seconds between rounds for messages still owed
GONE = ("chat not found", "user not found")  # 400s that mean the person can never be told
STATUS_LABEL = dict(MENU_ITEMS)[Menu("status")]


class TelegramProtected:
    """`ProtectedSender`: the message (the worker's with a 🛡 button to the status check) and the next round."""

    def __init__(self, application: Application, services: Services) -> None:
        self.application = application
        self.services = services

    async def protected(self, user_id: int, text: str, worker: bool) -> bool:
        markup = None
        if worker:
            language = await self.services.followup.language_of(user_id)
            label = self.services.translator(language).gettext(STATUS_LABEL)
            markup = InlineKeyboardMarkup([[button(label, Menu("status"))]])
        return await _send(self.application.bot, user_id, text, markup)

    def wake(self) -> None:
        if self.application.running:  # else the next round sends them
            self.application.create_task(
                self.services.schedule.exclusive(NOTICE_JOB, self.services.roster_requests.send_owed), name=NOTICE_JOB)


async def _send(bot: Bot, user_id: int, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """True sent; False never possible (blocked, account gone); WorkerUnreachable: try again later."""
    try:
        await bot.send_message(user_id, text, reply_markup=markup)
    except Forbidden:
        return False
    except BadRequest as error:
        if any(reason in error.message.lower() for reason in GONE):
            return False
        raise WorkerUnreachable("BadRequest") from error
    except TelegramError as error:
        raise WorkerUnreachable(type(error).__name__) from error
    return True


async def _round(context: BotContext) -> None:
    services = context.services
    sent = await services.schedule.exclusive(NOTICE_JOB, services.roster_requests.send_owed)
    if sent:
        log.info("sent %d roster confirmations", sent)


def register(application: Application, services: Services) -> None:
    services.roster_requests.attach(TelegramProtected(application, services))
    if application.job_queue is not None:
        application.job_queue.run_repeating(_round, interval=NOTICE_ROUND, first=30, name=NOTICE_JOB)
