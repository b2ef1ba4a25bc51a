"""Broadcast jobs: the sender loop, rate limiting, retries, pause/resume/stop, scheduling.

Everything lives in the database (``storage.broadcasts``): the job, and one row per recipient with its
delivery state, so a restart or a crash picks the job up where it stopped.

**Exactly-once rule.** A recipient row is set to ``sending`` (and committed) *before* the send call,
and to ``sent`` / ``blocked`` / ``failed`` once the call is answered. Telegram offers no idempotency key,
so a row still ``sending`` when the sender dies is ambiguous: the message may or may not have arrived.
On resume such rows become ``unknown`` and are **never resent** (at most once: no one gets the same
broadcast twice); the final report counts them so the admin sees how many. Calls answered "not sent"
(429 Too Many Requests, 5xx, connection refused) are retried: the row goes to ``retry`` while waiting
and is requeued as ``pending`` after a crash. A read timeout (request sent, no answer) is treated like a
crash: ``unknown``. Pending rows are never skipped: a resumed job sends every one of them.

**Several processes** (issue 15). A job is sent by one process at a time: the holder of its lease
(``bot.domain.schedule.Lease``, job ``broadcast``, key = the job id), renewed every 2 s. So the configured rate
is the total rate, exactly, and one process edits the progress message. With ``MULTI_PROCESS`` every process
runs ``take_over`` every 2 s: a running job whose holder stopped renewing (killed) is taken over within 10 s;
the new holder's ``recover`` makes the dead one's in-flight rows ``unknown`` (the crash window: at most
``max_in_flight`` + one claimed batch of recipients, never resent) and sends the rest. Recipients are
claimed atomically (``FOR UPDATE SKIP LOCKED … RETURNING``, ``BroadcastRepository.claim``), so even two
senders on one job (a holder that lost its lease and has not noticed yet) never send to the same row; a
holder that finds its lease lost stops.

Rate: a token bucket at the configured global rate (``BROADCAST_RATE``, default 25 msg/s, small bursts
of 0.2 s worth), at most one message per chat per second, 429 ``retry_after`` pauses the whole bucket,
transient errors back off exponentially, 403 marks the user blocked (excluded until they write again).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from bot.domain.audience import Audience, AudienceResolver
from bot.domain.audit import AuditService
from bot.domain.clock import Clock
from bot.domain.i18n import Translator
from bot.domain.schedule import Lease, ScheduledRuns

# BroadcastRow: handlers import the job type from here (they never import storage)
from storage.broadcasts import OPEN_STATES, BroadcastRepository, BroadcastRow, Delivery
from storage.users import UserRepository

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CHAT_SPACING_SECONDS = 1.0
EPSILON = 1e-6  # float slack when counting tokens
MIN_SLEEP = 0.001
WAIT_SLICE = 0.25  # waits are cut in slices so pause/stop/shutdown are noticed quickly
CONTROL_CHECK_SECONDS = 1.0  # how often the loop re-reads the job's state (another process may pause it)
WITA = ZoneInfo("Asia/Makassar")

LEASE_JOB = "broadcast"  # job_runs: (broadcast, job id) held by the process sending the job

JobAction = Literal["pause", "resume", "stop", "resend"]
QuickTime = Literal["hour", "tomorrow"]


# --------------------------------------------------------------------------- content and sending


@dataclass(frozen=True)
class Content:
    """What recipients get: HTML text, or a photo (file_id) with an HTML caption."""

    kind: str  # "text" | "photo"
    body: str | None
    photo: str | None = None

    @classmethod
    def of(cls, job: BroadcastRow) -> Content:
        return cls(job.kind, job.body, job.photo_file_id)


class SendError(Exception):
    """A send call failed; the subclass says what to do about it."""


class RetryLater(SendError):
    """429: nothing was sent; wait `seconds` (the whole bucket waits)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Blocked(SendError):
    """403: the user blocked the bot (or deleted their account)."""


class Transient(SendError):
    """5xx or a connection that failed before the request went out: nothing was sent; try again."""


class Ambiguous(SendError):
    """The request went out but no answer came back (read timeout): it may have arrived."""


