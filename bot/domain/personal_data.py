"""Personal data as a declared protocol: every service that keeps something about a user says what (`describe`,
for /dataku) and forgets it (`erase`, for /hapusdata and `jagakerja erase-user`). The composition root lists the
holders explicitly (`bot/runtime/services.py`), so erasure never depends on which handlers were registered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain.i18n import Translator


class PersonalDataHolder(Protocol):
    async def erase(self, user_id: int) -> None:
        """Erase (or anonymise) everything this service keeps about the user."""

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        """Lines for /dataku: the values this service keeps about the user (masked where sensitive)."""


class PrivacyService:
    """One list of holders for the chat commands and the CLI alike."""

    def __init__(self, holders: Sequence[PersonalDataHolder]) -> None:
        self.holders = tuple(holders)

    async def erase_user(self, user_id: int) -> None:
        for holder in self.holders:
            await holder.erase(user_id)

    async def describe_user(self, user_id: int, t: Translator) -> list[str]:
        lines: list[str] = []
        for holder in self.holders:
            lines.extend(await holder.describe(user_id, t))
        return lines
