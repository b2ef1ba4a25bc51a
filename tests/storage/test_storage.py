from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.privacy import Vault
from storage.db import Database
from storage.migrate import current_revisions, downgrade_to, head_revisions
from storage.persistence import DatabasePersistence
from storage.users import UserRepository

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


async def test_migrations_reach_head_and_are_idempotent(db: Database) -> None:
    async with db.read() as conn:
        assert await conn.run_sync(current_revisions) == head_revisions()
    assert await db.migrate() == []  # second run: nothing to do
    async with db.read() as conn:
        tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert {"users", "consent_log", "ptb_conversations", "ptb_user_data"} <= set(tables)


async def test_migration_stairway_down_and_up(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.run_sync(lambda c: downgrade_to(c, "base"))
    async with db.read() as conn:
        assert await conn.run_sync(current_revisions) == set()
    assert set(await db.migrate()) == head_revisions() or await db.migrate() == []
    async with db.read() as conn:
        assert await conn.run_sync(current_revisions) == head_revisions()


async def test_user_repository(db: Database) -> None:
    users = UserRepository(db)
    record = await users.touch(42, "en-US", NOW)
    assert record.language is None and record.tg_language_code == "en-US"
    assert record.created_at == NOW
    await users.set_language(42, "id")
    await users.record_consent(42, "v1", "given", NOW)
    await users.set_start_payload(42, "desa_6408012001")
    later = NOW + dt.timedelta(hours=1)
    record = await users.touch(42, "en-US", later)
    assert (record.language, record.consent_status, record.start_payload) == ("id", "given", "desa_6408012001")
    assert record.created_at == NOW and record.last_seen_at == later
    assert [e.decision for e in await users.consent_history(42)] == ["given"]
    await users.mark_blocked(42, later)
    assert (await users.get(42)).blocked_at == later  # type: ignore[union-attr]
    assert (await users.touch(42, None, later)).blocked_at is None  # wrote again: unblocked
    await users.erase(42, "hash", later)
    assert await users.get(42) is None
    assert await users.consent_history(42) == []


async def test_persistence_round_trip_is_encrypted(db: Database, vault: Vault) -> None:
    persistence = DatabasePersistence(db, vault)
    await persistence.update_user_data(7, {"draft": {"nik": "6408014505900001"}})
    await persistence.update_chat_data(7, {"x": 1})
    await persistence.update_bot_data({"jobs": 2})
    await persistence.update_conversation("flow", (7, 7), "ASK_NAME")
    async with db.read() as conn:
        raw = (await conn.execute(sa.text("SELECT data FROM ptb_user_data"))).scalar_one()
    assert "6408014505900001" not in raw
    fresh = DatabasePersistence(db, vault)
    assert await fresh.get_user_data() == {7: {"draft": {"nik": "6408014505900001"}}}
    assert await fresh.get_chat_data() == {7: {"x": 1}}
    assert await fresh.get_bot_data() == {"jobs": 2}
    assert await fresh.get_conversations("flow") == {(7, 7): "ASK_NAME"}
    await fresh.update_conversation("flow", (7, 7), None)
    await fresh.drop_user_data(7)
    assert await fresh.get_conversations("flow") == {}
    assert await fresh.get_user_data() == {}


async def test_touch_writes_only_when_something_changed(db: Database) -> None:
    users = UserRepository(db)
    await users.touch(43, "id", NOW)
    soon = NOW + dt.timedelta(minutes=1)
    assert (await users.touch(43, "id", soon)).last_seen_at == NOW  # nothing new: a read, no write
    assert (await users.touch(43, "en", soon)).last_seen_at == soon  # language changed: written
    later = soon + dt.timedelta(minutes=6)
    assert (await users.touch(43, "en", later)).last_seen_at == later  # last-seen kept to 5 minutes