class Rejected(SendError):
    """400 and the like: sending again will not help."""


class Sender(Protocol):
    async def send(self, chat_id: int, content: Content) -> int:
        """Send and return the message id; raise a `SendError` subclass on failure."""
        ...


class ProgressSink(Protocol):
    async def update(self, job: BroadcastRow, progress: Progress) -> None: ...

    async def finished(self, job: BroadcastRow, progress: Progress) -> None: ...


class Timer(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class Transport:
    """What the Telegram layer lends the service: senders, progress messages, a task spawner."""

    open_sender: Callable[[], contextlib.AbstractAsyncContextManager[Sender]]
    progress: ProgressSink
    spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]]
    is_stopping: Callable[[], bool] = lambda: False
    owner: object = None  # whose transport this is (the Telegram layer attaches one per Application)


# --------------------------------------------------------------------------- rate limiting


class TokenBucket:
    """`rate` tokens per second, holding at most `capacity`; `pause` empties it for a while (429)."""

    def __init__(self, rate: float, capacity: float, timer: Timer) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.timer = timer
        self.tokens = 1.0
        self.last = timer.monotonic()
        self.paused_until = 0.0

    def _refill(self) -> None:
        now = self.timer.monotonic()
        if now > self.last:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now

    async def take(self, most: int, interrupted: Callable[[], bool] = lambda: False) -> int:
        """Wait for at least one token and take up to `most`; 0 when interrupted while waiting."""
        while True:
            if interrupted():
                return 0
            now = self.timer.monotonic()
            if now < self.paused_until:
                await self.timer.sleep(min(self.paused_until - now, WAIT_SLICE))
                continue
            self._refill()
            if self.tokens >= 1 - EPSILON:
                taken = max(1, min(int(self.tokens + EPSILON), most))
                self.tokens = max(0.0, self.tokens - taken)
                return taken
            await self.timer.sleep(min(max((1 - self.tokens) / self.rate, MIN_SLEEP), WAIT_SLICE))

    def refund(self, count: int) -> None:
        self.tokens = min(self.capacity, self.tokens + count)

    def pause(self, seconds: float) -> None:
        until = self.timer.monotonic() + seconds
        if until > self.paused_until:
            self.paused_until = until
        self.tokens = 0.0
        self.last = max(self.last, self.paused_until)


class ChatSpacing:
    """At most one message per chat per `seconds` (Telegram's per-chat limit), across all jobs."""

    def __init__(self, timer: Timer, seconds: float = CHAT_SPACING_SECONDS) -> None:
        self.timer = timer
        self.seconds = seconds
        self._last: dict[int, float] = {}

    async def wait(self, chat_id: int) -> None:
        now = self.timer.monotonic()
        last = self._last.get(chat_id)
        if last is not None and now - last < self.seconds:
            await self.timer.sleep(self.seconds - (now - last))
        self._last[chat_id] = self.timer.monotonic()
        if len(self._last) > 50_000:
            cutoff = self.timer.monotonic() - self.seconds
            self._last = {c: t for c, t in self._last.items() if t >= cutoff}


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    job_id: int
    state: str
    total: int
    counts: dict[str, int]
    rate: float  # messages per second in this run
    eta_seconds: float | None
    elapsed_seconds: float = 0.0

    @property
    def sent(self) -> int:
        return self.counts.get("sent", 0)

    @property
    def handled(self) -> int:
        return sum(self.counts.get(s, 0) for s in ("sent", "blocked", "failed", "unknown"))

    @property
    def remaining(self) -> int:
        return sum(self.counts.get(s, 0) for s in OPEN_STATES)


# --------------------------------------------------------------------------- the runner


@dataclass
class RunnerOptions:
    rate: float = 25.0
    progress_interval: float = 3.0
    max_attempts: int = 5  # transient errors (5xx, network) per recipient
    max_rate_limited: int = 10  # 429 answers per recipient before giving up
    backoff: float = 1.0
    max_backoff: float = 30.0
    burst_seconds: float = 0.2
    # Rows claimed at once / sends in flight: kept below the HTTP pool so a claimed (`sending`) row never
    # waits for a connection — that wait would widen the "may or may not have arrived" window of a crash.
    max_batch: int = 16
    max_in_flight: int = 40


