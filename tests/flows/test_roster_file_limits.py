"""Roster files that cannot be imported as sent, in chat (issue 14): the admin learns which row is not UTF-8, and
an XLSX bomb gets a kind refusal instead of eating the server's memory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import bot.domain.roster_files as roster_files
from bot.domain.roster_files import write_xlsx_bomb
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID
from tests.support.roster import BUDI, SITI, roster_csv

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def rejection(user: TelegramUser, progress: BotMessage) -> str:
    for _ in range(20):
        edited = await user.expect_edit(progress, timeout=30)
        if "Tidak ada yang diimpor" in (edited.text or ""):
            return edited.text or ""
    raise AssertionError(f"never rejected: {progress.summary()}")


async def test_a_windows_csv_names_the_row_that_is_not_utf8(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID)
    rows = [SITI, dataclasses.replace(BUDI, nik="6408010203790002", nama="Budi Kecil"),
            dataclasses.replace(BUDI, nama="Budi Santoso Pérez")]  # é: one byte in cp1252, not UTF-8
    await admin.send_document("kutim.csv", roster_csv(rows).decode("utf-8").encode("cp1252"))
    progress = await admin.expect_reply()
    text = await rejection(admin, progress)
    assert "baris 4, Nama: bukan teks UTF-8: simpan file sebagai “CSV UTF-8” lalu kirim lagi" in text
    report = await admin.expect_reply()
    assert (report.file_bytes or b"").decode("utf-8-sig").splitlines()[1] == (
        "4,Nama,bukan teks UTF-8: simpan file sebagai “CSV UTF-8” lalu kirim lagi")


async def test_an_xlsx_bomb_gets_a_kind_refusal(local_bot: LocalBot, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_files, "XLSX_STRINGS_BUDGET", 4 << 20)  # a smaller budget keeps the test fast
    path = tmp_path / "bomb.xlsx"
    write_xlsx_bomb(path, 100)
    admin = local_bot.user(ADMIN_ID)
    await admin.send_document("rekap.xlsx", path.read_bytes(), mime_type=XLSX)
    progress = await admin.expect_reply()
    text = await rejection(admin, progress)
    assert ("isi spreadsheet terlalu besar untuk dibaca dengan aman: simpan sebagai CSV UTF-8, atau bagi menjadi "
            "beberapa file yang lebih kecil") in text
    services = local_bot.services
    assert services is not None and await services.roster.count_by_area() == 0


async def test_upload_errors_say_how_to_fix_the_file(local_bot: LocalBot) -> None:
    """Issue 12: an .xls / .txt gets the formats and how to save them (a worker's file gets the menu); a NIK that
    Excel shortened to 6.40801E+15 says to format the column as text; a missing column is named as a
    spreadsheet heads it; a UTF-16 file says how to save it as CSV UTF-8."""
    admin = local_bot.user(ADMIN_ID)
    for name in ("roster.xls", "roster.txt"):
        await admin.send_document(name, b"\xd0\xcf\x11\xe0 not a csv", mime_type="application/vnd.ms-excel")
        reply = (await admin.expect_reply()).text or ""
        assert ".csv" in reply and ".xlsx" in reply and "CSV UTF-8" in reply
    worker = local_bot.user(555_001)
    await worker.send("/start")
    await worker.expect_replies(1)
    await worker.send_document("ktp.pdf", b"%PDF-1.4", mime_type="application/pdf")
    assert "tidak bisa membaca file" in ((await worker.expect_reply()).text or "")

    rows = roster_csv([SITI, BUDI]).decode("utf-8").replace(SITI.nik, "6.40801E+15", 1)
    await admin.send_document("excel.csv", rows.encode("utf-8"))
    text = await rejection(admin, await admin.expect_reply())
    assert "baris 2, NIK: Excel memendekkan NIK ini menjadi 6.40801E+15" in text and "Teks" in text
    await admin.expect_reply()  # the report file

    header, *body = roster_csv([SITI]).decode("utf-8").splitlines()
    without_birth = [",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in [header, *body]]
    await admin.send_document("no-birth.csv", "\n".join(without_birth).encode("utf-8"))
    text = await rejection(admin, await admin.expect_reply())
    assert "baris 1, Tanggal Lahir: kolom wajib tidak ada: tambahkan kolom berjudul “Tanggal Lahir”" in text
    await admin.expect_reply()

    await admin.send_document("utf16.csv", roster_csv([SITI]).decode("utf-8").encode("utf-16"))
    text = await rejection(admin, await admin.expect_reply())
    assert "CSV UTF-8" in text
