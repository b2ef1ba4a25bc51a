"""Messages the questions inbox sends on its own: the notice to officials about a new (or reopened) question,
the answer to its worker (sent before it is saved: see `answer_to_worker`), and the 08:00 WITA digest of
questions waiting 2 days or more (run by the follow-up digest job). At start, the FAQ learns what admins
taught it (`FaqLearningService.load`)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.domain.questions import OfficialQuestion, WorkerUnreachable
from bot.domain.services import Services
from handlers.context import BotContext
from handlers.questions_views import answer_for_worker, digest, notice

log = logging.getLogger(__name__)
LEARN_JOB = "faq-learned-load"
DIGEST_ITEMS = "followup-daily-digest-item"  # the same claims as handlers.followup_jobs (it imports this module)
GONE = ("chat not found", "user not found")  # 400s that mean the worker can never be told


class TelegramQuestionNotices:
    """`QuestionNotices` for `QuestionService`."""

    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def new_question(self, official_id: int, language: str, question: OfficialQuestion,
                           reopened: bool) -> None:
        text, keyboard = notice(self.services.translator(language), question, reopened)
        try:
            await self.bot.send_message(official_id, text, reply_markup=keyboard)
        except TelegramError:
            log.warning("could not tell official %s about question %s", official_id, question.id)

    async def answer_to_worker(self, question: OfficialQuestion) -> bool:
        """True sent; False never possible (blocked the bot, account gone); WorkerUnreachable otherwise (the
        official sends the answer again)."""
        language = await self.services.questions.language_of(question.user_id)
        text, keyboard = answer_for_worker(self.services.translator(language), question)
        try:
            await self.bot.send_message(question.user_id, text, reply_markup=keyboard)
        except Forbidden:
            return False
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in GONE):
                return False
            log.warning("an answer could not be sent to its worker: BadRequest")
            raise WorkerUnreachable("BadRequest") from error
        except TelegramError as error:
            log.warning("an answer could not be sent to its worker: %s", type(error).__name__)
            raise WorkerUnreachable(type(error).__name__) from error
        return True


async def send_question_digests(services: Services, bot: Bot, day: str | None = None) -> int:
    """08:00 WITA (with the follow-up digest): questions waiting 2 days or more, to those told about them (each
    message claimed for `day` first: at most once per person and day across processes; no day: no claim)."""
    sent = 0
    now = services.clock.now()
    for item in await services.questions.stale_digests():
        if day is not None and not await services.schedule.first(DIGEST_ITEMS, f"{day}/questions/{item.official_id}"):
            continue
        text, keyboard = digest(services.translator(item.language), item, now)
        try:
            await bot.send_message(item.official_id, text, reply_markup=keyboard)
            sent += 1
        except TelegramError:
            log.warning("could not send the questions digest to %s", item.official_id)
    return sent


async def _learn_job(context: BotContext) -> None:
    learned = await context.services.faq_learning.load()
    if learned:
        log.info("the FAQ learned %d phrasings and entries taught by admins", learned)


def register(application: Application, services: Services) -> None:
    """Notices go through this application's bot (a restart attaches the new one); the FAQ loads what was
    taught at start."""
    services.questions.attach(TelegramQuestionNotices(application.bot, services))
    if application.job_queue is not None:
        application.job_queue.run_once(_learn_job, when=0, name=LEARN_JOB)
