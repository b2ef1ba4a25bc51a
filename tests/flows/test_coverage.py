"""Coverage the way the Paritrana Award counts it (issue 12, item 7): active members only, per kabupaten,
kecamatan and desa against targets kept as data (and set by admins in chat, audited), the monthly trend, and the
XLSX + one-page PDF of /cakupan and /unduh cakupan; officials see only their own area."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.domain.coverage import (
    CoverageTarget,
    TargetRejected,
    build_report,
    effective_targets,
    month_ends,
    parse_target,
)
from bot.domain.regions import desa_of, kecamatan_of
from bot.testing.runtime import LocalBot
from storage.db import Database
from storage.roster import roster_members
from storage.statistics import StatisticsRepository, TargetRow
from tests.conftest import ADMIN_ID
from tests.support.officials import make_official

TODAY = dt.date(2026, 11, 22)  # the clock fixture: 22 Nov 2026 09:00 WITA
ANCALONG, WAHAU = "64.08.01", "64.08.02"
SENYIUR, JAK_LUAY = "64.08.01.2001", "64.08.02.2001"
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def member(key: str, desa: str, mulai: dt.date, berakhir: dt.date, removed_on: dt.date | None = None) -> dict[str, Any]:
    return {"nik_hash": key, "nik_enc": "x", "verify_hash": "", "nama_enc": "x", "kode_desa": desa,
            "kode_kecamatan": desa[:8], "kode_kabupaten": desa[:5], "program": "JKK-JKM", "sumber_dana": "APBD",
            "mulai": mulai, "berakhir": berakhir, "import_id": 1,
            "updated_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "removed_on": removed_on}


async def seed_roster(db: Database) -> None:
    """Senyiur: 3 active all year, 1 ended by a replace on 15 Jun, 1 expired on 31 Aug 2026, 1 from next year;
    Jak Luay: 2 active since March."""
    rows = [member(f"a{i}", SENYIUR, *YEAR) for i in range(3)]
    rows += [member("replaced", SENYIUR, *YEAR, removed_on=dt.date(2026, 6, 15)),
             member("expired", SENYIUR, YEAR[0], dt.date(2026, 8, 31)),
             member("future", SENYIUR, dt.date(2027, 1, 1), dt.date(2027, 12, 31))]
    rows += [member(f"b{i}", JAK_LUAY, dt.date(2026, 3, 1), YEAR[1]) for i in range(2)]
    async with db.transaction() as conn:
        await conn.execute(sa.insert(roster_members), rows)


# --- counting ----------------------------------------------------------------------------------------------

async def test_active_members_per_desa_and_at_month_ends(db: Database) -> None:
    await seed_roster(db)
    repo = StatisticsRepository(db)
    assert await repo.active_by_desa("64.08", TODAY) == {SENYIUR: 3, JAK_LUAY: 2}  # ended/expired/future: out
    assert await repo.active_by_desa(ANCALONG, TODAY) == {SENYIUR: 3}
    days = month_ends(TODAY)
    assert days[0] == dt.date(2025, 12, 31) and days[-2] == dt.date(2026, 10, 31) and days[-1] == TODAY
    trend = dict(zip(days, await repo.active_on_days("64.08", days), strict=True))
    assert trend[dt.date(2025, 12, 31)] == 0  # nobody's period had started
    assert trend[dt.date(2026, 2, 28)] == 5  # Senyiur's five; Jak Luay starts in March
    assert trend[dt.date(2026, 5, 31)] == 7
    assert trend[dt.date(2026, 6, 30)] == 6  # ended by the replace on 15 June
    assert trend[dt.date(2026, 8, 31)] == 6  # the last day of a period still counts
    assert trend[dt.date(2026, 9, 30)] == 5 and trend[TODAY] == 5
    assert await repo.active_on_days(WAHAU, [TODAY]) == [2]
    assert await repo.active_on_days("64.08", [dt.date(2026, 6, 15)]) == [6]  # from the day it ran


def test_report_aggregates_up_and_shares_without_target() -> None:
    targets = effective_targets([CoverageTarget(region="64.08", target=100, source="test", valid_from=YEAR[0])],
                                [], TODAY)
    report = build_report("64.08", TODAY, {SENYIUR: 3, JAK_LUAY: 1}, targets, [(TODAY, 4)])
    assert report.area.active == 4 and report.area.share == 0.04
    assert [len(report.rows[level]) for level in (2, 3, 4)] == [
        1, len(kecamatan_of("64.08")), sum(len(desa_of(k.code)) for k in kecamatan_of("64.08"))]
    ancalong = next(a for a in report.parts if a.code == ANCALONG)
    assert ancalong.active == 3 and ancalong.target is None and ancalong.share is None and ancalong.part == 0.75
    senyiur = next(a for a in report.rows[4] if a.code == SENYIUR)
    assert senyiur.part == 1.0 and senyiur.parent == ANCALONG
    everywhere = build_report(None, TODAY, {SENYIUR: 3}, targets, [])
    assert [(a.code, a.active) for a in everywhere.parts] == [("64.08", 3)]


def test_newest_figure_wins_and_chat_wins_a_tie() -> None:
    file = [CoverageTarget(region="64.08", target=160000, source="Pemkab", valid_from=dt.date(2025, 11, 1)),
            CoverageTarget(region="64.08", target=200000, source="plan", valid_from=dt.date(2027, 1, 1))]
    assert effective_targets(file, [], TODAY)["64.08"].value == 160000  # a future figure waits for its date
    chat = [TargetRow("64.08", 170000, "target", "rapat", TODAY, ADMIN_ID, dt.datetime(2026, 11, 22, tzinfo=dt.UTC))]
    chosen = effective_targets(file, chat, TODAY)["64.08"]
    assert (chosen.value, chosen.set_by) == (170000, ADMIN_ID)
    assert effective_targets(file, chat, dt.date(2027, 1, 1))["64.08"].value == 200000


@pytest.mark.parametrize(("text", "expected"), [
    ("64.08 160000 sumber: Pemkab Kutim, Nov 2025", ("64.08", 160000, "target", "Pemkab Kutim, Nov 2025")),
    ("6408 160.000 sumber: x y z", ("64.08", 160000, "target", "x y z")),
    ("64.08.01 5,000 estimasi sumber: BPS 2024", ("64.08.01", 5000, "estimate", "BPS 2024")),
    ("64.08 hapus", ("64.08", None, "target", "")),
])
def test_parse_target(text: str, expected: tuple[object, ...]) -> None:
    command = parse_target(text)
    assert (command.region, command.value, command.kind, command.source) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("64.08", "usage"), ("99.99 100 sumber: abc", "unknown_region"), ("64.08 0 sumber: abc", "bad_number"),
    ("64.08 160000", "no_source"), ("64.08 160000 sumber: " + "x" * 301, "long_source"),
])
def test_parse_target_refusals(text: str, reason: str) -> None:
    with pytest.raises(TargetRejected) as refused:
        parse_target(text)
    assert refused.value.reason == reason


# --- through the bot ---------------------------------------------------------------------------------------

def _no_formulas(book: Any) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and not (isinstance(cell.value, str) and cell.value.startswith("=")
                                                       and cell.data_type != "s")


async def test_admin_sets_target_at_once_audited_and_downloads_files(local_bot: LocalBot) -> None:
    assert local_bot.db is not None and local_bot.services is not None
    await seed_roster(local_bot.db)
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/target")
    listing = (await admin.expect_reply()).text or ""
    assert "Kutai Timur: 160,000 target" in listing and "content file" in listing

    await admin.send("/target 64.08 100 sumber: =HYPERLINK(\"http://x\",\"klik\") rapat 20 Nov")
    saved = (await admin.expect_reply()).text or ""
    assert "Target saved" in saved and "Kutai Timur: 100 target" in saved and "160,000" in saved
    assert await local_bot.services.audit.count("coverage_target") == 1
    entry = (await local_bot.services.audit.recent(1))[0]
    assert (entry.actor_id, entry.area_code) == (ADMIN_ID, "64.08") and (entry.detail or "").startswith("160000 → 100")

    await admin.send("/statistik 64.08")
    text = (await admin.expect_reply()).text or ""
    assert "Kutai Timur: 5 of target 100 (5.0%)" in text  # changed at once; ended/expired/future not counted
    assert "Muara Ancalong: 3 (60.0% of the members above, no target)" in text
    photos = await admin.expect_replies(5)
    assert [p.text for p in photos[3:]] == ["Active members per kecamatan", "Active members at the end of each month"]
    assert all((p.file_bytes or b"").startswith(b"\x89PNG\r\n\x1a\n") for p in photos)

    await admin.send("/unduh cakupan 64.08")
    xlsx, pdf = await admin.expect_replies(2)
    assert (xlsx.file_name, pdf.file_name) == ("cakupan-64.08-20261122.xlsx", "cakupan-64.08-20261122.pdf")
    assert "Kutai Timur: 5 active members (5.0%)" in (xlsx.text or "")
    book = load_workbook(io.BytesIO(xlsx.file_bytes or b""))
    assert book.sheetnames == ["Summary", "Kabupaten", "Kecamatan", "Desa", "Monthly trend"]
    _no_formulas(book)
    kabupaten = list(book["Kabupaten"].iter_rows(values_only=True))
    assert kabupaten[0][:4] == ("Code", "Area", "Part of", "Active members")
    assert kabupaten[1][:7] == ("64.08", "Kutai Timur", None, 5, 100, "target", 0.05)
    assert str(kabupaten[1][8]).startswith("=HYPERLINK")  # kept as text: a string cell, not a formula
    kecamatan = list(book["Kecamatan"].iter_rows(values_only=True))[1:]
    assert len(kecamatan) == 18 and kecamatan[0][:4] == (ANCALONG, "Muara Ancalong", "Kutai Timur", 3)
    assert kecamatan[0][7] == 0.6
    desa = list(book["Desa"].iter_rows(values_only=True))[1:]
    assert len(desa) == sum(len(desa_of(k.code)) for k in kecamatan_of("64.08"))
    assert next(r for r in desa if r[0] == SENYIUR)[3] == 3
    trend = list(book["Monthly trend"].iter_rows(values_only=True))[1:]
    assert len(trend) == 12 and trend[-1][1] == 5 and trend[6][1] == 6  # 30 June: the replace took one
    reader = PdfReader(io.BytesIO(pdf.file_bytes or b""))
    assert len(reader.pages) == 1
    page = reader.pages[0].extract_text()
    assert "Kutai Timur" in page and "5.0%" in page and "22 November 2026" in page and "Muara Ancalong" in page

    await admin.send("/target 64.08 hapus")
    assert "Kutai Timur: 160,000 target" in ((await admin.expect_reply()).text or "")
    assert await local_bot.services.audit.count("coverage_target") == 2


async def test_admin_chooses_the_area_by_button(local_bot: LocalBot) -> None:
    assert local_bot.db is not None
    await seed_roster(local_bot.db)
    admin = local_bot.user(ADMIN_ID, language_code="id")
    await admin.send("/cakupan")
    assert "wilayah" in ((await admin.expect_reply()).text or "").lower()
    await admin.press("Kutai Timur")
    xlsx, pdf = await admin.expect_replies(2)
    assert (xlsx.file_name or "").endswith(".xlsx") and (pdf.file_name or "").endswith(".pdf")
    page = PdfReader(io.BytesIO(pdf.file_bytes or b"")).pages[0].extract_text()
    assert "Kutai Timur" in page and "0,0%" in page  # 5 of 160.000, Indonesian format


async def test_officials_see_only_their_area_workers_nothing(local_bot: LocalBot) -> None:
    assert local_bot.db is not None
    await seed_roster(local_bot.db)
    official = await make_official(local_bot, 500001, [WAHAU])
    await official.send("/cakupan")
    xlsx, pdf = await official.expect_replies(2)
    assert xlsx.file_name == "cakupan-64.08.02-20261122.xlsx"
    book = load_workbook(io.BytesIO(xlsx.file_bytes or b""))
    assert book.sheetnames == ["Summary", "Kecamatan", "Desa", "Monthly trend"]  # no kabupaten row
    desa = list(book["Desa"].iter_rows(values_only=True))[1:]
    assert {r[0][:8] for r in desa} == {WAHAU} and next(r for r in desa if r[0] == JAK_LUAY)[3] == 2
    page = PdfReader(io.BytesIO(pdf.file_bytes or b"")).pages[0].extract_text()
    assert "Muara Wahau" in page and "Muara Ancalong" not in page
    await official.send("/cakupan 64.08.01")
    assert "only see statistics for your own area" in ((await official.expect_reply()).text or "")
    await official.send("/unduh cakupan 64.08")
    assert "only see statistics for your own area" in ((await official.expect_reply()).text or "")
    await official.send("/target 64.08.02 50 sumber: saya")
    assert "only for admins" in ((await official.expect_reply()).text or "")

    worker = local_bot.user(100001, language_code="en")
    await worker.send("/cakupan")
    assert "only for village officials" in ((await worker.expect_reply()).text or "")


async def test_junk_codes_and_forged_buttons_get_a_kind_answer(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    for text in ("/cakupan ²²", "/unduh cakupan 64.99", "/cakupan 64.08.01.2001.9"):
        await admin.send(text)
        assert "don't know that region" in ((await admin.expect_reply(timeout=30)).text or "")
    await admin.send("/target 64.08 1e9 sumber: x")
    assert "Write it like this" in ((await admin.expect_reply()).text or "")
    await admin.send("/cakupan")
    menu = await admin.expect_reply()
    await admin.press_data(menu.message_id, "cov:s:99.99")
    assert "don't know that region" in ((await admin.expect_edit()).text or "")
