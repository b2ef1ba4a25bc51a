"""/unduh: XLSX (opens with openpyxl, Indonesian headers, widths, WITA dates) and CSV; NIK only for officials."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.testing.runtime import LocalBot
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, DESA_A2, DESA_B, expect_text, make_official, submit


async def test_official_xlsx_holds_own_area_with_nik_and_is_audited(local_bot: LocalBot, clock: FixedClock) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    mine = await submit(local_bot, 200001, DESA_A, name="Siti Aminah", nik="6408014505900001", note="sore saja")
    clock.advance(dt.timedelta(hours=2))
    await submit(local_bot, 200002, DESA_A2, name="Tetangga Desa")
    await submit(local_bot, 200003, DESA_B, name="Jauh Sekali")
    await official.send("/unduh")
    await expect_text(official, "Which file?")
    await official.press("📊 Excel (XLSX)")
    document = await official.expect_reply()
    assert document.kind == "document" and (document.file_name or "").endswith(".xlsx")
    assert "Contains NIK" in (document.text or "")
    sheet = load_workbook(io.BytesIO(document.file_bytes or b"")).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Nomor referensi", "Tanggal minat (WITA)", "Nama", "NIK")
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["Nomor referensi"] == mine.ref and row["Nama"] == "Siti Aminah"
    assert row["NIK"] == "6408014505900001" and row["Desa/Kelurahan"] == "Senyiur"
    assert row["Tanggal minat (WITA)"] == dt.datetime(2026, 11, 22, 9, 0)  # 01:00 UTC = 09:00 WITA
    assert row["Status"] == "Baru" and row["Catatan pekerja"] == "sore saja"
    assert sheet.column_dimensions["C"].width == 28
    assert local_bot.services is not None
    entry = (await local_bot.services.audit.recent())[0]
    assert entry.action == "export" and entry.actor_id == 500001 and "nik" in (entry.detail or "")


async def test_admin_exports_everything_as_csv_without_nik(local_bot: LocalBot) -> None:
    await submit(local_bot, 200001, DESA_A, name="Siti Aminah")
    await submit(local_bot, 200003, DESA_B, name="Jauh Sekali")
    admin = local_bot.user(ADMIN_ID, language_code="en")
    notices = await admin.expect_replies(2)  # no official serves these desa: the admins hear (issue 12)
    assert all("🆕" in (m.text or "") for m in notices)
    await admin.send("/unduh")
    await admin.expect_reply()
    await admin.press("All my areas")
    await admin.expect_edit()
    await admin.press("📄 CSV")
    document = await admin.expect_reply()
    text = (document.file_bytes or b"").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "NIK" not in rows[0] and "Nama" in rows[0]
    assert sorted(r[rows[0].index("Nama")] for r in rows[1:]) == ["Jauh Sekali", "Siti Aminah"]
    assert "6408" not in "".join(r[rows[0].index("Nomor referensi")] for r in rows[1:])


async def test_admin_exports_one_kabupaten(local_bot: LocalBot) -> None:
    await submit(local_bot, 200001, DESA_A, name="Siti Aminah")
    await submit(local_bot, 200004, "64.02.01.2001", name="Di Kukar")
    admin = local_bot.user(ADMIN_ID, language_code="en")
    notices = await admin.expect_replies(2)  # no official serves these desa: the admins hear (issue 12)
    assert all("🆕" in (m.text or "") for m in notices)
    await admin.send("/unduh")
    await admin.expect_reply()
    await admin.press("Kutai Timur")
    await admin.expect_edit()
    await admin.press("📊 Excel (XLSX)")
    document = await admin.expect_reply()
    sheet = load_workbook(io.BytesIO(document.file_bytes or b"")).active
    assert sheet is not None
    names = [r[2] for r in list(sheet.iter_rows(values_only=True))[1:]]
    assert names == ["Siti Aminah"]
