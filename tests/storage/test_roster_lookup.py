"""The status check's roster read (issue 16): on a SQLite file a plain `sqlite3` point read on the loop's thread,
which must give exactly what the SQLAlchemy read gives (PostgreSQL keeps that one), see each committed import at
once, and fall back to SQLAlchemy when anything is unusual."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.domain.privacy import Vault
from bot.runtime.services import Services, build_services
from bot.runtime.settings import load_settings
from storage import roster_lookup
from storage.db import Database
from tests.support.roster import BUDI, NOW, SITI, import_rows


@pytest.fixture
def services(db: Database, vault: Vault) -> Services:
    settings = load_settings(DATA_KEY=None, DATABASE_URL=db.url, ADMIN_IDS="")
    return build_services(settings, db, vault, FixedClock(NOW))


async def test_both_reads_give_the_same_member(services: Services, tmp_path: Path) -> None:
    repository, vault = services.roster.repository, services.vault
    await import_rows(services, tmp_path, [SITI])
    fast = {row.nik: await repository.find_by_nik_hash(vault.nik_hashes(row.nik)) for row in (SITI, BUDI)}
    assert fast[BUDI.nik] is None  # not imported yet: seen once it is committed, below
    await import_rows(services, tmp_path, [SITI, BUDI], name="second.csv")
    fast = {row.nik: await repository.find_by_nik_hash(vault.nik_hashes(row.nik)) for row in (SITI, BUDI)}
    reader = roster_lookup._readers.get(services.db)
    assert (reader is not None) == (services.db.dialect == "sqlite")  # a file: the plain sqlite3 read is used
    roster_lookup._readers[services.db] = None  # the SQLAlchemy read, as on PostgreSQL
    slow = {row.nik: await repository.find_by_nik_hash(vault.nik_hashes(row.nik)) for row in (SITI, BUDI)}
    assert fast == slow and all(member is not None for member in fast.values())
    assert fast[SITI.nik] is not None and fast[SITI.nik].mulai == SITI.mulai and fast[SITI.nik].removed_on is None
    assert await repository.find_by_nik_hash(vault.nik_hashes("6408010101800009")) is None


async def test_anything_unusual_falls_back_to_sqlalchemy(sqlite_db: Database, vault: Vault, tmp_path: Path) -> None:
    settings = load_settings(DATA_KEY=None, DATABASE_URL=sqlite_db.url, ADMIN_IDS="")
    services = build_services(settings, sqlite_db, vault, FixedClock(NOW))
    await import_rows(services, tmp_path, [SITI])
    repository = services.roster.repository
    assert await repository.find_by_nik_hash(vault.nik_hashes(SITI.nik)) is not None
    reader = roster_lookup._readers[sqlite_db]
    assert reader is not None
    reader.connection.close()  # e.g. a broken file handle: sqlite3 raises, the SQLAlchemy read answers
    assert await repository.find_by_nik_hash(vault.nik_hashes(SITI.nik)) is not None
