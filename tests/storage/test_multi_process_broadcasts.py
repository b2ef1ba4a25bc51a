"""Several processes on one database (issue 15), on SQLite and PostgreSQL (`db` fixture; PostgreSQL skipped
loudly without TEST_DATABASE_URL): recipients claimed atomically, leases claimed once and taken over after
their holder died, and a broadcast that two sender stacks share or hand over with no duplicate and no miss.

Each "process" is its own service stack (its own `ScheduledRuns` holder id) on the same database; on
PostgreSQL their statements run through separate pooled connections, truly at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import sqlalchemy as sa

from bot.domain.audience import Audience, AudienceResolver
from bot.domain.broadcast import (
    BroadcastRow,
    BroadcastService,
    Content,
    Draft,
    Progress,
    RunnerOptions,
    Transport,
)
from bot.domain.clock import FixedClock
from bot.domain.schedule import LEASE, ScheduledRuns
from storage.broadcasts import BroadcastRepository
from storage.db import Database
from storage.leases import LeaseRepository
from storage.officials import OfficialRepository
from storage.schema import users
from storage.users import UserRepository

NOW = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
WITA = dt.timezone(dt.timedelta(hours=8))


async def make_users(db: Database, count: int, first: int = 7_000_000) -> list[int]:
    ids = list(range(first, first + count))
    async with db.transaction() as conn:
        for start in range(0, count, 1000):
            await conn.execute(sa.insert(users), [
                {"id": uid, "language": "id", "created_at": NOW, "last_seen_at": NOW} for uid in ids[start:start + 1000]
            ])
    return ids


async def test_racing_claimers_get_every_recipient_exactly_once(db: Database) -> None:
    """Four claimers at once on one job of 3,000 (the 83-duplicates case of issue 15): 0 duplicates, 0 misses."""
    repo = BroadcastRepository(db)
    job = await repo.create(created_by=9, kind="text", body="hi", photo_file_id=None, audience_kind="everyone",
                            audience_value=None, state="scheduled", scheduled_at=NOW, now=NOW)
    ids = list(range(1, 3001))
    assert await repo.start(job, ids, NOW)
    claimed: list[list[int]] = [[], [], [], []]

    async def claimer(mine: list[int]) -> None:
        while batch := await repo.claim(job, 16, NOW):
            mine.extend(batch)
            await asyncio.sleep(0)

    await asyncio.gather(*(claimer(mine) for mine in claimed))
    together = Counter(uid for mine in claimed for uid in mine)
    assert sum(1 for n in together.values() if n > 1) == 0
    assert set(together) == set(ids)
    assert sum(1 for mine in claimed if mine) >= 2  # they really shared the work
    assert (await repo.counts(job))["sending"] == 3000


async def test_a_run_is_claimed_once_and_taken_over_after_its_holder_died(db: Database) -> None:
    leases = LeaseRepository(db)
    ttl = dt.timedelta(seconds=6)
    results = await asyncio.gather(*(leases.acquire("digest", "2026-11-30", f"p{i}", NOW, ttl) for i in range(4)))
    assert sorted(results) == [False, False, False, True]
    holder = f"p{results.index(True)}"
    other = "p9"
    assert not await leases.acquire("digest", "2026-11-30", other, NOW + dt.timedelta(seconds=5), ttl)
    assert await leases.renew("digest", "2026-11-30", holder, NOW + dt.timedelta(seconds=5), ttl)
    assert not await leases.acquire("digest", "2026-11-30", other, NOW + dt.timedelta(seconds=10), ttl)  # renewed
    later = NOW + dt.timedelta(seconds=12)
    assert [r.claimed_by for r in await leases.expired(later)] == [holder]  # it stopped renewing: dead
    assert await leases.acquire("digest", "2026-11-30", other, later, ttl)  # taken over
    assert not await leases.renew("digest", "2026-11-30", holder, later, ttl)  # the old holder lost it
    assert await leases.finish("digest", "2026-11-30", other, later)
    assert not await leases.acquire("digest", "2026-11-30", holder, later + dt.timedelta(days=1), ttl)  # done
    assert await leases.expired(later + dt.timedelta(days=1)) == []
    # a released lease is free at once
    assert await leases.acquire("round", "lock", holder, later, ttl)
    await leases.release("round", "lock", holder, later)
    assert await leases.acquire("round", "lock", other, later, ttl)
    # an item: exactly one caller wins
    wins = await asyncio.gather(*(leases.once("digest-item", "2026-11-30/requests/5", f"p{i}", NOW) for i in range(4)))
    assert sum(wins) == 1
    assert await leases.purge(later + dt.timedelta(days=30)) == 2


async def test_a_dated_run_happens_once_across_processes_and_is_finished_after_a_death(db: Database) -> None:
    clock = FixedClock(NOW)
    leases = LeaseRepository(db)
    done: list[str] = []
    stacks = [ScheduledRuns(leases, clock, f"host:{pid}:x", WITA) for pid in (1, 2, 3)]
    for stack in stacks:
        async def work(day: str, who: str = stack.holder) -> None:
            done.append(who)
        stack.register("digest", work)
    ran = await asyncio.gather(*(stack.run("digest") for stack in stacks))
    assert sum(ran) == 1 and len(done) == 1
    assert not await stacks[0].run("digest")  # the day is done
    # a holder that dies mid-run: its claim stays open; another process finishes the run once the lease ran out
    assert await leases.acquire("digest", "2026-12-01", "dead:1:x", NOW, LEASE)
    assert await stacks[1].take_over() == []  # its lease is still good
    clock.advance(LEASE + dt.timedelta(seconds=1))
    taken = await asyncio.gather(stacks[1].take_over(), stacks[2].take_over())
    assert sorted(len(t) for t in taken) == [0, 1]
    assert len(done) == 2


async def test_held_notices_are_claimed_by_one_digest_only(db: Database) -> None:
    """The grouped notices: claim-then-send, so two processes sending digests never repeat a request."""
    officials = OfficialRepository(db)
    for request_id in range(1, 7):
        await officials.add_notice(500001, request_id, NOW, sent=False)
    pending = [r for r, _at in (await officials.pending_notices())[500001]]
    claims = await asyncio.gather(*(officials.claim_notices(500001, pending, NOW) for _ in range(3)))
    assert sorted(uid for claim in claims for uid in claim) == list(range(1, 7))
    assert await officials.pending_notices() == {}


# --------------------------------------------------------------------------- broadcasts across processes


class QuietProgress:
    def __init__(self) -> None:
        self.finished_reports = 0

    async def update(self, job: BroadcastRow, progress: Progress) -> None:
        return None

    async def finished(self, job: BroadcastRow, progress: Progress) -> None:
        self.finished_reports += 1


class RecordingSender:
    """Telegram stand-in shared by the "processes": who got what, and a hook to kill a sender mid-way."""

    def __init__(self) -> None:
        self.sent: Counter[int] = Counter()
        self.per_process: Counter[str] = Counter()
        self.kill_after: dict[str, int] = {}
        self.killed: dict[str, asyncio.Event] = {}
        self.started: dict[str, asyncio.Event] = {}

    def event(self, events: dict[str, asyncio.Event], name: str) -> asyncio.Event:
        return events.setdefault(name, asyncio.Event())

    def for_process(self, name: str) -> _ProcessSender:
        return _ProcessSender(self, name)


class _ProcessSender:
    def __init__(self, shared: RecordingSender, name: str) -> None:
        self.shared = shared
        self.name = name

    async def send(self, chat_id: int, content: Content) -> int:
        await asyncio.sleep(0)
        shared = self.shared
        shared.event(shared.started, self.name).set()
        limit = shared.kill_after.get(self.name)
        if limit is not None and shared.per_process[self.name] >= limit:
            shared.event(shared.killed, self.name).set()
            await asyncio.Event().wait()  # hangs like a process that is being killed; cancelled by the test
        shared.sent[chat_id] += 1
        shared.per_process[self.name] += 1
        return shared.sent.total()


def stack(db: Database, name: str, telegram: RecordingSender, clock: FixedClock, leased: bool = True,
          ) -> tuple[BroadcastService, QuietProgress]:
    repo = BroadcastRepository(db)
    schedule = ScheduledRuns(LeaseRepository(db), clock, f"host:{name}:0", WITA) if leased else None
    service = BroadcastService(repo, UserRepository(db), AudienceResolver(repo, default_language="id"), clock,
                               RunnerOptions(rate=1000, progress_interval=3600, max_in_flight=16), schedule=schedule)
    progress = QuietProgress()

    @contextlib.asynccontextmanager
    async def open_sender() -> AsyncIterator[_ProcessSender]:
        yield telegram.for_process(name)

    service.attach(Transport(open_sender=open_sender, progress=progress, spawn=asyncio.create_task))
    return service, progress


async def test_a_broadcast_sent_by_two_senders_at_once_has_no_duplicate_and_no_miss(db: Database) -> None:
    """Two sender stacks on one job at the same time (no lease: the claim alone keeps them apart)."""
    ids = await make_users(db, 600)
    clock = FixedClock(NOW)
    telegram = RecordingSender()
    a, progress_a = stack(db, "a", telegram, clock, leased=False)
    b, progress_b = stack(db, "b", telegram, clock, leased=False)
    job = await a.create(1, Draft(Content("text", "Halo"), Audience("everyone")))
    assert await b.resume_running() == [job]
    await asyncio.gather(a.wait(job), b.wait(job))
    assert sum(1 for n in telegram.sent.values() if n > 1) == 0
    assert set(telegram.sent) == set(ids)
    assert telegram.per_process["a"] > 0 and telegram.per_process["b"] > 0
    assert (await a.repo.counts(job))["sent"] == 600
    assert (await a.repo.get(job)).state == "done"  # type: ignore[union-attr]
    assert progress_a.finished_reports + progress_b.finished_reports == 1  # one final report


async def test_one_process_sends_a_leased_broadcast_and_another_takes_it_over_after_a_kill(db: Database) -> None:
    ids = await make_users(db, 400)
    clock = FixedClock(NOW)
    telegram = RecordingSender()
    a, _ = stack(db, "a", telegram, clock)
    b, progress_b = stack(db, "b", telegram, clock)
    telegram.kill_after["a"] = 150
    job = await a.create(1, Draft(Content("text", "Halo"), Audience("everyone")))
    await telegram.event(telegram.started, "a").wait()
    assert await b.take_over() == []  # a holds the lease: b leaves the job alone
    await telegram.event(telegram.killed, "a").wait()
    # kill -9, as far as the others can tell: a's sends hang and its heartbeat stops (it writes nothing more)
    lease = a.runners[job].lease
    assert lease is not None and lease._task is not None
    lease._task.cancel()
    assert a.schedule is not None
    a.schedule.leases.release = _nothing  # type: ignore[method-assign]  # (a is dead: it releases nothing)
    a.tasks[job].cancel()  # and claims nothing more: a runner left alive would keep claiming rows nobody resolves
    with contextlib.suppress(asyncio.CancelledError):
        await a.tasks[job]
    assert await b.take_over() == []  # a's lease has not run out yet
    clock.advance(LEASE + dt.timedelta(seconds=1))  # a stopped renewing: its lease ran out
    assert await b.take_over() == [job]
    await _wait_advancing(b, job, clock)
    recipients = await b.repo.recipient_states(job)
    states = Counter(recipients.values())
    unknown = {user for user, state in recipients.items() if state == "unknown"}
    assert sum(1 for n in telegram.sent.values() if n > 1) == 0  # no duplicate
    assert set(states) <= {"sent", "unknown"}
    # a's last sends may have reached Telegram before a could record them (killed): those are "unknown", never
    # resent; everything recorded as sent was sent
    assert {user for user, state in recipients.items() if state == "sent"} <= set(telegram.sent)
    assert states["unknown"] <= 16 + 16  # in flight when it died (max_in_flight + a batch)
    assert set(telegram.sent) | unknown == set(ids)  # no miss
    assert telegram.per_process["a"] == 150 and telegram.per_process["b"] + 150 == len(telegram.sent)
    assert (await b.repo.get(job)).state == "done"  # type: ignore[union-attr]
    assert progress_b.finished_reports == 1


async def _wait_advancing(service: BroadcastService, job: int, clock: FixedClock) -> None:
    """Wait for the job's runner in `service`, moving the test clock on (b's waits for a's claims and its own lease
    renewals are timed by that clock); bounded, so a stuck runner fails the test instead of hanging CI."""
    task = service.tasks[job]
    async with asyncio.timeout(60):
        while not task.done():
            clock.advance(dt.timedelta(seconds=1))
            await asyncio.wait({task}, timeout=0.01)
    await task


async def _nothing(*_args: object, **_kwargs: object) -> None:
    return None
