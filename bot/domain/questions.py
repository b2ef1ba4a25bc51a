"""Questions for an official ("Tanya petugas"): a worker's free-text question the FAQ could not answer for sure,
stored encrypted with the worker's region; the officials of that area are told, see it in their inbox
(/pertanyaan), answer it in Telegram, and the answer reaches the worker, who can say thanks or that they are
still confused (the question opens again and the officials hear about it). Free of Telegram types.

Who hears about a question: the officials of the worker's desa; when the desa has none, those of its kecamatan
(then kabupaten); when nobody serves the area (or the worker's region is unknown), the admins. Who may read
one: an official whose areas contain the question's region, and admins (every read checks, so a forged button
for another area's question is refused). Every official's look and answer is audited (by question id, never
its text). Answers are encrypted like the questions; /hapusdata erases both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

from bot.domain.audit import AuditService
from bot.domain.clock import Clock
from bot.domain.followup import WorkerUnreachable
from bot.domain.i18n import N_, Translator, resolve_language
from bot.domain.roles import Actor
from bot.domain.routing import Router
from bot.domain.users import UserService
from storage.officials import OfficialRepository
from storage.questions import MAX_ANSWER, OfficialQuestion, QuestionRepository

__all__ = ["MAX_ANSWER", "AccessDenied", "InboxPage", "OfficialQuestion", "QuestionDigest", "QuestionNotices",
           "QuestionService", "WorkerUnreachable"]

log = logging.getLogger(__name__)
PAGE_SIZE = 6
STALE_AFTER = dt.timedelta(days=2)
ANSWER_MIN = 2

InboxFilter = Literal["open", "answered", "all"]
Feedback = Literal["thanks", "confused"]
INBOX_FILTERS: dict[InboxFilter, tuple[tuple[str, ...] | None, str]] = {
    "open": (("open",), N_("Waiting")),
    "answered": (("answered",), N_("Answered")),
    "all": (None, N_("All")),
}
assert set(INBOX_FILTERS) == set(get_args(InboxFilter))


class AccessDenied(LookupError):
    """Not found, or not in the actor's area (the same answer for both: existence is not revealed)."""


@dataclass(frozen=True)
class InboxPage:
    items: list[OfficialQuestion]
    total: int
    page: int
    pages: int
    filter_id: InboxFilter


@dataclass(frozen=True)
class QuestionDigest:
    """One official's (or admin's) questions waiting STALE_AFTER or longer, oldest first."""

    official_id: int
    language: str
    questions: list[OfficialQuestion]


@dataclass(frozen=True)
class Answered:
    question: OfficialQuestion
    delivered: bool  # False: the worker can never be told (blocked the bot); the answer is kept


class QuestionNotices(Protocol):
    """The Telegram side: tells an official about a (reopened) question, and a worker about the answer."""

    async def new_question(self, official_id: int, language: str, question: OfficialQuestion,
                           reopened: bool) -> None: ...

    async def answer_to_worker(self, question: OfficialQuestion) -> bool:
        """True: sent; False: the worker can never be told. Raises WorkerUnreachable when it may work later."""
        ...


def clean_answer(text: str) -> tuple[str | None, bool]:
    """(answer, too_long): trimmed, control characters removed (line breaks kept)."""
    cleaned = "".join(ch for ch in (text or "") if ch == "\n" or ch >= " ").strip()
    if len(cleaned) > MAX_ANSWER:
        return None, True
    return (cleaned if len(cleaned) >= ANSWER_MIN else None), False


def target(question_id: int) -> str:
    """How the audit log names a question (never its text)."""
    return f"question#{question_id}"


