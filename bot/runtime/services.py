"""The composition root: every domain service built once, from the settings, with the repositories it needs.

`personal_data_holders` is the explicit list behind /dataku, /hapusdata and `jagakerja erase-user`."""

from __future__ import annotations

from bot.domain.audience import AudienceResolver
from bot.domain.broadcast import BroadcastService, RunnerOptions
from bot.domain.clock import Clock, SystemClock
from bot.domain.interest import InterestCreatedHook, InterestService
from bot.domain.personal_data import PersonalDataHolder, PrivacyService
from bot.domain.privacy import Vault
from bot.domain.roles import RoleService
from bot.domain.services import Config, EraseHook, LegacyHooks, MyDataHook, Services
from bot.domain.users import UserService
from bot.runtime.settings import Settings
from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.db import Database
from storage.eligibility import EligibilityRepository
from storage.interest import InterestRepository
from storage.officials import OfficialRepository
from storage.questions import QuestionRepository
from storage.reminders import ReminderRepository
from storage.roster import RosterRepository
from storage.status_checks import StatusCheckRepository
from storage.users import UserRepository


def config_from(settings: Settings) -> Config:
    return Config(
        default_language=settings.DEFAULT_LANGUAGE,
        tz=settings.tz,
        admin_ids=frozenset(settings.ADMIN_IDS),
        status_checks_per_day=settings.STATUS_CHECKS_PER_DAY,
        broadcast_rate=settings.BROADCAST_RATE,
        broadcast_progress_seconds=settings.BROADCAST_PROGRESS_SECONDS,
    )


def build_services(settings: Settings, db: Database, vault: Vault, clock: Clock | None = None) -> Services:
    config = config_from(settings)
    clock = clock or SystemClock()
    users = UserService(UserRepository(db), vault, clock)
    officials = OfficialRepository(db)
    roles = RoleService(officials, config.admin_ids)
    erase_hooks: list[EraseHook] = []
    my_data_hooks: list[MyDataHook] = []
    interest_created_hooks: list[InterestCreatedHook] = []
    interest = InterestService(InterestRepository(db), vault, interest_created_hooks)

    broadcast_repo = BroadcastRepository(db)

    async def official_ids() -> set[int]:
        return set(await officials.active_ids())

    async def admin_ids() -> set[int]:
        return set(config.admin_ids)

    resolver = AudienceResolver(broadcast_repo, default_language=config.default_language,
                                official_ids=official_ids, admin_ids=admin_ids)
    broadcasts = BroadcastService(broadcast_repo, users.repository, resolver, clock,
                                  RunnerOptions(rate=config.broadcast_rate,
                                                progress_interval=config.broadcast_progress_seconds))

    holders: list[PersonalDataHolder] = [
        LegacyHooks(erase_hooks, my_data_hooks),
        users,  # last: the user row itself
    ]
    return Services(
        config=config, clock=clock, vault=vault, db=db, users=users, roles=roles,
        privacy=PrivacyService(holders), interest=interest, broadcasts=broadcasts,
        eligibility_results=EligibilityRepository(db), roster=RosterRepository(db),
        status_checks=StatusCheckRepository(db), reminders=ReminderRepository(db), officials=officials,
        audit=AuditRepository(db), questions=QuestionRepository(db, vault),
        erase_hooks=erase_hooks, my_data_hooks=my_data_hooks, interest_created_hooks=interest_created_hooks,
    )
