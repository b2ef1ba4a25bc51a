"""Roster import by an admin sending the file in chat (document upload through the Bot API double)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.domain.roster_files import SAMPLE_HEADER, xlsx_bytes
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID
from tests.support.roster import BUDI, SITI, roster_csv

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def edit_until(user: TelegramUser, message: BotMessage, needle: str) -> BotMessage:
    """Follow the edits of one progress message until it shows `needle`."""
    for _ in range(20):
        edited = await user.expect_edit(message)
        if needle in (edited.text or ""):
            return edited
    raise AssertionError(f"{needle!r} never shown in {message.summary()}")


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def test_admin_uploads_csv_then_chooses_upsert(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID)
    await admin.send_document("roster-kutim.csv", roster_csv([SITI, BUDI], delimiter=";", bom=True))
    progress = await admin.expect_reply()
    assert "⏳ Memeriksa roster-kutim.csv" in (progress.text or "")
    checked = await edit_until(admin, progress, "semua 2 baris valid")
    assert "Wilayah: Kutai Timur" in (checked.text or "")
    assert labels(checked) == ["➕ Tambah dan perbarui", "🔁 Ganti daftar wilayah", "✖️ Batal"]
    services = local_bot.services
    assert services is not None
    assert await services.roster.count_by_area("64.08") == 0  # nothing written before the choice
    await admin.press("➕ Tambah dan perbarui")
    done = await edit_until(admin, progress, "berhasil diimpor")
    assert "Baris: 2 — baru: 2, diperbarui: 0, diakhiri: 0" in (done.text or "")
    assert await services.roster.count_by_area("64.08") == 2
    imports = await services.roster.imports()
    assert [(i.status, i.imported_by, i.file_name) for i in imports] == [  # the checked rows, not read again
        ("imported", f"telegram:{ADMIN_ID}", "roster-kutim.csv")]


async def test_bad_file_is_rejected_with_a_report_file(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID)
    bad = [SITI, dataclasses.replace(BUDI, tanggal_lahir=dt.date(1979, 3, 3)),
           dataclasses.replace(BUDI, nik="6408010203790009", kode_desa="64.08.01.9999")]
    await admin.send_document("bad.csv", roster_csv(bad))
    progress = await admin.expect_reply()
    rejected = await edit_until(admin, progress, "Tidak ada yang diimpor")
    text = rejected.text or ""
    assert "ada 2 masalah" in text
    assert "baris 3, Tanggal Lahir: tidak cocok dengan tanggal lahir di NIK" in text
    assert "baris 4, Kode Desa: kode desa/kelurahan tidak dikenal" in text
    report = await admin.expect_reply()
    assert report.kind == "document" and report.file_name == "bad-errors.csv"
    lines = (report.file_bytes or b"").decode("utf-8-sig").splitlines()
    assert lines == ["baris,kolom,alasan", "3,Tanggal Lahir,tidak cocok dengan tanggal lahir di NIK",
                     "4,Kode Desa,kode desa/kelurahan tidak dikenal"]
    services = local_bot.services
    assert services is not None and await services.roster.count_by_area() == 0


async def test_xlsx_replace_survives_a_restart_before_the_choice(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    admin = local_bot.user(ADMIN_ID)
    await admin.send_document("first.csv", roster_csv([SITI, BUDI]))
    first = await admin.expect_reply()
    await edit_until(admin, first, "valid")
    await admin.press("➕ Tambah dan perbarui")
    await edit_until(admin, first, "berhasil diimpor")
    workbook = xlsx_bytes(SAMPLE_HEADER, [BUDI.cells()])
    await admin.send_document("kutim-2026.xlsx", workbook, mime_type=XLSX)
    second = await admin.expect_reply()
    await edit_until(admin, second, "semua 1 baris valid")
    await local_bot.restart()
    await admin.press("🔁 Ganti daftar wilayah")  # ends 1 of 2 (50%): asked a second time, nothing done yet
    asked = await edit_until(admin, second, "akan mengakhiri")
    assert "mengakhiri 1 dari 2 orang yang terdaftar sekarang di Kutai Timur (50%)" in (asked.text or "")
    assert await services.roster.count_by_area("64.08") == 2
    await admin.press("⚠️ Ya, ganti dan akhiri 1")
    done = await edit_until(admin, second, "berhasil diimpor")
    assert "baru: 0, diperbarui: 1, diakhiri: 1" in (done.text or "")
    assert await services.roster.count_by_area("64.08") == 1


async def test_non_admin_files_are_refused(local_bot: LocalBot) -> None:
    user = local_bot.user(400001)
    await user.send_document("roster.csv", roster_csv([SITI]))
    reply = await user.expect_reply()
    assert "hanya bisa membaca file daftar peserta dari tim kabupaten" in (reply.text or "")
    await user.press_data(reply.message_id, "roster:go:replace")  # a forged button does nothing
    await user.send("/start")
    await user.expect_reply()
    services = local_bot.services
    assert services is not None and await services.roster.count_by_area() == 0
    assert await services.roster.imports() == []


async def test_each_upload_keeps_its_own_buttons_and_a_second_tap_changes_nothing(local_bot: LocalBot) -> None:
    """File A, then file B: "Add and update" on A's message imports A (not the newest upload); tapping it again
    while (or after) A imports says so in an alert and leaves A's message alone."""
    services = local_bot.services
    assert services is not None
    admin = local_bot.user(ADMIN_ID)
    await admin.send_document("a.csv", roster_csv([SITI]))
    first = await admin.expect_reply()
    await edit_until(admin, first, "valid")
    await admin.send_document("b.csv", roster_csv([SITI, BUDI]))
    second = await admin.expect_reply()
    await edit_until(admin, second, "valid")
    await admin.press_data(first.message_id, "roster:go:upsert")
    assert not (await admin.expect_callback_answer()).get("text")
    done = await edit_until(admin, first, "berhasil diimpor")
    assert "a.csv" in (done.text or "") and await services.roster.count_by_area("64.08") == 1
    edits = len(done.edits)
    await admin.press_data(first.message_id, "roster:go:replace")
    answer = await admin.expect_callback_answer()
    assert "sudah diimpor" in answer.get("text", "") and answer.get("show_alert") in (True, "true")
    await admin.press_data(first.message_id, "roster:cancel")
    assert "sudah diimpor" in (await admin.expect_callback_answer()).get("text", "")
    await admin.press("✖️ Batal")  # b.csv is still waiting for its choice
    await edit_until(admin, second, "tidak ada yang diimpor")
    shown = local_bot.double.find_message(first.chat_id, first.message_id)
    assert shown is not None and len(shown.edits) == edits  # A's message was not overwritten
    assert [(i.file_name, i.status) for i in await services.roster.imports()] == [
        ("b.csv", "cancelled"), ("a.csv", "imported")]  # b's staged rows are thrown away
