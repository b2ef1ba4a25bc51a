"""The composition root: every domain service built once, from the settings, with the repositories it needs.

`holders` is the explicit list behind /dataku, /hapusdata and `jagakerja erase-user`."""

from __future__ import annotations

from bot.domain.actor_cache import ActorCache
from bot.domain.audience import AudienceResolver
from bot.domain.audit import AuditService
from bot.domain.broadcast import BroadcastService, RunnerOptions
from bot.domain.clock import Clock, SystemClock
from bot.domain.coverage import CoverageService
from bot.domain.eligibility import EligibilityService
from bot.domain.exports import ExportService
from bot.domain.faq import FaqService
from bot.domain.faq_learning import FaqLearningService
from bot.domain.followup import FollowupService
from bot.domain.interest import InterestService
from bot.domain.officials import OfficialsService
from bot.domain.personal_data import PersonalDataHolder, PrivacyService
from bot.domain.posters import PosterService
from bot.domain.privacy import Vault
from bot.domain.proposal import ProposalService
from bot.domain.questions import QuestionService
from bot.domain.reminders import ReminderService
from bot.domain.roles import RoleService
from bot.domain.roster import RosterService
from bot.domain.roster_requests import RosterRequestsService
from bot.domain.schedule import ScheduledRuns
from bot.domain.services import Config, Services
from bot.domain.statistics import StatisticsService
from bot.domain.status_check import StatusService
from bot.domain.users import UserService
from bot.runtime.identity import process_id
from bot.runtime.settings import Settings
from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.db import Database
from storage.eligibility import EligibilityRepository
from storage.faq_learned import LearnedRepository
from storage.interest import InterestRepository
from storage.leases import LeaseRepository
from storage.officials import OfficialRepository
from storage.questions import QuestionRepository
from storage.reminders import ReminderRepository
from storage.roster import RosterRepository
from storage.routing import WaitingRepository
from storage.statistics import CoverageTargetRepository, StatisticsRepository
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
        multi_process=settings.MULTI_PROCESS,
    )


def _roster_requests(roster: RosterService, interest: InterestService, followup: FollowupService, vault: Vault,
                     clock: Clock, config: Config) -> RosterRequestsService:
    """Requests the roster confirms: closed after an import (the worker told), reopened by its undo (issue 12)."""
    service = RosterRequestsService(interest.repository, vault, clock, config.tz, followup.language_of)
    roster.applied_hooks.append(service.on_import_applied)
    roster.undone_hooks.append(service.on_import_undone)
    return service


def _schedule(db: Database, clock: Clock, config: Config, holder: str | None) -> ScheduledRuns:
    """Scheduled work once across processes, claimed as `holder` (this process: made once, here, unless given)."""
    return ScheduledRuns(LeaseRepository(db), clock, holder or process_id(), config.tz)


def _broadcasts(db: Database, config: Config, officials: OfficialRepository, users: UserService, audit: AuditService,
                clock: Clock, schedule: ScheduledRuns | None = None) -> BroadcastService:
    """Broadcast jobs: audiences resolved at send time (officials read from the table, admins from the config);
    created / sent / paused / resumed / stopped are audited."""
    broadcast_repo = BroadcastRepository(db)

    async def official_ids() -> set[int]:
        return set(await officials.active_ids())

    async def admin_ids() -> set[int]:
        return set(config.admin_ids)

    resolver = AudienceResolver(broadcast_repo, default_language=config.default_language,
                                official_ids=official_ids, admin_ids=admin_ids)
    options = RunnerOptions(rate=config.broadcast_rate, progress_interval=config.broadcast_progress_seconds)
    return BroadcastService(broadcast_repo, users.repository, resolver, clock, options, tz=config.tz, audit=audit,
                            schedule=schedule)


def build_services(settings: Settings, db: Database, vault: Vault, clock: Clock | None = None,
                   holder: str | None = None) -> Services:
    config = config_from(settings)
    clock = clock or SystemClock()
    schedule = _schedule(db, clock, config, holder)
    officials = OfficialRepository(db)
    roles = RoleService(officials, config.admin_ids)
    users = UserService(UserRepository(db), vault, clock, roles, ActorCache(enabled=not settings.MULTI_PROCESS))
    interest = InterestService(InterestRepository(db), vault, clock=clock, tz=config.tz)
    eligibility = EligibilityService(EligibilityRepository(db), clock, config.tz)
    audit = AuditService(AuditRepository(db), clock)
    questions = QuestionService(QuestionRepository(db, vault), users, clock, officials=officials, audit=audit,
                                admin_ids=config.admin_ids, default_language=config.default_language)
    faq = FaqService(clock)
    faq_learning = FaqLearningService(LearnedRepository(db), questions.repository, faq, audit, clock)
    followup = FollowupService(interest.repository, officials, audit, roles, users, vault, clock, config,
                               waiting=WaitingRepository(db))
    interest.subscribe(followup.on_new_request)  # notices to the officials of that area
    exports = ExportService(interest.repository, audit, vault, clock, config)
    staff = OfficialsService(officials, audit, vault, clock)
    staff.role_changed.append(users.forget)  # the actor cache sees an accepted invite or a revocation at once
    roster_repository = RosterRepository(db)
    status_checks = StatusService(roster_repository, StatusCheckRepository(db), vault, clock,
                                  config.status_checks_per_day, config.tz)
    reminders = ReminderService(ReminderRepository(db), roster_repository, users, clock, config.tz)
    coverage = CoverageService(StatisticsRepository(db), CoverageTargetRepository(db), audit,
                               roles.official_area_codes, clock, config.tz)
    statistics = StatisticsService(StatisticsRepository(db), roster_repository.count_by_area,
                                   roles.official_area_codes, clock, config.tz, coverage=coverage.report,
                                   locked_niks=status_checks.locked_today)

    roster = RosterService(roster_repository, vault, clock, config.tz, audit=audit)
    roster_requests = _roster_requests(roster, interest, followup, vault, clock, config)
    broadcasts = _broadcasts(db, config, officials, users, audit, clock, schedule)

    holders: list[PersonalDataHolder] = [
        status_checks,  # anonymised: the outcomes stay for the statistics
        reminders,
        questions,
        interest,
        eligibility,
        staff,  # the official's role, areas and name; notes about the worker
        broadcasts,  # delivery rows of every broadcast the user was sent
        users,  # last: the user row itself
    ]
    return Services(
        config=config, clock=clock, vault=vault, db=db, users=users, roles=roles,
        privacy=PrivacyService(holders), interest=interest, broadcasts=broadcasts,
        followup=followup, exports=exports, proposals=ProposalService(interest.repository, audit, vault, clock, config),
        eligibility=eligibility, roster=roster, roster_requests=roster_requests,
        status_checks=status_checks, reminders=reminders,
        officials=staff, audit=audit, posters=PosterService(config.tz), statistics=statistics, coverage=coverage,
        questions=questions, faq=faq, faq_learning=faq_learning, schedule=schedule,
    )
