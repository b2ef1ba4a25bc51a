"""`jagakerja rotate-key`: every sealed value re-encrypted and every NIK re-hashed under the new DATA_KEY, in
batches, resumable, verified; lookups by NIK work before, during (half-rotated) and after (SQLite and
PostgreSQL through the `db` fixture)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.clock import FixedClock
from bot.domain.interest import Draft, InterestService
from bot.domain.key_rotation import SEALED_TABLES, KeyRotation, rotation_vaults
from bot.domain.nik import Nik
from bot.domain.privacy import DecryptionError, Vault, generate_key
from bot.domain.roles import Actor
from bot.domain.roster import RosterService
from bot.domain.roster_files import SampleRow, sample_rows, write_sample_csv
from bot.domain.status_check import Answer, StatusService
from bot.runtime.ops_cli import rotate_key
from bot.runtime.services import build_services
from bot.runtime.settings import SettingsError, load_settings
from storage.db import Database, open_database
from storage.interest import InterestRepository, interest_requests
from storage.roster import RosterRepository, roster_members
from storage.rotation import RotationRepository, RowUpdate
from storage.schema import metadata, ptb_user_data
from storage.status_checks import StatusCheckRepository

WITA = ZoneInfo("Asia/Makassar")
NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
TODAY = NOW.astimezone(WITA).date()
ADMIN = Actor(1, "admin")
ROWS = 23  # batches of 5: the half-rotated state has rotated and unrotated rows side by side


async def _fill(db: Database, vault: Vault, tmp_path: Path, rows: int = ROWS) -> list[SampleRow]:
    """A roster, interest requests for some of its people, and a conversation's user data, all under `vault`."""
    people = list(sample_rows(rows))
    path = tmp_path / "roster.csv"
    write_sample_csv(path, people)
    result = await RosterService(RosterRepository(db), vault, FixedClock(NOW), WITA).import_file(
        path, file_name=path.name, imported_by="test", now=NOW)
    assert result.status == "imported", result.errors[:3]
    interest = InterestService(InterestRepository(db), vault)
    for index, person in enumerate(people[:7]):
        draft = Draft(name="Orang Lain", nik=person.nik, phone=f"+62812345678{index:02d}", desa_code=person.kode_desa,
                      occupation="farmer", note="catatan")
        await interest.submit(1000 + index, draft, "id", NOW)
    async with db.transaction() as conn:
        await conn.execute(sa.insert(ptb_user_data), [
            {"user_id": 1000 + i, "data": vault.encrypt_json({"draft": {"nik": p.nik}}, context="user_data")}
            for i, p in enumerate(people[:3])])
    return people


async def _all_found(db: Database, vault: Vault, people: list[SampleRow]) -> bool:
    """Every status lookup (NIK hash + the name, decrypted) and every open request lookup by NIK succeeds."""
    status = StatusService(RosterRepository(db), StatusCheckRepository(db), vault, FixedClock(NOW), 5, WITA)
    for person in people:
        if await status.lookup(Nik.parse(person.nik, TODAY), Answer("name", person.nama)) is None:
            return False
    interest = InterestService(InterestRepository(db), vault)
    for person in people[:7]:
        if not (await interest.open_duplicate(ADMIN, person.nik))[0]:
            return False
    return all([await interest.roster_standing(p.nik, p.nama) != "none" for p in people[7:10]])


async def _roster_nik_hashes(db: Database) -> set[str]:
    async with db.read() as conn:
        return set((await conn.execute(sa.select(roster_members.c.nik_hash))).scalars())


