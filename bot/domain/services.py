"""The domain services handed to handlers (via the custom context), and `Config`, the plain values they need
of the settings. The runtime builds both once (`bot/runtime/services.py`, the composition root); no domain
function takes `Services` as a whole: each service gets only the repositories it needs.

`db` and `vault` are here for tests and the CLI; handlers never use them (tests/test_architecture.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.eligibility import EligibilityService
from bot.domain.i18n import Translator, translator
from bot.domain.interest import InterestService
from bot.domain.personal_data import PrivacyService
from bot.domain.privacy import Vault
from bot.domain.questions import QuestionService
from bot.domain.roles import RoleService
from bot.domain.roster import RosterService
from bot.domain.users import UserService
from storage.db import Database

if TYPE_CHECKING:
    from bot.domain.audit import AuditService
    from bot.domain.broadcast import BroadcastService
    from bot.domain.coverage import CoverageService
    from bot.domain.exports import ExportService
    from bot.domain.faq import FaqService
    from bot.domain.faq_learning import FaqLearningService
    from bot.domain.followup import FollowupService
    from bot.domain.officials import OfficialsService
    from bot.domain.posters import PosterService
    from bot.domain.proposal import ProposalService
    from bot.domain.reminders import ReminderService
    from bot.domain.roster_requests import RosterRequestsService
    from bot.domain.schedule import ScheduledRuns
    from bot.domain.statistics import StatisticsService
    from bot.domain.status_check import StatusService


@dataclass(frozen=True)
class Config:
    """What the domain and handlers need of the settings (the runtime fills it from `Settings`)."""

    default_language: str = "id"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Makassar"))
    admin_ids: frozenset[int] = frozenset()
    status_checks_per_day: int = 5
    broadcast_rate: float = 25.0
    broadcast_progress_seconds: float = 3.0
    multi_process: bool = False  # MULTI_PROCESS: other processes may die mid-work; take their work over (issue 15)

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
    eligibility: EligibilityService  # Cek Kelayakan
    broadcasts: BroadcastService
    followup: FollowupService  # /tindaklanjut: the officials' queue, status changes, notices and digests
    exports: ExportService  # /unduh: XLSX / CSV of an official's area
    proposals: ProposalService  # /usulan: a desa's proposal list (XLSX) and letter (PDF)
    roster: RosterService  # the district roster: imports (chat and CLI) and its size by area
    roster_requests: RosterRequestsService  # requests the roster confirms: closed, "you are now protected"
    status_checks: StatusService  # Cek Status: the checks and the daily quota
    reminders: ReminderService  # expiry reminders: opt in / out and the daily run
    officials: OfficialsService  # officials and admins added by admins: invites, /petugas, revocation
    audit: AuditService  # the audit log: every feature records through it; /audit reads it
    posters: PosterService  # /poster: which desa, and the QR poster
    statistics: StatisticsService  # /statistik: the figures and who may see which area
    coverage: CoverageService  # coverage per area against targets, monthly trend, /target, /cakupan files
    questions: QuestionService  # questions for an official (Tanya petugas)
    faq: FaqService  # Tanya Jawab answers and the Manfaat & Iuran pages
    faq_learning: FaqLearningService  # what admins teach the FAQ from answered questions (issue 11)
    schedule: ScheduledRuns  # scheduled work once across processes: digests, reminders, rounds (issue 15)

    def translator(self, language: str) -> Translator:
        return translator(language, self.config.tz)

    async def erase_user(self, user_id: int) -> None:
        await self.privacy.erase_user(user_id)