class BroadcastRunner:
    """Sends one job until it is done, paused, stopped or the process shuts down."""

    def __init__(
        self, repo: BroadcastRepository, users: UserRepository, job_id: int, sender: Sender,
        progress: ProgressSink, *, clock: Clock, timer: Timer, spacing: ChatSpacing,
        options: RunnerOptions | None = None, is_stopping: Callable[[], bool] = lambda: False,
        after_send: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.repo = repo
        self.users = users
        self.job_id = job_id
        self.sender = sender
        self.progress = progress
        self.clock = clock
        self.timer = timer
        self.spacing = spacing
        self.options = options or RunnerOptions()
        self.is_stopping = is_stopping
        self.after_send = after_send  # test/benchmark hook: runs after a send is answered, before recording
        self.control: str | None = None  # "paused" / "stopped", set by the service for a quick reaction
        self.lease: Lease | None = None  # several processes: stop when another process took the job over
        self.noticed = False  # the run ended on a state another sender or process wrote (it reports, not this)
        capacity = max(1.0, self.options.rate * self.options.burst_seconds)
        self.bucket = TokenBucket(self.options.rate, capacity, timer)
        self.max_batch = max(1, min(int(capacity), self.options.max_batch))
        self.max_in_flight = max(self.max_batch, self.options.max_in_flight)
        self._results: list[Delivery] = []
        self._blocked: list[int] = []
        self._content: Content | None = None
        self._sent_at_start = 0
        self._started = 0.0

    def _interrupted(self) -> bool:
        return self.control is not None or self.is_stopping() or self._lost()

    def _lost(self) -> bool:
        return self.lease is not None and self.lease.lost.is_set()

    async def _sleep(self, seconds: float) -> bool:
        """Sleep in slices; False when interrupted (pause, stop, shutdown) before the time was up."""
        deadline = self.timer.monotonic() + seconds
        while True:
            if self._interrupted():
                return False
            left = deadline - self.timer.monotonic()
            if left <= 0:
                return True
            await self.timer.sleep(min(left, WAIT_SLICE))

    async def run(self) -> str:
        """Returns the job's state when this run ends (done, paused, stopped, or running on shutdown)."""
        unknown, requeued = await self.repo.recover(self.job_id, self.clock.now())
        if unknown or requeued:
            log.warning("broadcast %d resumed: %d unknown (not resent), %d requeued", self.job_id, unknown, requeued)
        job = await self.repo.get(self.job_id)
        if job is None or job.state != "running":
            return job.state if job else "missing"
        self._content = Content.of(job)
        self._sent_at_start = (await self.repo.counts(self.job_id))["sent"]
        self._started = self.timer.monotonic()
        in_flight: set[asyncio.Task[None]] = set()
        try:
            state = await self._send_all(in_flight)
        except asyncio.CancelledError:
            for task in in_flight:
                task.cancel()
            raise
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)
        await self._flush()
        if state in ("done", "stopped") and (not self.noticed or self.control == state):
            # noticed in the database: whoever finished or stopped the job sends the report (once)
            await self._report(state, final=True)
        elif state == "paused":
            await self._report("paused")
        return state

    async def _send_all(self, in_flight: set[asyncio.Task[None]]) -> str:
        """Claim and send until nothing is left or the run is interrupted; returns the state it ends in."""
        last_report = -math.inf
        last_check = self.timer.monotonic()
        while True:
            await self._flush()
            if self.timer.monotonic() - last_report >= self.options.progress_interval:
                await self._report("running")
                last_report = self.timer.monotonic()
            if self.control is not None:
                return self.control
            if self.is_stopping() or self._lost():
                return "running"
            if self.timer.monotonic() - last_check >= CONTROL_CHECK_SECONDS:
                last_check = self.timer.monotonic()
                current = await self.repo.get(self.job_id)
                if current is None or current.state != "running":
                    self.noticed = True
                    return current.state if current else "missing"
            if len(in_flight) >= self.max_in_flight:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            taken = await self.bucket.take(self.max_batch, self._interrupted)
            if taken == 0:
                continue
            if await self._claim(taken, in_flight):
                continue
            if in_flight:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            if await self._finish_if_done():
                return "done"
            await self._sleep(WAIT_SLICE)  # rows held by another sender; look again shortly

    async def _claim(self, taken: int, in_flight: set[asyncio.Task[None]]) -> bool:
        """Claim up to `taken` recipients and start sending to them; False when none was left to claim."""
        ids = await self.repo.claim(self.job_id, taken, self.clock.now())
        if len(ids) < taken:
            self.bucket.refund(taken - len(ids))
        for user_id in ids:
            task = asyncio.create_task(self._deliver(user_id))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        return bool(ids)

    async def _finish_if_done(self) -> bool:
        await self._flush()
        counts = await self.repo.counts(self.job_id)
        if any(counts[s] for s in OPEN_STATES):
            return False
        return await self.repo.set_state(self.job_id, "done", from_states=("running",), now=self.clock.now())

    async def _deliver(self, user_id: int) -> None:
        assert self._content is not None
        transient = rate_limited = 0
        while True:
            await self.spacing.wait(user_id)
            try:
                message_id = await self.sender.send(user_id, self._content)
            except Blocked as exc:
                await self._after(user_id)
                self._blocked.append(user_id)
                self._results.append(Delivery(user_id, "blocked", error=str(exc) or "blocked"))
                return
            except Rejected as exc:
                await self._after(user_id)
                self._results.append(Delivery(user_id, "failed", error=str(exc) or "rejected"))
                return
            except Ambiguous as exc:
                await self._after(user_id)
                self._results.append(Delivery(user_id, "unknown", error=str(exc) or "no answer"))
                return
            except RetryLater as exc:
                rate_limited += 1
                self.bucket.pause(exc.seconds)
                delay, reason, give_up = exc.seconds, f"429 {exc}", rate_limited >= self.options.max_rate_limited
            except Transient as exc:
                transient += 1
                delay = min(self.options.max_backoff, self.options.backoff * 2 ** (transient - 1))
                reason, give_up = f"transient: {exc}", transient >= self.options.max_attempts
            else:
                await self._after(user_id)
                self._results.append(Delivery(user_id, "sent", message_id=message_id))
                return
            if give_up:
                self._results.append(Delivery(user_id, "failed", error=reason))
                return
            await self.repo.mark(self.job_id, user_id, "retry", self.clock.now(), from_state="sending", error=reason)
            if not await self._sleep(delay) or await self.bucket.take(1, self._interrupted) == 0:
                return  # paused/stopped/shutting down: the row stays `retry` and is requeued on resume
            if not await self.repo.mark(self.job_id, user_id, "sending", self.clock.now(), from_state="retry",
                                        count_attempt=True):
                return  # the user erased their data meanwhile

    async def _after(self, user_id: int) -> None:
        if self.after_send is not None:
            await self.after_send(user_id)

    async def _flush(self) -> None:
        results, self._results = self._results, []
        blocked, self._blocked = self._blocked, []
        if results:
            await self.repo.record(self.job_id, results, self.clock.now())
        for user_id in blocked:
            await self.users.mark_blocked(user_id, self.clock.now())

    async def snapshot(self, state: str) -> tuple[BroadcastRow, Progress] | None:
        job = await self.repo.get(self.job_id)
        if job is None:
            return None
        counts = await self.repo.counts(self.job_id)
        elapsed = max(self.timer.monotonic() - self._started, 1e-9)
        rate = (counts["sent"] - self._sent_at_start) / elapsed if elapsed >= 0.5 else 0.0
        remaining = sum(counts[s] for s in OPEN_STATES)
        eta = remaining / rate if rate > 0 else None
        return job, Progress(self.job_id, state, job.total, counts, rate, eta, elapsed)

    async def _report(self, state: str, final: bool = False) -> None:
        found = await self.snapshot(state)
        if found is None:
            return
        job, progress = found
        try:
            if final:
                await self.progress.finished(job, progress)
            else:
                await self.progress.update(job, progress)
        except Exception:  # progress is a courtesy; never stop sending for it
            log.exception("broadcast %d: progress report failed", self.job_id)


