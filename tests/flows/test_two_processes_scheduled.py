"""Two Applications on one database, both with job queues (two `jagakerja run` processes, issue 15): the
scheduled work runs once. Only the first polls the double (Telegram gives updates to one poller); the second
only runs its jobs. The jobs are triggered directly (`Job.run`) at the `clock`'s 08:00, not waited for.
SQLite here; the same claims are checked on PostgreSQL in tests/storage/test_multi_process_broadcasts.py."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.testing.runtime import LocalBot
from handlers.broadcast_jobs import TAKEOVER_JOB
from handlers.followup_jobs import DIGEST_JOB
from handlers.reminders import JOB_NAME as REMINDER_JOB
from tests.flows.test_reminders import at, subscribe
from tests.support.officials import DESA_A, make_official, submit
from tests.support.roster import SITI


@pytest.fixture
async def second(local_bot: LocalBot, tmp_path: Path, clock: FixedClock) -> AsyncIterator[LocalBot]:
    """A second process on the same database and double; it does not poll (its job queue runs)."""
    assert local_bot.settings is not None
    other = LocalBot(local_bot.database_url, clock=clock, double=local_bot.double,
                     data_key=local_bot.settings.data_key(), admin_ids=local_bot.settings.ADMIN_IDS,
                     MULTI_PROCESS=True)
    await other.start()
    assert other.app is not None and other.app.updater is not None and other.app.job_queue is not None
    await other.app.updater.stop()
    assert other.app.job_queue.get_jobs_by_name(TAKEOVER_JOB)  # MULTI_PROCESS: it takes over the dead's work
    assert local_bot.app is not None and local_bot.app.job_queue is not None
    assert not local_bot.app.job_queue.get_jobs_by_name(TAKEOVER_JOB)  # one process: its restart resumes
    try:
        yield other
    finally:
        await other.stop()


async def run_job_in_both(first: LocalBot, second: LocalBot, name: str) -> None:
    """Both processes' job of this name fire at the same moment (as at 08:00 in two processes)."""
    runs = []
    for bot in (first, second):
        assert bot.app is not None and bot.app.job_queue is not None
        (job,) = bot.app.job_queue.get_jobs_by_name(name)
        runs.append(job.run(bot.app))
    await asyncio.gather(*runs)


async def test_a_reminder_due_once_is_sent_once_by_two_processes(local_bot: LocalBot, second: LocalBot,
                                                                  tmp_path: Path, clock: FixedClock) -> None:
    user = await subscribe(local_bot, tmp_path)
    assert local_bot.services is not None and second.services is not None
    assert local_bot.services.schedule.holder != second.services.schedule.holder
    clock.set(at(SITI.berakhir - dt.timedelta(days=30)))
    await run_job_in_both(local_bot, second, REMINDER_JOB)
    reminder = await user.expect_reply()
    assert "🔔 Pengingat" in (reminder.text or "")
    await run_job_in_both(local_bot, second, REMINDER_JOB)  # the day's run is done: nothing more
    reminders = [m for m in local_bot.double.messages_to(user.user_id) if "🔔 Pengingat" in (m.text or "")]
    assert len(reminders) == 1
    sent = await local_bot.services.reminders.repository.sent(user.user_id)
    assert [(r.kind, r.status) for r in sent] == [("d30", "sent")]


async def test_the_eight_oclock_digest_runs_once_with_two_processes(local_bot: LocalBot, second: LocalBot,
                                                                   clock: FixedClock) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    old = await submit(local_bot, 200001, DESA_A, name="Lama Sekali")
    await official.expect_reply()
    clock.set(dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC))  # 08:00 WITA, 3+ days later
    await run_job_in_both(local_bot, second, DIGEST_JOB)
    digest = await official.expect_reply()
    assert old.ref in (digest.text or "")
    await run_job_in_both(local_bot, second, DIGEST_JOB)
    digests = [m for m in local_bot.double.messages_to(official.chat_id) if old.ref in (m.text or "")
               and "waited" in (m.text or "")]
    assert len(digests) == 1
    clock.advance(dt.timedelta(days=1))  # the next morning is a new run
    await run_job_in_both(local_bot, second, DIGEST_JOB)
    assert old.ref in ((await official.expect_reply()).text or "")


async def test_a_digest_whose_process_died_is_finished_by_the_other(local_bot: LocalBot, second: LocalBot,
                                                                    clock: FixedClock) -> None:
    """The holder claimed the day's digest and died before sending: the other takes the run over (the tick)
    once the lease ran out, and sends it once."""
    official = await make_official(local_bot, 500001, [DESA_A])
    old = await submit(local_bot, 200001, DESA_A, name="Lama Sekali")
    await official.expect_reply()
    clock.set(dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC))
    assert local_bot.services is not None and second.services is not None
    dead = local_bot.services.schedule
    assert await dead.leases.acquire(DIGEST_JOB, dead.today(), dead.holder, clock.now(), dt.timedelta(seconds=6))
    assert await second.services.schedule.take_over() == []  # still within the dead holder's lease
    clock.advance(dt.timedelta(seconds=7))
    assert await second.services.schedule.take_over() == [(DIGEST_JOB, "2026-11-26")]
    assert old.ref in ((await official.expect_reply()).text or "")
    assert await second.services.schedule.take_over() == []
