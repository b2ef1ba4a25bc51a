"""Roster ↔ requests in storage (SQLite and PostgreSQL): the roster confirms open requests, the owed messages,
an undo reopens them, and the card's cross-check (roster entry, the same NIK from another account)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.clock import FixedClock
from bot.domain.interest import Draft, InterestService
from bot.domain.privacy import Vault
from storage.db import Database
from storage.interest import InterestRepository
from storage.roster import roster_imports, roster_members

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 22)
NIK = "6408014505900001"
OTHER_NIK = "6408011203850002"


async def _member(db: Database, vault: Vault, nik: str, import_id: int, berakhir: dt.date,
                  removed_on: dt.date | None = None) -> None:
    async with db.transaction() as conn:
        if not (await conn.execute(sa.select(roster_imports.c.id).where(roster_imports.c.id == import_id))).first():
            await conn.execute(sa.insert(roster_imports).values(
                id=import_id, imported_by="test", file_name="f.csv", mode="upsert", status="imported",
                created_at=NOW))
        await conn.execute(sa.insert(roster_members).values(
            nik_hash=vault.hash_nik(nik), nik_enc="x", verify_hash="",
            nama_enc=vault.encrypt("Siti Aminah", context="roster_members.nama"),
            kpj_enc=None,
            kode_desa="64.08.01.2001", kode_kecamatan="64.08.01", kode_kabupaten="64.08", program="JKK+JKM",
            sumber_dana="APBD", mulai=dt.date(2026, 1, 1), berakhir=berakhir, import_id=import_id, updated_at=NOW,
            removed_on=removed_on))


async def test_confirm_owed_failed_and_undone(db: Database, vault: Vault) -> None:
    service = InterestService(InterestRepository(db), vault, clock=FixedClock(NOW))
    draft = Draft(name="Siti Aminah", nik=NIK, phone="+6281234567890", desa_code="64.08.01.2001", occupation="ojek")
    mine = (await service.submit(7001, draft, "id")).request
    theirs = (await service.submit(7002, draft, "en")).request  # the same NIK from another account
    ended = (await service.submit(7003, Draft(**{**draft.__dict__, "nik": OTHER_NIK}), "id")).request
    repo = service.repository
    await _member(db, vault, NIK, 5, dt.date(2026, 12, 31))
    await _member(db, vault, OTHER_NIK, 5, dt.date(2025, 12, 31))  # ended: confirms nothing

    found = await repo.get_with_notes(mine.id)
    assert found is not None and found[0].cross is not None
    assert found[0].cross.other_refs == (theirs.ref,) and found[0].cross.roster_berakhir == dt.date(2026, 12, 31)
    assert await repo.confirm_by_roster(4, TODAY, NOW) == []  # another import
    closed = await repo.confirm_by_roster(5, TODAY, NOW, limit=1)
    closed += await repo.confirm_by_roster(5, TODAY, NOW)
    assert sorted(c.ref for c in closed) == sorted([mine.ref, theirs.ref])
    assert await repo.confirm_by_roster(5, TODAY, NOW) == []
    assert (await repo.get(ended.id)).status == "new"  # type: ignore[union-attr]
    assert await repo.plain_reasons(["reason:member"]) == []  # a roster code is not typed text

    owed = await repo.owed_notices()
    assert [n.record.id for n in owed] == sorted([mine.id, theirs.id]) and owed[0].berakhir == dt.date(2026, 12, 31)
    assert await repo.notice_failed(mine.id, max_tries=2) is False
    assert await repo.notice_failed(mine.id, max_tries=2) is True  # given up
    await repo.notice_done(theirs.id)
    assert await repo.owed_notices() == []

    assert sorted(await repo.reopen_undone(5, NOW)) == sorted([mine.ref, theirs.ref])
    again = await repo.get(mine.id)
    assert again is not None and again.status == "new" and again.status_reason is None
    assert await repo.reopen_undone(5, NOW) == []
    assert await service.roster_standing(NIK, "Siti Aminah") == "covered"
    assert await service.roster_standing(NIK, "Budi Santoso") == "none"  # a NIK under another name reveals nothing
    assert await service.roster_standing(OTHER_NIK, "Siti Aminah") == "ended"
    assert await service.roster_standing("6408010101800004", "Siti Aminah") == "none"
