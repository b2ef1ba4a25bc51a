"""The services handed to handlers (via the custom context): settings, storage, privacy, clock.

Feature issues add their own repositories/services here. Hooks let features take part in
`/dataku` (what is stored about me) and `/hapusdata` (erase me) without the core knowing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.i18n import Translator
from bot.interest import InterestCreatedHook, InterestService
from bot.privacy import Vault
from bot.settings import Settings
from storage.audit import AuditRepository
from storage.db import Database
from storage.eligibility import EligibilityRepository
from storage.interest import InterestRepository
from storage.officials import OfficialRepository
from storage.questions import QuestionRepository
from storage.reminders import ReminderRepository
from storage.roster import RosterRepository
from storage.status_checks import StatusCheckRepository
from storage.users import UserRepository

if TYPE_CHECKING:
    from bot.broadcast import BroadcastService

# (user_id) -> None: erase this user's personal data held by a feature.
EraseHook = Callable[[int], Awaitable[None]]
# (user_id, translator) -> lines for /dataku describing what a feature stores about the user.
MyDataHook = Callable[[int, Translator], Awaitable[list[str]]]


async def _no_officials() -> set[int]:
    return set()


async def _no_area(user_id: int) -> str | None:
    return None


@dataclass
class Services:
    settings: Settings
    db: Database
    vault: Vault
    clock: Clock = field(default_factory=SystemClock)
    users: UserRepository = field(init=False)
    interest: InterestService = field(init=False)  # Daftar Minat (issue 4)
    eligibility_results: EligibilityRepository = field(init=False)  # anonymous screening outcomes (issue 4)
    roster: RosterRepository = field(init=False)  # district roster + imports (issue 5)
    status_checks: StatusCheckRepository = field(init=False)  # check outcomes + daily quota (issue 5)
    reminders: ReminderRepository = field(init=False)  # expiry reminders (issue 5)
    officials: OfficialRepository = field(init=False)  # officials, areas, invites, notes (issue 6)
    audit: AuditRepository = field(init=False)  # NIK views, exports, status changes, invites (issue 6)
    questions: QuestionRepository = field(init=False)  # questions for an official (issue 3)
    # Called with each new or updated interest request (e.g. to notify the desa's officials).
    interest_created_hooks: list[InterestCreatedHook] = field(default_factory=list)
    erase_hooks: list[EraseHook] = field(default_factory=list)
    my_data_hooks: list[MyDataHook] = field(default_factory=list)
    # Officials (issue 6 fills these): their Telegram ids, and the area code an official may see.
    official_ids: Callable[[], Awaitable[set[int]]] = _no_officials
    official_area: Callable[[int], Awaitable[str | None]] = _no_area
    broadcasts: BroadcastService = field(init=False)

    def __post_init__(self) -> None:
        self.users = UserRepository(self.db)
        self.questions = QuestionRepository(self.db, self.vault)
        self.broadcasts = build_broadcast_service(self)
        self.interest = InterestService(InterestRepository(self.db), self.vault, self.interest_created_hooks)
        self.eligibility_results = EligibilityRepository(self.db)
        self.roster = RosterRepository(self.db)
        self.status_checks = StatusCheckRepository(self.db)
        self.reminders = ReminderRepository(self.db)
        self.officials = OfficialRepository(self.db)
        self.audit = AuditRepository(self.db)

    def translator(self, language: str) -> Translator:
        from bot.i18n import translator

        return translator(language, self.settings.tz)

    async def erase_user(self, user_id: int) -> None:
        for hook in self.erase_hooks:
            await hook(user_id)
        await self.users.erase(user_id, self.vault.lookup_hash("telegram-user", str(user_id)), self.clock.now())


def build_broadcast_service(services: Services) -> BroadcastService:
    from bot.audience import AudienceResolver
    from bot.broadcast import BroadcastService, RunnerOptions
    from storage.broadcasts import BroadcastRepository

    repo = BroadcastRepository(services.db)

    async def officials() -> set[int]:
        return await services.official_ids()

    async def admins() -> set[int]:
        return set(services.settings.ADMIN_IDS)

    resolver = AudienceResolver(repo, default_language=services.settings.DEFAULT_LANGUAGE,
                                official_ids=officials, admin_ids=admins)
    options = RunnerOptions(rate=services.settings.BROADCAST_RATE,
                            progress_interval=services.settings.BROADCAST_PROGRESS_SECONDS)
    return BroadcastService(repo, services.users, resolver, services.clock, options)