class QuestionService:
    def __init__(self, repository: QuestionRepository, users: UserService, clock: Clock, *,
                 officials: OfficialRepository | None = None, audit: AuditService | None = None,
                 admin_ids: frozenset[int] = frozenset(), default_language: str = "id") -> None:
        self.repository = repository
        self.users = users
        self.clock = clock
        self.officials = officials
        self.audit = audit
        self.admin_ids = admin_ids
        self.default_language = default_language
        self.sender: QuestionNotices | None = None

    def attach(self, sender: QuestionNotices) -> None:
        """Where notices go (the Telegram side attaches itself; without a sender nobody is told)."""
        self.sender = sender

    # ------------------------------------------------------------------ the worker's side

    async def ask(self, user_id: int, language: str, text: str, suggested: Sequence[str] = ()) -> int:
        """Pass the question on, with the region the user is known to live in (for the officials' lists) and
        the FAQ entries that were offered instead; the officials of that area are told."""
        user = await self.users.get(user_id)
        question_id = await self.repository.add(
            user_id, language, text, self.clock.now(),
            region_code=user.region_code if user is not None else None, suggested=list(suggested),
        )
        question = await self.repository.get(question_id)
        if question is not None:
            await self._notify(question, reopened=False)
        return question_id

    async def feedback(self, user_id: int, question_id: int, kind: Feedback) -> OfficialQuestion | None:
        """The worker's reply to an answer (once). "confused" opens the question again and tells the official
        who answered and those of the area. None: not theirs, not answered, or already replied."""
        if not await self.repository.set_feedback(question_id, user_id, kind, self.clock.now()):
            return None
        question = await self.repository.get(question_id)
        if question is not None and kind == "confused":
            await self._notify(question, reopened=True)
        return question

    async def for_user(self, user_id: int) -> list[OfficialQuestion]:
        return await self.repository.for_user(user_id)

    # ------------------------------------------------------------------ who hears about a question

    async def recipients(self, region_code: str | None) -> list[int]:
        """The officials of the most precise area holding `region_code` that has any (desa, then kecamatan,
        then kabupaten); the admins when nobody serves it or the region is unknown (`bot.domain.routing`)."""
        return list((await Router(self.officials, self.admin_ids).responsible(region_code)).people)

    async def language_of(self, user_id: int) -> str:
        profile = await self.users.get(user_id)
        return resolve_language(profile.language if profile else None,
                                profile.tg_language_code if profile else None, self.default_language)

    async def _notify(self, question: OfficialQuestion, reopened: bool) -> None:
        if self.sender is None:
            return
        people = await self.recipients(question.region_code)
        if reopened and question.answered_by is not None and question.answered_by not in people \
                and await self._may_read(question.answered_by, question):
            people.append(question.answered_by)
        for official_id in people:
            await self.sender.new_question(official_id, await self.language_of(official_id), question, reopened)

    async def _may_read(self, user_id: int, question: OfficialQuestion) -> bool:
        if user_id in self.admin_ids:
            return True
        found = await self.officials.active(user_id) if self.officials is not None else None
        if found is None:
            return False
        who = Actor(user_id, "admin" if found.role == "admin" else "official", found.area_codes)
        return can_read(who, question)

    # ------------------------------------------------------------------ the officials' inbox

    async def inbox(self, actor: Actor, filter_id: InboxFilter, page: int) -> InboxPage:
        if not actor.is_staff:
            raise AccessDenied("not an official")
        statuses, _label = INBOX_FILTERS[filter_id]
        scope = None if actor.is_admin else list(actor.areas)
        total = await self.repository.count_questions(scope, statuses)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        items = await self.repository.list_questions(scope, statuses, limit=PAGE_SIZE, offset=page * PAGE_SIZE,
                                                     newest_first=filter_id != "open")
        return InboxPage(items, total, page, pages, filter_id)

    async def question(self, actor: Actor, question_id: int, *, audit: bool = True) -> OfficialQuestion:
        """One question for an official of its area (or an admin); AccessDenied otherwise. Reading it is
        audited (`audit=False` for prompts that follow a read)."""
        found = await self.repository.get(question_id) if actor.is_staff else None
        if found is None or not can_read(actor, found):
            raise AccessDenied(target(question_id))
        if audit:
            await self._audit(actor, "question_view", found)
        return found

    async def answer(self, actor: Actor, question_id: int, text: str) -> Answered:
        """Send the answer to the worker first, then store it (encrypted, audited). WorkerUnreachable: nothing
        was saved (try again); a worker who blocked the bot can never be told: the answer is kept."""
        found = await self.question(actor, question_id, audit=False)
        now = self.clock.now()
        sent = replace_answer(found, text, actor.user_id, now)
        delivered = await self.sender.answer_to_worker(sent) if self.sender is not None else False
        if not await self.repository.answer(question_id, text, actor.user_id, now):
            raise AccessDenied(target(question_id))  # erased while the answer was being sent
        await self._audit(actor, "question_answer", found, detail="delivered" if delivered else "not delivered")
        if not delivered:
            log.info("the answer to question %s could not reach its worker", question_id)
        return Answered(sent, delivered)

    async def _audit(self, actor: Actor, action: str, question: OfficialQuestion, detail: str | None = None) -> None:
        if self.audit is not None:
            await self.audit.record(actor_id=actor.user_id, action=action, now=self.clock.now(),
                                    area_code=question.region_code, target=target(question.id), detail=detail)

    # ------------------------------------------------------------------ the 08:00 digest

    async def stale_digests(self) -> list[QuestionDigest]:
        """Questions waiting STALE_AFTER or longer, for the people who were told about them."""
        waiting = await self.repository.list_questions(None, ("open",), limit=500,
                                                       waiting_before=self.clock.now() - STALE_AFTER)
        grouped: dict[int, list[OfficialQuestion]] = {}
        for question in waiting:
            for official_id in await self.recipients(question.region_code):
                grouped.setdefault(official_id, []).append(question)
        return [QuestionDigest(official_id, await self.language_of(official_id), questions)
                for official_id, questions in sorted(grouped.items())]

    # ------------------------------------------------------------------ kept for older callers

    async def open_questions(self, area: str | None = None, limit: int = 100) -> list[OfficialQuestion]:
        """Open questions, oldest first; `area` keeps those asked from inside it."""
        return await self.repository.list_open_questions(area, limit)

    async def mark_answered(self, question_id: int) -> None:
        await self.repository.mark_answered(question_id, self.clock.now())

    # PersonalDataHolder
    async def erase(self, user_id: int) -> None:
        """/hapusdata: the user's questions and the answers they got."""
        await self.repository.erase_user(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        asked = await self.repository.for_user(user_id)
        if not asked:
            return []
        last = asked[-1].created_at.astimezone(t.tz).date()
        return [t.gettext("Questions for an official: {count} (last on {date})")
                .format(count=len(asked), date=t.date(last))]


def can_read(actor: Actor, question: OfficialQuestion) -> bool:
    """Admins read every question; an official those asked from inside their areas (a question from a user
    whose region is unknown goes to the admins only)."""
    if actor.is_admin:
        return True
    return actor.is_staff and question.region_code is not None and actor.can_access(question.region_code)


def replace_answer(question: OfficialQuestion, text: str, by: int, now: dt.datetime) -> OfficialQuestion:
    return dataclasses.replace(question, status="answered", answer=text, answered_by=by, answered_at=now,
                               feedback=None)
