"""`jagakerja backup PATH`: SQLite's online backup while the bot writes, restored to an equal database;
PostgreSQL answered with the pg_dump command (without the password)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.runtime.cli import main
from bot.runtime.ops_cli import run_backup
from bot.runtime.settings import load_settings
from storage.audit import audit_log
from storage.backup import BackupError, backup_sqlite, pg_dump_command
from storage.db import Database, open_database
from storage.schema import users

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in order: two databases with the same dump hold the same data."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


async def _database(path: Path, users_count: int = 300) -> Database:
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    async with db.transaction() as conn:
        await conn.execute(sa.insert(users), [{"id": i, "language": "id", "created_at": NOW, "last_seen_at": NOW}
                                              for i in range(1, users_count + 1)])
    return db


async def _write_pairs(db: Database, stop: asyncio.Event, written: list[int]) -> None:
    """The bot at work: two audit entries per transaction, until told to stop."""
    while not stop.is_set():
        async with db.transaction() as conn:
            for _ in range(2):
                await conn.execute(sa.insert(audit_log).values(at=NOW, actor_id=len(written), action="export"))
        written.append(1)
        await asyncio.sleep(0)


async def test_backup_while_writing_is_consistent_and_restores_equal(tmp_path: Path) -> None:
    source, copy, quiet = tmp_path / "bot.db", tmp_path / "backups" / "copy.db", tmp_path / "quiet.db"
    db = await _database(source)
    stop, written = asyncio.Event(), []
    writer = asyncio.create_task(_write_pairs(db, stop, written))
    try:
        # A write transaction left open across the backup (another process's): it neither blocks the copy nor
        # appears in it.
        other = sqlite3.connect(source, timeout=30, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO users (id, language, created_at, last_seen_at) VALUES (999999, 'id', ?, ?)",
                      (NOW.isoformat(), NOW.isoformat()))
        report = await asyncio.to_thread(backup_sqlite, source, copy)
        other.execute("COMMIT")
        other.close()
    finally:
        stop.set()
        await writer
    assert report.integrity == "ok" and report.size == copy.stat().st_size > 0
    assert report.counts["users"] == 300 and report.counts["alembic_version"] >= 1
    assert not list(copy.parent.glob(".*tmp*")) and not Path(f"{copy}-wal").exists()  # one self-contained file

    backed_up, live = _dump(copy), _dump(source)
    assert (999999,) not in [r[:1] for r in backed_up["users"]] and (999999,) in [r[:1] for r in live["users"]]
    entries = backed_up["audit_log"]
    assert len(entries) % 2 == 0  # whole transactions only
    assert entries == live["audit_log"][: len(entries)]  # the database as of one moment
    for table in set(live) - {"audit_log", "users"}:
        assert backed_up[table] == live[table], table

    # Restore: the copy opens as the bot's database (migrations at head, nothing to apply) with the same data.
    await asyncio.to_thread(backup_sqlite, source, quiet)  # nothing writes now: equal to the source
    await db.close()
    assert _dump(quiet) == _dump(source)
    restored = tmp_path / "restored.db"
    restored.write_bytes(copy.read_bytes())
    again = Database(f"sqlite+aiosqlite:///{restored}")
    try:
        assert await again.migrate() == []
        async with again.read() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(audit_log))).scalar() == len(entries)
    finally:
        await again.close()


def test_backup_refuses_to_overwrite_the_database_and_a_missing_source(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no such database"):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "copy.db")
    sqlite3.connect(tmp_path / "bot.db").close()
    with pytest.raises(BackupError, match="cannot replace"):
        backup_sqlite(tmp_path / "bot.db", tmp_path / "bot.db")
    assert not (tmp_path / "copy.db").exists()


def test_the_command_prints_size_and_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_database(tmp_path / "bot.db", users_count=5)).engine.sync_engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert main(["backup", str(tmp_path / "copy.db")]) == 0
    out = capsys.readouterr().out
    assert "backup written:" in out and "integrity check: ok" in out
    assert "users" in out and " 5 rows" in out


def test_postgresql_is_told_to_use_pg_dump(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+asyncpg://bot:hunter2@db.example:5433/jagakerja"
    settings = load_settings(DATABASE_URL=url)
    assert run_backup(settings, Path("/backups/jk.dump")) == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom --file=/backups/jk.dump 'postgresql://bot@db.example:5433/jagakerja'" in err
    assert "hunter2" not in err and "PGPASSWORD" in err
    assert pg_dump_command("postgresql+asyncpg://postgres@127.0.0.1/test", "x") == \
        "pg_dump --format=custom --file=x 'postgresql://postgres@127.0.0.1/test'"
