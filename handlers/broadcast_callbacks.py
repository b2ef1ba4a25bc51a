"""The buttons of /siaran (compose: `bc:*`) and of a broadcast job (`bcjob:{id}:{action}`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.audience import AudienceKind
from bot.domain.broadcast import JobAction, QuickTime
from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class AudienceChoice(CallbackData):
    """Who gets it: `bc:aud:kecamatan` (an area or a language is asked next)."""

    PREFIX = "bc:aud"
    kind: AudienceKind


@dataclass(frozen=True)
class LanguageChoice(CallbackData):
    PREFIX = "bc:lang"
    code: str


@dataclass(frozen=True)
class AreaChoice(CallbackData):
    """A region button (`bc:area:64.08.01`): a kabupaten, kecamatan or desa."""

    PREFIX = "bc:area"
    code: str


@dataclass(frozen=True)
class SendNow(CallbackData):
    PREFIX = "bc:send"


@dataclass(frozen=True)
class AskSchedule(CallbackData):
    PREFIX = "bc:schedule"


@dataclass(frozen=True)
class ScheduleAt(CallbackData):
    """A quick schedule button: `bc:at:hour` (in one hour) or `bc:at:tomorrow` (tomorrow 08:00)."""

    PREFIX = "bc:at"
    when: QuickTime


@dataclass(frozen=True)
class CancelDraft(CallbackData):
    PREFIX = "bc:cancel"


@dataclass(frozen=True)
class JobButton(CallbackData):
    """Pause / resume / stop a job, or resend to the unsure recipients: `bcjob:12:pause`."""

    PREFIX = "bcjob"
    job_id: int
    action: JobAction
