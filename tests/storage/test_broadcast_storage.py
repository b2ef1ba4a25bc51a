"""Broadcast storage on SQLite and PostgreSQL: audiences, claiming, the crash-recovery rule, schedule queries."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.audience import Audience, AudienceError, AudienceResolver
from bot.domain.broadcast import parse_when
from bot.runtime.settings import load_settings
from storage.broadcasts import BroadcastRepository, Delivery
from storage.db import Database
from storage.users import UserRepository

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


async def people(db: Database) -> None:
    users = UserRepository(db)
    rows = [(1, "id", None, "64.08.01.2001"), (2, None, "en-US", "64.08.01"), (3, None, "fr", "64.08.02"),
            (4, "en", "id", "64.02"), (5, None, None, None), (6, "id", None, "64.08.01.2002")]
    for uid, language, tg_code, region_code in rows:
        await users.touch(uid, tg_code, NOW)
        if language:
            await users.set_language(uid, language)
        if region_code:
            await users.set_region(uid, region_code)
    await users.mark_blocked(6, NOW)


async def test_audiences(db: Database) -> None:
    await people(db)
    repo = BroadcastRepository(db)

    async def officials() -> set[int]:
        return {2, 3}

    async def admins() -> set[int]:
        return {5}

    resolver = AudienceResolver(repo, default_language="id", official_ids=officials, admin_ids=admins)
    assert await resolver.recipients(Audience("everyone")) == [1, 2, 3, 4, 5]  # 6 blocked the bot
    assert await resolver.recipients(Audience("workers")) == [1, 4]
    assert await resolver.recipients(Audience("officials")) == [2, 3]
    assert await resolver.recipients(Audience("kabupaten", "64.08")) == [1, 2, 3]
    assert await resolver.recipients(Audience("kecamatan", "64.08.01")) == [1, 2]
    assert await resolver.recipients(Audience("desa", "64.08.01.2001")) == [1]
    # language: stored choice → Telegram language_code → default (fr falls back to id)
    assert await resolver.recipients(Audience("language", "en")) == [2, 4]
    assert await resolver.recipients(Audience("language", "id")) == [1, 3, 5]


def test_audience_validation() -> None:
    for kind, value in [("kecamatan", "64.08"), ("desa", "64.08.01"), ("language", "fr"), ("nobody", None),
                        ("everyone", "64")]:
        with pytest.raises(AudienceError):
            Audience(kind, value)


async def test_claim_record_and_the_crash_rule(db: Database) -> None:
    repo = BroadcastRepository(db)
    job = await repo.create(created_by=9, kind="text", body="hi", photo_file_id=None, audience_kind="everyone",
                            audience_value=None, state="scheduled", scheduled_at=NOW, now=NOW)
    assert await repo.start(job, [5, 3, 1, 4, 2], NOW)
    assert not await repo.start(job, [7], NOW)  # a job starts once
    assert await repo.claim(job, 2, NOW) == [1, 2]
    await repo.record(job, [Delivery(1, "sent", message_id=11)], NOW)
    assert await repo.claim(job, 1, NOW) == [3]
    await repo.mark(job, 3, "retry", NOW, from_state="sending", error="429")
    # the sender dies: 2 was `sending` (may have arrived), 3 was waiting to retry (answered "not sent")
    assert await repo.recover(job, NOW) == (1, 1)
    states = await repo.recipient_states(job)
    assert states == {1: "sent", 2: "unknown", 3: "pending", 4: "pending", 5: "pending"}
    assert await repo.claim(job, 10, NOW) == [3, 4, 5]  # the unknown one is never claimed again
    await repo.record(job, [Delivery(3, "sent", message_id=1), Delivery(4, "blocked"), Delivery(5, "failed",
                                                                                                  error="400")], NOW)
    counts = await repo.counts(job)
    summary = tuple(counts[s] for s in ("sent", "unknown", "blocked", "failed", "pending"))
    assert summary == (2, 1, 1, 1, 0)
    assert await repo.attempts(job, 3) == 2
    await repo.forget_user(4)
    assert 4 not in await repo.recipient_states(job)


async def test_due_jobs(db: Database) -> None:
    repo = BroadcastRepository(db)
    later = await repo.create(created_by=9, kind="text", body="a", photo_file_id=None, audience_kind="everyone",
                              audience_value=None, state="scheduled", scheduled_at=NOW + dt.timedelta(hours=1), now=NOW)
    due = await repo.create(created_by=9, kind="text", body="b", photo_file_id=None, audience_kind="everyone",
                            audience_value=None, state="scheduled", scheduled_at=NOW, now=NOW)
    assert await repo.due(NOW) == [due]
    assert await repo.due(NOW + dt.timedelta(hours=1)) == [due, later]


@pytest.mark.parametrize(("text", "expected"), [
    ("25/11/2026 08:00", "2026-11-25 08:00"), ("25-11 8.30", "2026-11-25 08:30"), ("besok 07:00", "2026-11-23 07:00"),
    ("14:00", "2026-11-22 14:00"), ("08:00", "2026-11-23 08:00"), ("jam 10.15 WITA", "2026-11-22 10:15"),
    ("1/1 09:00", "2027-01-01 09:00"), ("31/2 09:00", None), ("25:00", None), ("nanti sore", None),
])
def test_parse_when(text: str, expected: str | None) -> None:
    tz = load_settings().tz
    found = parse_when(text, NOW, tz)  # now: 22 Nov 2026 09:00 WITA
    assert (found.astimezone(tz).strftime("%Y-%m-%d %H:%M") if found else None) == expected
