"""Questions for an official ("Tanya petugas"): a worker's free-text question the FAQ could not answer for sure,
stored encrypted with the worker's region so that the officials of that area can read and answer it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.clock import Clock
from bot.domain.i18n import Translator
from bot.domain.users import UserService
from storage.questions import OfficialQuestion, QuestionRepository

__all__ = ["OfficialQuestion", "QuestionService"]


class QuestionService:
    def __init__(self, repository: QuestionRepository, users: UserService, clock: Clock) -> None:
        self.repository = repository
        self.users = users
        self.clock = clock

    async def ask(self, user_id: int, language: str, text: str, suggested: Sequence[str] = ()) -> int:
        """Pass the question on, with the region the user is known to live in (for the officials' lists) and
        the FAQ entries that were offered instead."""
        user = await self.users.get(user_id)
        return await self.repository.add(
            user_id, language, text, self.clock.now(),
            region_code=user.region_code if user is not None else None, suggested=list(suggested),
        )

    async def for_user(self, user_id: int) -> list[OfficialQuestion]:
        return await self.repository.for_user(user_id)

    async def open_questions(self, area: str | None = None, limit: int = 100) -> list[OfficialQuestion]:
        """Open questions, oldest first; `area` keeps those asked from inside it."""
        return await self.repository.list_open_questions(area, limit)

    async def mark_answered(self, question_id: int) -> None:
        await self.repository.mark_answered(question_id, self.clock.now())

    # PersonalDataHolder
    async def erase(self, user_id: int) -> None:
        await self.repository.erase_user(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        asked = await self.repository.for_user(user_id)
        if not asked:
            return []
        last = asked[-1].created_at.astimezone(t.tz).date()
        return [t.gettext("Questions for an official: {count} (last on {date})")
                .format(count=len(asked), date=t.date(last))]
