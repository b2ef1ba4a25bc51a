"""Scheduled work that runs once across every process serving the bot (several `jagakerja run` on one
PostgreSQL; on SQLite with one process it costs one row per run).

Three shapes, all on `storage.leases` (`job_runs`):

- `run(job)`: a dated run (the 08:00 digests and reminders of a day). The first process to claim
  `(job, today)` does it; the others skip it. The holder renews a lease while it works (`HEARTBEAT`) and
  marks the run done at the end. If it dies, the lease runs out after `LEASE` and `take_over` (a tick every
  `TICK` seconds in every process) runs the registered work again elsewhere: within LEASE + TICK < 10 s.
  A taken-over run must not repeat what the dead one sent, so the work claims each message first (`first`,
  or its own table's claim, e.g. `reminders_sent`): at most once per item; an item claimed but not sent
  when the holder died is lost (the crash window: one message per dead process).
- `exclusive(job, work)`: a recurring round (e.g. the roster confirmations every 2 minutes) that must not run
  in two processes at once; released at the end (never done), taken over when the holder dies.
- `first(job, key)`: one item, at most once (an insert that only one caller wins).

Long-running work with its own lifecycle (a broadcast) holds its lease itself: see `Lease` and
`bot.domain.broadcast.BroadcastService`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.domain.clock import Clock
from storage.leases import LeaseRepository

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=6)  # a holder silent this long is taken for dead
HEARTBEAT_SECONDS = 2.0  # how often a holder renews its lease
TICK_SECONDS = 2.0  # how often every process looks for runs whose holder died
KEEP_DONE = dt.timedelta(days=14)  # done runs remembered this long (then purged)

Work = Callable[[str], Awaitable[object]]  # the run key (e.g. the local date) → does the run


class Lease:
    """One held lease, renewed in the background until released; `lost` is set when another process took the
    run over (the holder stopped renewing in time) and the holder must stop."""

    def __init__(self, leases: LeaseRepository, clock: Clock, holder: str, job: str, run_key: str,
                 held: set[tuple[str, str]] | None = None) -> None:
        self.leases = leases
        self.held = held if held is not None else set()  # this process's leases: never held twice at once here
        self.clock = clock
        self.holder = holder
        self.job = job
        self.run_key = run_key
        self.lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def acquire(self) -> bool:
        key = (self.job, self.run_key)
        if key in self.held:
            return False
        self.held.add(key)
        acquired = False
        try:
            acquired = await self.leases.acquire(self.job, self.run_key, self.holder, self.clock.now(), LEASE)
        finally:
            if not acquired:
                self.held.discard(key)
        if not acquired:
            return False
        self._task = asyncio.create_task(self._heartbeat(), name=f"lease {self.job}/{self.run_key}")
        return True

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                renewed = await self.leases.renew(self.job, self.run_key, self.holder, self.clock.now(), LEASE)
            except Exception:  # a database hiccup: try again at the next beat (the lease outlives two misses)
                log.warning("lease %s/%s: renewal failed", self.job, self.run_key, exc_info=True)
                continue
            if not renewed:
                log.warning("lease %s/%s: lost to another process", self.job, self.run_key)
                self.lost.set()
                return

    async def _stop_heartbeat(self) -> None:
        self.held.discard((self.job, self.run_key))
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def release(self) -> None:
        """Let go (another process may take the run at once)."""
        await self._stop_heartbeat()
        await self.leases.release(self.job, self.run_key, self.holder, self.clock.now())

    async def finish(self) -> None:
        """Done: nobody takes this run over any more."""
        await self._stop_heartbeat()
        await self.leases.finish(self.job, self.run_key, self.holder, self.clock.now())


class ScheduledRuns:
    """Claims runs of scheduled work for this process (`holder`, stable for the life of the process)."""

    def __init__(self, leases: LeaseRepository, clock: Clock, holder: str, tz: dt.tzinfo) -> None:
        self.leases = leases
        self.clock = clock
        self.holder = holder
        self.tz = tz
        self.works: dict[str, Work] = {}
        self.held: set[tuple[str, str]] = set()  # leases this process holds now
        self._rounds: dict[str, asyncio.Lock] = {}

    def register(self, job: str, work: Work) -> None:
        """The work behind a dated job, so that `take_over` can finish a dead process's run (the Telegram
        side registers it again when it starts: the latest Application's bot sends)."""
        self.works[job] = work

    def today(self) -> str:
        """The run key of a daily job: the local date."""
        return self.clock.now().astimezone(self.tz).date().isoformat()

    def lease(self, job: str, run_key: str) -> Lease:
        return Lease(self.leases, self.clock, self.holder, job, run_key, self.held)

    async def run(self, job: str, run_key: str | None = None) -> bool:
        """Do the registered work of `job` for `run_key` (default: today) unless another process has claimed
        it; True when this process did it."""
        key = run_key or self.today()
        lease = self.lease(job, key)
        if not await lease.acquire():
            return False
        await self._hold(lease)
        return True

    async def _hold(self, lease: Lease) -> None:
        try:
            await self.works[lease.job](lease.run_key)
        except Exception:  # like a failed PTB job: logged, not retried (a takeover is only for a dead holder)
            log.exception("scheduled run %s/%s failed", lease.job, lease.run_key)
        finally:
            await lease.finish()

    async def take_over(self) -> list[tuple[str, str]]:
        """The tick: runs of registered jobs whose holder died (lease run out, not done) are done here."""
        done: list[tuple[str, str]] = []
        if not self.works:
            return done
        for run in await self.leases.expired(self.clock.now(), list(self.works)):
            lease = self.lease(run.job, run.run_key)
            if await lease.acquire():
                log.warning("taking over %s/%s from %s", run.job, run.run_key, run.claimed_by)
                await self._hold(lease)
                done.append((run.job, run.run_key))
        return done

    @contextlib.asynccontextmanager
    async def hold(self, job: str, run_key: str = "lock") -> AsyncIterator[bool]:
        """`async with schedule.hold(job) as mine:` — True when this process holds `job` for the block
        (released after it); False when another process holds it now."""
        lease = self.lease(job, run_key)
        mine = await lease.acquire()
        try:
            yield mine
        finally:
            if mine:
                await lease.release()

    async def exclusive(self, job: str, work: Callable[[], Awaitable[int]]) -> int:
        """Run one round of recurring work unless another process is running one; returns what `work` returns
        (0 when skipped). Rounds in this process wait for each other (a wake-up during a round runs after it)."""
        async with self._rounds.setdefault(job, asyncio.Lock()), self.hold(job) as mine:
            return await work() if mine else 0

    async def first(self, job: str, key: str) -> bool:
        """True for exactly one caller across all processes (the item is claimed before it is sent)."""
        return await self.leases.once(job, key, self.holder, self.clock.now())

    async def purge(self) -> int:
        return await self.leases.purge(self.clock.now() - KEEP_DONE)
