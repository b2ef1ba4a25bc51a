"""The domain services handed to handlers (via the custom context), and `Config`, the plain values they need
of the settings. The runtime builds both once (`bot/runtime/services.py`, the composition root); no domain
function takes `Services` as a whole: each service gets only the repositories it needs.

Fields still typed as repositories are being replaced by services (issue 10): handlers must not call them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.i18n import Translator, translator
from bot.domain.interest import InterestCreatedHook, InterestService
from bot.domain.personal_data import PrivacyService
from bot.domain.privacy import Vault
from bot.domain.roles import RoleService
from bot.domain.users import UserService
from storage.audit import AuditRepository
from storage.db import Database
from storage.eligibility import EligibilityRepository
from storage.officials import OfficialRepository
from storage.questions import QuestionRepository
from storage.reminders import ReminderRepository
from storage.roster import RosterRepository
from storage.status_checks import StatusCheckRepository

if TYPE_CHECKING:
    from bot.domain.broadcast import BroadcastService


EraseHook = Callable[[int], Awaitable[None]]
MyDataHook = Callable[[int, Translator], Awaitable[list[str]]]


class LegacyHooks:
    """Adapts the transitional hook lists to `PersonalDataHolder` (removed once every feature has a service)."""

    def __init__(self, erase_hooks: list[EraseHook], my_data_hooks: list[MyDataHook]) -> None:
        self.erase_hooks = erase_hooks
        self.my_data_hooks = my_data_hooks

    async def erase(self, user_id: int) -> None:
        for hook in self.erase_hooks:
            await hook(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        lines: list[str] = []
        for hook in self.my_data_hooks:
            lines.extend(await hook(user_id, t))
        return lines


@dataclass(frozen=True)
class Config:
    """What the domain and handlers need of the settings (the runtime fills it from `Settings`)."""

    default_language: str = "id"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Makassar"))
    admin_ids: frozenset[int] = frozenset()
    status_checks_per_day: int = 5
    broadcast_rate: float = 25.0
    broadcast_progress_seconds: float = 3.0

    def is_admin(self, user_id: int) -> bool:
        """A district admin from `ADMIN_IDS` (admins added by other admins are in the officials table)."""
        return user_id in self.admin_ids


@dataclass
class Services:
    config: Config
    clock: Clock
    vault: Vault
    db: Database
    users: UserService
    roles: RoleService
    privacy: PrivacyService  # /dataku, /hapusdata, `jagakerja erase-user`: the holders listed by the runtime
    interest: InterestService  # Daftar Minat
    broadcasts: BroadcastService
    eligibility_results: EligibilityRepository
    roster: RosterRepository
    status_checks: StatusCheckRepository
    reminders: ReminderRepository
    officials: OfficialRepository
    audit: AuditRepository
    questions: QuestionRepository
    # Transitional (issue 10): features still registering hooks from handlers; each moves into its service.
    erase_hooks: list[EraseHook] = field(default_factory=list)
    my_data_hooks: list[MyDataHook] = field(default_factory=list)
    interest_created_hooks: list[InterestCreatedHook] = field(default_factory=list)

    def translator(self, language: str) -> Translator:
        return translator(language, self.config.tz)

    async def erase_user(self, user_id: int) -> None:
        await self.privacy.erase_user(user_id)

    async def official_ids(self) -> set[int]:
        return set(await self.officials.active_ids())

    async def official_area(self, user_id: int) -> str | None:
        """The area an official's figures cover: the first (narrower, never wider, than the official's)."""
        areas = await self.roles.official_area_codes(user_id)
        return areas[0] if areas else None