async def test_rotation_half_done_resumed_and_verified(db: Database, tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    people = await _fill(db, Vault(old), tmp_path)
    assert await _all_found(db, Vault(old), people)  # before

    vault, verifier = rotation_vaults(new, (old,))
    rotation = KeyRotation(RotationRepository(db), vault, batch=5)
    roster_table = next(t for t in SEALED_TABLES if t.name == "roster_members")
    half = await rotation.rotate_table(roster_table, max_batches=2)  # "interrupted" after 10 rows
    assert (half.before, half.written, half.left) == (ROWS, 10, ROWS - 10)
    hashes = await _roster_nik_hashes(db)
    assert any(h == Vault(new).hash_nik(p.nik) for p in people for h in hashes)
    assert any(h == Vault(old).hash_nik(p.nik) for p in people for h in hashes)
    assert await _all_found(db, vault, people)  # during: the bot runs with DATA_KEY=new, DATA_KEY_OLD=old

    reports = await rotation.rotate()  # resumed: only what is left
    by_name = {r.name: r for r in reports}
    assert by_name["roster_members"].before == ROWS - 10 and by_name["roster_members"].left == 0
    assert by_name["interest_requests"].written == 7 and by_name["ptb_user_data"].written == 3
    assert all(r.left == 0 and not r.undecryptable and not r.conflicts for r in reports)

    checked = {r.name: r for r in await rotation.verify(verifier)}
    assert checked["roster_members"].checked == ROWS and checked["interest_requests"].checked == 7
    assert all(r.unreadable == 0 for r in checked.values())
    assert await _all_found(db, Vault(new), people)  # after, with the new key alone
    assert not await _all_found(db, Vault(old), people)  # the old key opens nothing any more
    async with db.read() as conn:
        token = (await conn.execute(sa.select(interest_requests.c.phone_enc).limit(1))).scalar_one()
    with pytest.raises(DecryptionError):
        Vault(old).decrypt(token, context="interest_requests.phone")
    assert (await rotation.rotate_table(roster_table)).before == 0  # nothing left: a rerun is a no-op


async def test_a_row_changed_by_the_bot_meanwhile_is_not_overwritten(db: Database, tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    await _fill(db, Vault(old), tmp_path, rows=3)
    vault = Vault(new, (old,))
    repository = RotationRepository(db)
    async with db.read() as conn:
        row = (await conn.execute(sa.select(interest_requests.c.id, interest_requests.c.phone_enc).limit(1))).one()
    stale = RowUpdate(row.id, {"phone_enc": row.phone_enc},
                      {"phone_enc": vault.encrypt("+6280000000000", context="interest_requests.phone")})
    fresh = vault.encrypt("+6281111111111", context="interest_requests.phone")
    async with db.transaction() as conn:  # the worker edits the phone (the bot writes with the new key)
        await conn.execute(sa.update(interest_requests).where(interest_requests.c.id == row.id)
                           .values(phone_enc=fresh))
    await repository.write("interest_requests", "id", [stale])
    async with db.read() as conn:
        stored = (await conn.execute(sa.select(interest_requests.c.phone_enc)
                                     .where(interest_requests.c.id == row.id))).scalar_one()
    assert vault.decrypt(stored, context="interest_requests.phone") == "+6281111111111"


async def test_the_command_rotates_and_verifies(tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    db = await open_database(url)
    try:
        people = await _fill(db, Vault(old), tmp_path, rows=8)
    finally:
        await db.close()
    out = io.StringIO()
    settings = load_settings(DATABASE_URL=url, DATA_KEY=new, DATA_KEY_OLD=old)
    assert await rotate_key(settings, batch=3, out=out) == 0, out.getvalue()
    text = out.getvalue()
    assert f"rotating to key {Vault(new).key_id} (old key: {Vault(old).key_id})" in text
    assert "roster_members" in text and "8 rows read back, 0 unreadable" in text and "remove DATA_KEY_OLD" in text
    for person in people:
        assert person.nik not in text and person.nama not in text
    verify = io.StringIO()
    assert await rotate_key(load_settings(DATABASE_URL=url, DATA_KEY=new), verify_only=True, out=verify) == 0
    wrong = io.StringIO()
    assert await rotate_key(load_settings(DATABASE_URL=url, DATA_KEY=old), verify_only=True, out=wrong) == 1
    assert "NOT DONE" in wrong.getvalue()


def test_every_encrypted_column_is_rotated() -> None:
    """A new `*_enc` column must be added to SEALED_TABLES, or rotate-key would leave it on the old key."""
    known = {(t.name, c) for t in SEALED_TABLES for c in t.columns}
    encrypted = {(t.name, c.name) for t in metadata.tables.values() for c in t.columns if c.name.endswith("_enc")}
    assert encrypted <= known, sorted(encrypted - known)


def test_vault_reads_tokens_of_either_key_and_names_the_key() -> None:
    old, new = generate_key(), generate_key()
    legacy = "v1:" + Vault(old).encrypt("Siti", context="c").split(":", 2)[2]  # the format before key ids
    token = Vault(old).encrypt("Siti", context="c")
    rotating = Vault(new, (old,))
    assert rotating.decrypt(token, context="c") == "Siti" == rotating.decrypt(legacy, context="c")
    assert not rotating.on_current_key(token) and rotating.on_current_key(rotating.encrypt("x", context="c"))
    assert rotating.lookup_hashes("nik", "1") == [Vault(new).lookup_hash("nik", "1"),
                                                  Vault(old).lookup_hash("nik", "1")]
    with pytest.raises(DecryptionError, match="DATA_KEY_OLD"):
        Vault(new).decrypt(token, context="c")


async def test_an_invite_made_before_the_rotation_works_while_the_old_key_is_set(sqlite_db: Database) -> None:
    old, new = generate_key(), generate_key()
    settings = load_settings(DATA_KEY=new, ADMIN_IDS="1")
    before = build_services(settings, sqlite_db, Vault(old), FixedClock(NOW)).officials
    created = await before.create_invite(ADMIN, "official", ["64.08.01"])
    rotating = build_services(settings, sqlite_db, Vault(new, (old,)), FixedClock(NOW)).officials
    assert await rotating.find_invite(created.code) is not None
    assert await build_services(settings, sqlite_db, Vault(new), FixedClock(NOW)).officials.find_invite(
        created.code) is None  # once DATA_KEY_OLD is gone (an invite lasts 7 days)
    official = await rotating.accept_invite(created.code, 4242, "Pak Lurah")
    assert official is not None and rotating.name(official) == "Pak Lurah"
    fresh = await rotating.create_invite(ADMIN, "official", ["64.08.01"])
    assert await build_services(settings, sqlite_db, Vault(new), FixedClock(NOW)).officials.find_invite(fresh.code)


def test_data_key_old_is_checked_like_data_key() -> None:
    key = generate_key()
    assert load_settings(DATA_KEY=generate_key(), DATA_KEY_OLD=key).old_data_keys() == (key,)
    assert load_settings(DATA_KEY=key).old_data_keys() == ()
    with pytest.raises(SettingsError, match="DATA_KEY_OLD"):
        load_settings(DATA_KEY=key, DATA_KEY_OLD="not-a-key")


async def test_todays_status_counters_under_the_old_key_still_count(sqlite_db: Database, tmp_path: Path) -> None:
    """The daily quota (per user) and the failed answers (per NIK) cannot be re-keyed (the Telegram id and the
    NIK behind them are not kept): while DATA_KEY_OLD is set, the old key's counts of today still apply."""
    old, new = generate_key(), generate_key()
    person = (await _fill(sqlite_db, Vault(old), tmp_path, rows=1))[0]

    def service(vault: Vault) -> StatusService:
        return StatusService(RosterRepository(sqlite_db), StatusCheckRepository(sqlite_db), vault, FixedClock(NOW),
                             5, WITA)

    before, rotating = service(Vault(old)), service(Vault(new, (old,)))
    nik = Nik.parse(person.nik, TODAY)
    for _ in range(3):  # three wrong answers: the NIK is locked for today
        assert (await before.check(7, nik, Answer("name", "Orang Lain Sekali"))).outcome == "not_found"
    assert await rotating.remaining(7) == 2
    assert (await rotating.check(8, nik, Answer("name", person.nama))).outcome == "not_found"  # still locked
    for _ in range(2):
        await rotating.check(7, nik, Answer("name", person.nama))
    assert await rotating.remaining(7) == 0
    assert (await rotating.check(7, nik, Answer("name", person.nama))).outcome == "limited"
    assert await service(Vault(new)).remaining(7) == 3  # without DATA_KEY_OLD only the new key's 2 count


async def test_a_person_imported_again_during_the_rotation_is_reported_not_lost(sqlite_db: Database,
                                                                                  tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    person = (await _fill(sqlite_db, Vault(old), tmp_path, rows=2))[0]
    async with sqlite_db.transaction() as conn:  # an import under the new key listed them again meanwhile
        row = dict((await conn.execute(sa.select(roster_members).where(
            roster_members.c.nik_hash == Vault(old).hash_nik(person.nik)))).one()._mapping)
        row.pop("id")
        row.update(nik_hash=Vault(new).hash_nik(person.nik),
                   nik_enc=Vault(new).encrypt(person.nik, context="roster_members.nik"),
                   nama_enc=Vault(new).encrypt(person.nama, context="roster_members.nama"),
                   kpj_enc=None)
        await conn.execute(sa.insert(roster_members).values(**row))
    rotation = KeyRotation(RotationRepository(sqlite_db), Vault(new, (old,)), batch=10)
    roster_table = next(t for t in SEALED_TABLES if t.name == "roster_members")
    report = await rotation.rotate_table(roster_table)
    assert len(report.conflicts) == 1 and report.left == 1  # the other person was rotated
    checked = await rotation.verify(Vault(new), (roster_table,), [report])
    assert checked[0].unreadable == 1 and checked[0].checked == 3
