"""/statistik: numbers per area from the features' own repositories, charts as valid PNG, role and area checks."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from PIL import Image

from bot.domain.audit import AuditService
from bot.domain.clock import FixedClock
from bot.domain.coverage import CoverageService, CoverageTarget, load_targets
from bot.domain.statistics import StatisticsService
from bot.testing.runtime import LocalBot
from storage.audit import AuditRepository
from storage.db import Database
from storage.eligibility import EligibilityRepository
from storage.interest import EncryptedFields, InterestRepository
from storage.roster import RosterRepository, roster_members
from storage.statistics import CoverageTargetRepository, StatisticsRepository
from storage.status_checks import StatusCheckRepository
from storage.users import UserRepository
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)  # Sunday 09:00 WITA
MUARA_ANCALONG, MUARA_WAHAU = "64.08.01", "64.08.02"
DESA = MUARA_ANCALONG + ".2001"


async def seed(db: Database) -> None:
    """Two kecamatan of Kutai Timur: users, status checks, eligibility results, interest requests, roster."""
    users = UserRepository(db)
    for uid, code in [(1, DESA), (2, MUARA_ANCALONG), (3, MUARA_WAHAU), (4, None)]:
        await users.touch(uid, "id", NOW - dt.timedelta(days=40 if uid == 4 else 1))
        if code:
            await users.set_region(uid, code)
    checks = StatusCheckRepository(db)
    await checks.record(1, "protected", NOW - dt.timedelta(days=2))
    await checks.record(2, "inactive", NOW - dt.timedelta(days=9))
    await checks.record(3, "not_found", NOW - dt.timedelta(days=1))
    eligibility = EligibilityRepository(db)
    for kec, outcome in [(MUARA_ANCALONG, "likely"), (MUARA_ANCALONG, "needs_verification"),
                         (MUARA_WAHAU, "not_eligible")]:
        await eligibility.record(user_id=None, kabupaten_code="64.08", kecamatan_code=kec, outcome=outcome,
                                 occupation=None, income_range=None, now=NOW)
    interest = InterestRepository(db)
    plans = [(1, DESA, "registered", 4), (2, MUARA_ANCALONG + ".2002", "contacted", 10),
             (3, MUARA_WAHAU + ".2001", "new", None), (5, DESA, "contacted", 30)]
    for n, (uid, desa, status, hours) in enumerate(plans):
        created = NOW - dt.timedelta(days=3 + n)
        saved = await interest.create_or_update_open(
            user_id=uid, fields=EncryptedFields(f"h{n}", "x", "x", "x", "x", None), desa_code=desa,
            kecamatan_code=".".join(desa.split(".")[:3]), kabupaten_code="64.08", occupation="ojek",
            language="id", nik_outside_region=False, now=created)
        if hours is not None:
            await interest.set_status(saved.record.id, status, None, created + dt.timedelta(hours=hours))
    async with db.transaction() as conn:
        await conn.execute(sa.insert(roster_members), [
            {"nik_hash": f"r{i}", "nik_enc": "x", "verify_hash": f"v{i}", "nama_enc": "x", "kode_desa": DESA,
             "kode_kecamatan": MUARA_ANCALONG, "kode_kabupaten": "64.08", "program": "JKK-JKM", "sumber_dana": "APBD",
             "mulai": dt.date(2026, 1, 1), "berakhir": dt.date(2026, 12, 31), "import_id": 1, "updated_at": NOW}
            for i in range(3)
        ] + [  # ended: not counted in coverage (issue 12: the Paritrana Award counts active members only)
            {"nik_hash": f"old{i}", "nik_enc": "x", "verify_hash": f"w{i}", "nama_enc": "x", "kode_desa": DESA,
             "kode_kecamatan": MUARA_ANCALONG, "kode_kabupaten": "64.08", "program": "JKK-JKM", "sumber_dana": "APBD",
             "mulai": start, "berakhir": end, "import_id": 1, "updated_at": NOW}
            for i, (start, end) in enumerate([(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
                                              (dt.date(2027, 1, 1), dt.date(2027, 12, 31))])
        ])


async def no_areas(user_id: int) -> list[str]:
    return []


async def test_statistics_per_scope(db: Database) -> None:
    await seed(db)
    targets = [CoverageTarget(region="64.08", name="Kutai Timur", target=160000, source="test",
                              valid_from=dt.date(2025, 11, 1))]
    wita = ZoneInfo("Asia/Makassar")
    clock = FixedClock(NOW)
    coverage = CoverageService(StatisticsRepository(db), CoverageTargetRepository(db),
                               AuditService(AuditRepository(db), clock), no_areas, clock, wita, targets)
    service = StatisticsService(StatisticsRepository(db), RosterRepository(db).count_by_area, no_areas,
                                clock, wita, coverage.report)
    everything = await service.for_scope(None)
    assert everything.users == 4 and everything.users_active_30d == 3
    assert everything.status_outcomes == {"protected": 1, "inactive": 1, "not_found": 1}
    assert everything.eligibility_outcomes == {"likely": 1, "needs_verification": 1, "not_eligible": 1}
    assert everything.requests_by_area == {MUARA_ANCALONG: {"registered": 1, "contacted": 2},
                                           MUARA_WAHAU: {"new": 1}}
    assert everything.funnel == {"received": 4, "followed_up": 3, "registered": 1}
    assert everything.median_follow_up_hours == 10  # 4 h, 10 h, 30 h
    assert everything.roster == 3  # ended and future members are not counted (the Paritrana Award's measure)
    assert everything.coverage is not None and everything.coverage.area.active == 3
    kutim = everything.coverage.parts[0]
    assert (kutim.code, kutim.active, kutim.target and kutim.target.value) == ("64.08", 3, 160000)
    assert everything.weekly_requests[-1] == 4 and sum(everything.weekly_requests) == 4  # week of Mon 16 Nov
    assert everything.weekly_checks[-1] == 2 and everything.weekly_checks[-2] == 1

    kecamatan = await service.for_scope(MUARA_ANCALONG)
    assert kecamatan.users == 2
    assert kecamatan.status_outcomes == {"protected": 1, "inactive": 1}
    assert kecamatan.eligibility_outcomes == {"likely": 1, "needs_verification": 1}
    assert kecamatan.requests_by_area == {DESA: {"registered": 1, "contacted": 1},
                                          MUARA_ANCALONG + ".2002": {"contacted": 1}}
    assert kecamatan.roster == 3 and kecamatan.coverage is not None
    assert kecamatan.coverage.area.active == 3 and kecamatan.coverage.area.target is None  # only the kabupaten has one
    assert kecamatan.coverage.parts[0].code == DESA and kecamatan.coverage.parts[0].part == 1.0

    other = await service.for_scope(MUARA_WAHAU)
    assert other.requests_total == 1 and other.roster == 0 and other.median_follow_up_hours is None


def test_coverage_targets_file_loads() -> None:
    targets = load_targets()
    assert any(t.region == "64.08" and t.target == 160000 for t in targets)  # Kutim's target (facts: [ok])


def _is_png(data: bytes | None) -> tuple[int, int]:
    assert data is not None and data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


async def test_admin_gets_numbers_and_three_png_charts(local_bot: LocalBot) -> None:
    assert local_bot.db is not None
    await seed(local_bot.db)
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await onboard(local_bot, admin, language="English")
    await admin.send("/statistik")
    text = (await admin.expect_reply()).text or ""
    assert "Statistics: all areas" in text
    assert "Status checks: 3 — protected 1 · inactive 1 · not found 1" in text
    assert "Interest requests: 4" in text and "Muara Ancalong: 3 (registered 1 · contacted 2)" in text
    assert "Median time to first follow-up: 10 hours" in text
    assert "Kutai Timur: 3 of target 160,000 (0.0%)" in text
    photos = await admin.expect_replies(5)
    assert [p.kind for p in photos] == ["photo"] * 5
    assert photos[0].text == "Interest requests per kecamatan" and photos[1].text == "From request to registration"
    for photo in photos:
        assert _is_png(photo.file_bytes) == (800, 500)

    await admin.send("/statistik 64.08.01")
    text = (await admin.expect_reply()).text or ""
    assert "Statistics: Muara Ancalong" in text and "Interest requests: 3" in text
    assert (await admin.expect_replies(5))[0].text == "Interest requests per desa"
    await admin.send("/statistik 99.99")
    assert "don't know that region" in ((await admin.expect_reply()).text or "")


async def test_officials_see_only_their_area_and_workers_nothing(local_bot: LocalBot) -> None:
    assert local_bot.db is not None and local_bot.services is not None
    await seed(local_bot.db)
    official = local_bot.user(700001, language_code="en")
    worker = local_bot.user(100001)

    async def area_of(user_id: int) -> str | None:
        return MUARA_WAHAU if user_id == official.user_id else None

    local_bot.services.statistics.official_area = area_of
    await onboard(local_bot, official, language="English")
    await official.send("/statistik")
    text = (await official.expect_reply()).text or ""
    assert "Statistics: Muara Wahau" in text and "Interest requests: 1" in text and "Muara Ancalong" not in text
    await official.expect_replies(5)
    await official.send("/statistik 64.08.01")
    assert "only see statistics for your own area" in ((await official.expect_reply()).text or "")

    await onboard(local_bot, worker)
    await worker.send("/statistik")
    reply = (await worker.expect_reply()).text or ""
    assert "admins" in reply or "petugas" in reply


def test_withdrawn_requests_are_not_counted_as_followed_up() -> None:
    """A request the worker withdrew before anyone acted is received, but not followed up by an official."""
    from bot.domain.statistics import summarize
    from storage.statistics import RawStatistics

    raw = RawStatistics(requests_by_area={"64.08.01": {"new": 2, "withdrawn": 3, "contacted": 1, "registered": 1}})
    figures = summarize(raw, None, NOW, ZoneInfo("Asia/Makassar"), [])
    assert figures.funnel == {"received": 7, "followed_up": 2, "registered": 1}