# --------------------------------------------------------------------------- the service


@dataclass
class Draft:
    """A composed broadcast not yet saved."""

    content: Content
    audience: Audience


@dataclass
class BroadcastService:
    """Broadcast jobs: compose → save → send now or at a time; pause, resume, stop; progress; erasure."""

    repo: BroadcastRepository
    users: UserRepository
    resolver: AudienceResolver
    clock: Clock
    options: RunnerOptions = field(default_factory=RunnerOptions)
    timer: Timer = field(default_factory=RealTimer)
    transport: Transport | None = None
    spacing: ChatSpacing | None = None
    runners: dict[int, BroadcastRunner] = field(default_factory=dict)
    tasks: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    after_send: Callable[[int], Awaitable[None]] | None = None  # tests/benchmark: simulate a crash mid-send
    tz: ZoneInfo = WITA  # the admins' local time, for the times they type
    audit: AuditService | None = None  # created / sent / paused / resumed / stopped (ids and codes only)
    schedule: ScheduledRuns | None = None  # several processes: one sender per job (its lease); None: this one

    async def _audit(self, action: str, job_id: int, by: int | None, detail: str | None = None) -> None:
        if self.audit is not None and by is not None:
            await self.audit.record(actor_id=by, action=action, target=f"broadcast#{job_id}", detail=detail)

    def attach(self, transport: Transport) -> None:
        """The Telegram layer hands over its transport when the Application starts."""
        self.transport = transport
        self.runners.clear()
        self.tasks.clear()

    async def count(self, audience: Audience) -> int:
        return len(await self.resolver.recipients(audience))

    async def job(self, job_id: int) -> BroadcastRow | None:
        return await self.repo.get(job_id)

    async def recent(self, limit: int = 5) -> list[tuple[BroadcastRow, Progress]]:
        """The last `limit` jobs with their progress, oldest first (for /siaran_status)."""
        found = [await self.progress(job.id) for job in reversed(await self.repo.recent(limit))]
        return [item for item in found if item is not None]

    async def set_progress_message(self, job_id: int, chat_id: int, message_id: int) -> None:
        """Remember the admin's progress message, so it is edited rather than sent again."""
        await self.repo.set_progress_message(job_id, chat_id, message_id)

    # -- personal data (PersonalDataHolder)

    async def erase(self, user_id: int) -> None:
        """Drop the user from every broadcast's recipient list (a running job then skips them)."""
        await self.repo.forget_user(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        return []  # only delivery states are kept: nothing to show in /dataku

    # -- scheduling

    def quick_time(self, choice: QuickTime) -> dt.datetime:
        """The quick schedule buttons: in one hour, or tomorrow at 08:00 local time."""
        now = self.clock.now()
        if choice == "tomorrow":
            when = parse_when("besok 08:00", now, self.tz)
            assert when is not None
            return when
        return now + dt.timedelta(hours=1)

    def read_time(self, text: str) -> dt.datetime | None:
        """A time typed by an admin (local time; see `parse_when`), None when it cannot be read."""
        return parse_when(text, self.clock.now(), self.tz)

    def is_past(self, when: dt.datetime) -> bool:
        return when <= self.clock.now()

    async def create(self, admin_id: int, draft: Draft, scheduled_at: dt.datetime | None = None) -> int:
        """Save the job; send now (scheduled_at None) or at `scheduled_at`."""
        now = self.clock.now()
        job_id = await self.repo.create(
            created_by=admin_id, kind=draft.content.kind, body=draft.content.body, photo_file_id=draft.content.photo,
            audience_kind=draft.audience.kind, audience_value=draft.audience.value, state="scheduled",
            scheduled_at=scheduled_at or now, now=now,
        )
        audience = f"audience={draft.audience.kind}" + (f" {draft.audience.value}" if draft.audience.value else "")
        await self._audit("broadcast_created", job_id, admin_id, f"{draft.content.kind} {audience}"
                          + (" scheduled" if scheduled_at is not None else ""))
        if scheduled_at is None:
            await self.launch(job_id)
        return job_id

    async def launch(self, job_id: int) -> bool:
        """Snapshot the audience and start sending a scheduled job (at most once per job)."""
        job = await self.repo.get(job_id)
        if job is None or job.state != "scheduled":
            return False
        recipients = await self.resolver.recipients(Audience(job.audience_kind, job.audience_value))
        if not await self.repo.start(job_id, recipients, self.clock.now()):
            return False
        await self._audit("broadcast_sent", job_id, job.created_by, f"recipients={len(recipients)}")
        self._spawn(job_id)
        return True

    async def start_due(self) -> list[int]:
        """The scheduler's tick: start every scheduled job whose time has come."""
        started = []
        for job_id in await self.repo.due(self.clock.now()):
            if await self.launch(job_id):
                started.append(job_id)
        return started

    async def resume_running(self) -> list[int]:
        """On start, and every few seconds (`take_over`): pick up running jobs that no live process sends
        (this process stopped or died, or another one did). With leases, only a job whose lease is free or
        ran out is started here; the lease is taken in `_run`."""
        picked = []
        now = self.clock.now()
        for job in await self.repo.in_state("running"):
            task = self.tasks.get(job.id)
            if task is not None and not task.done():
                continue
            if self.schedule is not None:
                run = await self.schedule.leases.get(LEASE_JOB, str(job.id))
                if run is not None and run.claimed_by != self.schedule.holder and run.lease_until is not None \
                        and run.lease_until > now:
                    continue  # another live process sends it
            self._spawn(job.id)
            picked.append(job.id)
        return picked

    async def take_over(self) -> list[int]:
        """The tick in every process: jobs whose sender died are taken over (see the module docstring)."""
        return await self.resume_running()

    async def pause(self, job_id: int) -> bool:
        if not await self.repo.set_state(job_id, "paused", from_states=("running",)):
            return False
        runner = self.runners.get(job_id)
        if runner is not None:
            runner.control = "paused"
        return True

    async def resume(self, job_id: int) -> bool:
        if not await self.repo.set_state(job_id, "running", from_states=("paused",)):
            return False
        self._spawn(job_id)
        return True

    async def resend_unsure(self, job_id: int) -> bool:
        """After a crash left recipients `unknown`, the admin may resend to them: those whose message did
        arrive get it twice (the admin's explicit choice); nobody is left out. Only for a finished job."""
        job = await self.repo.get(job_id)
        if job is None or job.state not in ("done", "stopped"):
            return False
        if not await self.repo.set_state(job_id, "running", from_states=(job.state,)):
            return False
        if await self.repo.requeue_unknown(job_id, self.clock.now()) == 0:
            await self.repo.set_state(job_id, job.state, from_states=("running",))
            return False
        self._spawn(job_id)
        return True

    async def control(self, job_id: int, action: JobAction, by: int | None = None) -> bool:
        """The admin's buttons on a job (audited as done `by` that admin); False when the job is no longer in a
        state that allows it."""
        actions = {"pause": self.pause, "resume": self.resume, "stop": self.stop, "resend": self.resend_unsure}
        done = await actions[action](job_id)
        if done:
            audited = {"pause": ("broadcast_paused", None), "resume": ("broadcast_resumed", None),
                       "stop": ("broadcast_stopped", None), "resend": ("broadcast_sent", "resend")}[action]
            await self._audit(audited[0], job_id, by, audited[1])
        return done

    async def stop(self, job_id: int) -> bool:
        job = await self.repo.get(job_id)
        if job is None or not await self.repo.set_state(
            job_id, "stopped", from_states=("running", "paused", "scheduled"), now=self.clock.now()
        ):
            return False
        runner = self.runners.get(job_id)
        if runner is not None and job_id in self.tasks and not self.tasks[job_id].done():
            runner.control = "stopped"  # the runner drains and sends the final report
        elif self.transport is not None:
            found = await self.progress(job_id, "stopped")
            if found is not None:
                await self.transport.progress.finished(*found)
        return True

    async def wait(self, job_id: int) -> None:
        """Until this process's runner of the job has ended (tests, benchmark)."""
        task = self.tasks.get(job_id)
        if task is not None:
            await asyncio.shield(task)

    async def progress(self, job_id: int, state: str | None = None) -> tuple[BroadcastRow, Progress] | None:
        runner = self.runners.get(job_id)
        task = self.tasks.get(job_id)
        job = await self.repo.get(job_id)
        if job is None:
            return None
        if runner is not None and task is not None and not task.done():
            return await runner.snapshot(state or job.state)
        counts = await self.repo.counts(job_id)
        return job, Progress(job_id, state or job.state, job.total, counts, 0.0, None)

    def _spawn(self, job_id: int) -> None:
        if self.transport is None:
            log.error("broadcast %d cannot start: no transport attached", job_id)
            return
        task = self.tasks.get(job_id)
        if task is not None and not task.done():
            runner = self.runners.get(job_id)
            if runner is not None and runner.control is not None:
                # paused and resumed before the old run ended: start again after it
                self.tasks[job_id] = self.transport.spawn(self._run_after(task, job_id))
            return
        self.tasks[job_id] = self.transport.spawn(self._run(job_id))

    async def _run_after(self, previous: asyncio.Task[None], job_id: int) -> None:
        with contextlib.suppress(Exception):
            await previous
        await self._run(job_id)

    async def _run(self, job_id: int) -> None:
        lease = self.schedule.lease(LEASE_JOB, str(job_id)) if self.schedule is not None else None
        if lease is not None and not await lease.acquire():
            return  # another process sends this job
        try:
            await self._send_job(job_id, lease)
        finally:
            if lease is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(lease.release())

    async def _send_job(self, job_id: int, lease: Lease | None) -> None:
        transport = self.transport
        assert transport is not None
        if self.spacing is None:
            self.spacing = ChatSpacing(self.timer)
        try:
            async with transport.open_sender() as sender:
                runner = BroadcastRunner(
                    self.repo, self.users, job_id, sender, transport.progress, clock=self.clock, timer=self.timer,
                    spacing=self.spacing, options=self.options, is_stopping=transport.is_stopping,
                    after_send=self.after_send,
                )
                runner.lease = lease
                self.runners[job_id] = runner
                await runner.run()
        except Exception:
            log.exception("broadcast %d: sender loop failed; it resumes at the next start", job_id)


# --------------------------------------------------------------------------- scheduling input

_DATE_TIME = re.compile(
    r"^\s*(?:(?P<rel>besok|tomorrow|hari ini|today)\s+|(?P<d>\d{1,2})[/\-.](?P<m>\d{1,2})(?:[/\-.](?P<y>\d{2,4}))?\s+)?"
    r"(?:(?:jam|pukul|at)\s+)?(?P<h>\d{1,2})[:.](?P<min>\d{2})\s*(?:wita)?\s*$",
    re.IGNORECASE,
)


def parse_when(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    """A moment typed by an admin, in local time (WITA): "25/11/2026 08:00", "25-11 8.30", "besok 07:00",
    "14:00" (today, or tomorrow if already past). Returns UTC; None when it cannot be read."""
    match = _DATE_TIME.match(text)
    if match is None:
        return None
    local_now = now.astimezone(tz)
    hour, minute = int(match["h"]), int(match["min"])
    if hour > 23 or minute > 59:
        return None
    try:
        if match["d"]:
            year = int(match["y"]) if match["y"] else local_now.year
            year = year + 2000 if year < 100 else year
            day = dt.date(year, int(match["m"]), int(match["d"]))
            if not match["y"] and dt.datetime.combine(day, dt.time(hour, minute), tz) < local_now:
                day = day.replace(year=year + 1)
        else:
            day = local_now.date()
            relative = (match["rel"] or "").lower()
            passed = dt.datetime.combine(day, dt.time(hour, minute), tz) <= local_now
            if relative in ("besok", "tomorrow") or (not relative and passed):
                day += dt.timedelta(days=1)
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(hour, minute), tz).astimezone(dt.UTC)


@contextlib.asynccontextmanager
async def fixed_sender(sender: Sender) -> AsyncIterator[Sender]:
    """An `open_sender` for a sender that needs no setup (tests, benchmark)."""
    yield sender
