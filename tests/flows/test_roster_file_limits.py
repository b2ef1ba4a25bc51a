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
    assert "baris 4, nama: bukan teks UTF-8: simpan file sebagai “CSV UTF-8” lalu kirim lagi" in text
    report = await admin.expect_reply()
    assert (report.file_bytes or b"").decode("utf-8-sig").splitlines()[1] == (
        "4,nama,bukan teks UTF-8: simpan file sebagai “CSV UTF-8” lalu kirim lagi")


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
