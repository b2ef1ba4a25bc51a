"""Interest requests in storage (SQLite and PostgreSQL): encryption, duplicates by NIK, area lists, status."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.clock import FixedClock
from bot.domain.eligibility import Answers, EligibilityService
from bot.domain.i18n import translator
from bot.domain.interest import (
    Draft,
    InterestRequestView,
    InterestService,
    InvalidDraft,
    clean_name,
    clean_phone,
    view,
)
from bot.domain.privacy import Vault
from storage.audit import AuditRepository
from storage.db import Database
from storage.eligibility import EligibilityRepository
from storage.interest import REF_ALPHABET, InterestRepository, interest_requests, normalize_ref

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
NIK = "6408014505900001"  # Kutai Timur, woman born 5 May 1990
DRAFT = Draft(name="Siti Aminah", nik=NIK, phone="+6281234567890", desa_code="64.08.01.2001", occupation="farmer")


async def test_submit_encrypts_and_updates_the_open_request(db: Database, vault: Vault) -> None:
    seen: list[InterestRequestView] = []

    async def hook(request: InterestRequestView) -> None:
        seen.append(request)

    service = InterestService(InterestRepository(db), vault)
    service.subscribe(hook)
    first = await service.submit(100, DRAFT, "id", NOW)
    assert not first.updated and first.request.status == "new"
    assert first.request.ref.startswith("JK-") and len(first.request.ref) == 8
    assert set(first.request.ref[3:]) <= set(REF_ALPHABET)
    assert (first.request.kecamatan_code, first.request.kabupaten_code) == ("64.08.01", "64.08")
    assert first.request.birth_date == dt.date(1990, 5, 5) and not first.request.nik_outside_region
    async with db.read() as conn:
        row = (await conn.execute(sa.select(interest_requests))).one()._mapping
    stored = " ".join(str(v) for v in row.values())
    for secret in (NIK, "Siti", "81234567890", "1990-05-05"):
        assert secret not in stored
    assert row["nik_hash"] == vault.hash_nik(NIK)

    later = NOW + dt.timedelta(days=1)
    second = await service.submit(100, Draft(**{**DRAFT.__dict__, "phone": "+6285212345678",
                                                "desa_code": "64.72.01.1001"}), "id", later)
    assert second.updated and second.request.ref == first.request.ref
    assert second.request.phone == "+6285212345678" and second.request.nik_outside_region
    assert second.request.created_at == NOW and second.request.updated_at == later
    assert [r.ref for r in await service.for_user(100)] == [first.request.ref]
    assert [r.ref for r in seen] == [first.request.ref, first.request.ref]

    # Another Telegram account with the same NIK never touches (or learns about) this request.
    other = await service.submit(200, DRAFT, "id", later)
    assert not other.updated and other.request.ref != first.request.ref
    # A closed request is not reopened: a new one is made.
    repo = service.repository
    await repo.set_status(first.request.id, "registered", None, later)
    third = await service.submit(100, DRAFT, "en", later)
    assert not third.updated and third.request.ref != first.request.ref


async def test_area_lists_status_and_erasure(db: Database, vault: Vault) -> None:
    service = InterestService(InterestRepository(db), vault)
    repo = service.repository
    made = []
    for i, desa in enumerate(["64.08.01.2001", "64.08.01.2002", "64.08.02.2001", "64.02.01.2001"]):
        nik = f"64080145059{i:04d}1"[:16]
        at = NOW + dt.timedelta(minutes=i)
        made.append((await service.submit(300 + i, Draft(**{**DRAFT.__dict__, "nik": nik, "desa_code": desa}),
                                          "id", at)).request)
    assert [r.desa_code for r in await repo.list_for_area("64.08")] == ["64.08.02.2001", "64.08.01.2002",
                                                                       "64.08.01.2001"]
    assert [r.desa_code for r in await repo.list_for_area("64.08.01")] == ["64.08.01.2002", "64.08.01.2001"]
    assert [r.desa_code for r in await repo.list_for_area("64.08.01.2001")] == ["64.08.01.2001"]
    assert [r.desa_code for r in await repo.list_for_area("64.08", limit=1, offset=1)] == ["64.08.01.2002"]
    assert await repo.count_for_area("64.0") == 0  # a prefix is a whole code, not a string prefix

    first_action = NOW + dt.timedelta(hours=2)
    updated = await repo.set_status(made[0].id, "contacted", None, first_action)
    assert updated.status == "contacted" and updated.first_action_at == first_action
    again = await repo.set_status(made[0].id, "not_eligible", "NIK luar daerah", first_action + dt.timedelta(hours=1))
    assert again.first_action_at == first_action and again.status_reason == "NIK luar daerah"
    assert [r.id for r in await repo.list_for_area("64.08", statuses=["new"])] == [made[2].id, made[1].id]
    assert await repo.count_for_area("64.08", statuses=["not_eligible"]) == 1
    with pytest.raises(ValueError):
        await repo.set_status(made[0].id, "done", None, NOW)

    found = await repo.get_by_ref(made[1].ref.lower().replace("-", " "))
    assert found is not None and view(vault, found).name == "Siti Aminah"
    assert await repo.erase_user(301) == 1
    assert await repo.get_by_ref(made[1].ref) is None and await repo.list_for_user(301) == []
    assert len(await repo.list_for_area("64")) == 3


async def test_eligibility_results_keep_no_personal_link_after_erasure(db: Database) -> None:
    repo = EligibilityRepository(db)
    await repo.record(user_id=7, kabupaten_code="64.08", kecamatan_code="64.08.01", outcome="likely",
                      occupation="ojek", income_range="lt1", now=NOW)
    assert [(r.outcome, r.created_at) for r in await repo.list_for_user(7)] == [("likely", NOW)]
    await repo.forget_user(7)
    assert await repo.list_for_user(7) == []


async def test_eligibility_service_records_the_screening_and_forgets_the_user(db: Database) -> None:
    repo = EligibilityRepository(db)
    service = EligibilityService(repo, FixedClock(NOW), ZoneInfo("Asia/Makassar"))
    screening = await service.screen(7, Answers(kabupaten_code="64.08", kecamatan_code="64.08.01", occupation="ojek",
                                                income="lt1", member="no"))
    assert screening.result.outcome == "likely" and screening.bpu.basic_total > 0
    assert [(r.kabupaten_code, r.outcome, r.income_range, r.created_at) for r in await repo.list_for_user(7)] == [
        ("64.08", "likely", "lt1", NOW)]
    assert await service.describe(7, translator("id")) == []
    await service.erase(7)
    assert await repo.list_for_user(7) == []
    assert service.home_kabupaten("64.08") is not None and service.home_kabupaten("32.04") is None
    assert service.home_kabupaten("64.08.01") is None and service.age_range("1990") == (35, 36)


async def test_interest_service_subscribe_erase_and_describe(db: Database, vault: Vault) -> None:
    seen: list[str] = []

    async def hook(request: InterestRequestView) -> None:
        seen.append(request.ref)

    service = InterestService(InterestRepository(db), vault, clock=FixedClock(NOW))
    service.subscribe(hook)
    service.subscribe(hook)  # idempotent: a restart registering again keeps one
    submitted = await service.submit(100, DRAFT, "id")
    assert seen == [submitted.request.ref] and submitted.request.created_at == NOW
    lines = await service.describe(100, translator("en"))
    text = "\n".join(lines)
    assert f"Interest request {submitted.request.ref}</b> (waiting for the desa)" in text
    assert "Name: Siti Aminah" in text and "NIK: 6408********0001" in text and NIK not in text
    assert "Phone: 0812****7890" in text and "Birth date: **/**/1990" in text and "Desa: Senyiur" in text
    await service.erase(100)
    assert await service.for_user(100) == [] and await service.describe(100, translator("en")) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("  Siti   Aminah ", ("Siti Aminah", None)), ("Ni Luh Putu Ayu-Dewi", ("Ni Luh Putu Ayu-Dewi", None)),
    ("Muh. Ja'far", ("Muh. Ja'far", None)), ("", (None, "empty")), ("A" * 5000, (None, "too_long")),
    ("Siti 😀", (None, "characters")), ("Budi123", (None, "characters")), ("-", (None, "too_short")),
])
def test_names(text: str, expected: tuple[str | None, str | None]) -> None:
    assert clean_name(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"), ("12345", None),
    ("08123", None), ("nomor saya", None),
])
def test_phones(text: str, expected: str | None) -> None:
    assert clean_phone(text) == expected


def test_refs_are_normalized() -> None:
    assert normalize_ref("jk 7f3q2") == "JK-7F3Q2" == normalize_ref("7F3Q2")


async def test_worker_edit_and_withdraw_commit_with_their_audit_entry(db: Database, vault: Vault) -> None:
    """The worker's change and withdrawal: only their own open request, written with the audit entry in one
    transaction; a NIK already in another open request of theirs is refused; erasure anonymises the entries."""
    service = InterestService(InterestRepository(db), vault, clock=FixedClock(NOW))
    request = (await service.submit(100, DRAFT, "id")).request
    other_nik = "6408011203850002"
    other = (await service.submit(100, Draft(**{**DRAFT.__dict__, "nik": other_nik}), "id")).request
    assert (await service.edit(200, request.id, "phone", "0852 1234 5678")).outcome == "closed"  # not theirs
    with pytest.raises(InvalidDraft):
        await service.edit(100, request.id, "phone", "rahasia")
    edited = await service.edit(100, request.id, "phone", "0852 1234 5678")
    assert edited.outcome == "saved" and edited.request is not None
    assert edited.request.phone == "+6285212345678" and edited.request.worker_changed_at == NOW
    assert (await service.edit(100, request.id, "nik", other_nik)).outcome == "duplicate"
    moved = await service.edit(100, request.id, "desa", "64.08.02.2001")
    assert moved.request is not None and moved.request.kecamatan_code == "64.08.02"
    withdrawn = await service.withdraw(100, other.id)
    assert withdrawn.outcome == "saved" and withdrawn.request is not None and withdrawn.request.status == "withdrawn"
    assert (await service.withdraw(100, other.id)).outcome == "closed"
    assert (await service.edit(100, other.id, "name", "Budi Santoso")).outcome == "closed"
    audit = AuditRepository(db)
    entries = await audit.all()
    assert [(e.action, e.actor_id, e.detail) for e in entries] == [
        ("worker_edit", 100, "phone"), ("worker_edit", 100, "desa 64.08.01.2001→64.08.02.2001"),
        ("withdraw", 100, "new→withdrawn")]
    assert "5678" not in repr(entries)
    again = await service.submit(100, Draft(**{**DRAFT.__dict__, "nik": other_nik}), "id")
    assert not again.updated and again.request.id != other.id  # a withdrawn request is not reopened
    await service.erase(100)
    assert {e.actor_id for e in await audit.all()} == {0}
