"""Cek Status Perlindungan through the real Application and the Bot API double."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import onboard
from tests.support.roster import BUDI, SITI, import_rows

UNKNOWN_NIK = "6408015505920002"


async def ask_status(user: TelegramUser, nik: str, birth: str) -> str:
    await user.press("🛡 Cek Status Perlindungan")
    prompt = await user.expect_reply()
    assert "16 angka" in (prompt.text or "")
    await user.send(nik)
    await user.expect_reply()
    await user.send(birth)
    return (await user.expect_reply()).text or ""


async def setup(local_bot: LocalBot, tmp_path: Path, user_id: int = 200001) -> TelegramUser:
    assert local_bot.services is not None
    result = await import_rows(local_bot.services, tmp_path, [SITI, BUDI])
    assert result.status == "imported"
    user = local_bot.user(user_id)
    await onboard(local_bot, user)
    return user


async def test_protected_answer_shows_programmes_dates_and_masks(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    text = await ask_status(user, "6408 0457 0885 0003", "17-08-1985")
    assert "✅ Terlindungi (NIK 6408********0003)" in text
    assert "JKK (kecelakaan kerja) + JKM (kematian)" in text
    assert "Dibayar oleh: pemerintah daerah (APBD)" in text
    assert "Mulai 1 Januari 2026 sampai 31 Desember 2026" in text
    assert "(tinggal 39 hari)" in text
    assert "Kartu KPJ: *******5678" in text
    assert SITI.nik not in text and SITI.kpj not in text
    buttons = [label for row in user.last_reply.buttons for label in row]  # type: ignore[union-attr]
    assert "🔔 Ingatkan sebelum berakhir" in buttons and "💰 Manfaat & Iuran" in buttons
    services = local_bot.services
    assert services is not None
    assert await services.status_checks.repository.outcomes_for_user(200001) == ["protected"]


async def test_inactive_answer_offers_bpu_with_todays_amount(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    text = await ask_status(user, BUDI.nik, "02/03/1979")
    assert "⚠️ Tidak aktif" in text and "berakhir 31 Desember 2025" in text
    assert "BPU mandiri: Rp8.400 per bulan" in text  # PP 50/2025 discount holds on 22 Nov 2026
    assert "biasanya Rp16.800" in text


async def test_wrong_birth_date_looks_exactly_like_unknown_nik(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    # The same NIK shape and mask: only "found with a wrong date" vs "not in the roster" differs.
    stranger = dataclasses.replace(SITI, nik="6408045708850004")
    wrong_date = await ask_status(user, SITI.nik, "18-08-1985")
    buttons_wrong = user.last_reply.buttons  # type: ignore[union-attr]
    unknown = await ask_status(user, stranger.nik, "17-08-1985")
    assert wrong_date.replace("0003", "0004") == unknown
    assert user.last_reply.buttons == buttons_wrong  # type: ignore[union-attr]
    assert "🔍 Tidak ditemukan" in unknown and "JMO" in unknown and "175" in unknown and "Kantor Cabang" in unknown
    assert [label for row in buttons_wrong for label in row][:2] == ["✅ Cek Kelayakan", "📝 Daftar Minat"]
    services = local_bot.services
    assert services is not None
    assert await services.status_checks.repository.outcomes_for_user(200001) == ["not_found", "not_found"]


async def test_sixth_check_of_the_day_is_refused(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    for _ in range(5):
        text = await ask_status(user, UNKNOWN_NIK, "15-05-1992")
        assert "Tidak ditemukan" in text
    await user.press("🛡 Cek Status Perlindungan")
    refused = (await user.expect_reply()).text or ""
    assert "Jatah cek Anda hari ini sudah habis" in refused
    services = local_bot.services
    assert services is not None
    outcomes = await services.status_checks.repository.outcomes_for_user(200001)
    assert outcomes == ["not_found"] * 5 + ["limited"]
    local_bot.clock.advance(dt.timedelta(days=1))  # type: ignore[attr-defined]
    text = await ask_status(user, SITI.nik, "17-08-1985")
    assert "Terlindungi" in text


async def test_erasing_data_does_not_reset_the_daily_limit(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    for _ in range(5):
        await ask_status(user, UNKNOWN_NIK, "15-05-1992")
    await user.send("/hapusdata")
    await user.expect_reply()
    await user.press("🗑 Ya, hapus")
    await user.expect_reply()
    services = local_bot.services
    assert services is not None
    assert await services.status_checks.repository.outcomes_for_user(200001) == []  # anonymised, counts kept
    assert (await services.status_checks.repository.count_by_outcome())["not_found"] == 5
    await onboard(local_bot, user)
    await user.press("🛡 Cek Status Perlindungan")
    assert "sudah habis" in ((await user.expect_reply()).text or "")


async def test_bad_input_is_explained_and_nothing_is_lost(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send("halo")
    assert "hanya 16 angka NIK" in ((await user.expect_reply()).text or "")
    await user.send("64080457088500")
    assert "yang Anda ketik 14 angka" in ((await user.expect_reply()).text or "")
    await user.send("0008045708850003")
    assert "bukan NIK yang valid" in ((await user.expect_reply()).text or "")
    await user.send(SITI.nik)
    await user.expect_reply()
    await user.send("31-02-1985")
    assert "belum terbaca" in ((await user.expect_reply()).text or "")
    await user.send("17 8 1985")
    assert "Terlindungi" in ((await user.expect_reply()).text or "")


async def test_birth_date_picked_with_buttons(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send(SITI.nik)
    prompt = await user.expect_reply()
    await user.press("📅 Pilih tanggal")
    await user.expect_edit(prompt)
    await user.press("1980–1989")
    await user.expect_edit(prompt)
    await user.press("1985")
    months = await user.expect_edit(prompt)
    assert "Agu" in [label for row in months.buttons for label in row]
    await user.press("Agu")
    days = await user.expect_edit(prompt)
    assert len([label for row in days.buttons for label in row if label.isdigit()]) == 31
    await user.press("17")
    done = await user.expect_edit(prompt)
    assert "17 Agustus 1985" in (done.text or "")
    assert "Terlindungi" in ((await user.expect_reply()).text or "")


async def test_half_finished_check_survives_restart(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send(SITI.nik)
    await user.expect_reply()
    await local_bot.restart()
    await user.send("17-08-1985")
    assert "Terlindungi" in ((await user.expect_reply()).text or "")


async def test_cancel_leaves_the_check(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send("/batal")
    stopped = await user.expect_reply()
    assert "dihentikan" in (stopped.text or "") and "Mau apa hari ini" in (stopped.text or "")
    await user.send(SITI.nik)  # no longer in the conversation: the NIK is not taken as an answer
    reply = (await user.expect_reply()).text or ""
    assert "Terlindungi" not in reply and "tanggal lahir" not in reply
    assert "belum mengerti" in reply and "Mau apa hari ini" in reply  # what it gets instead: the menu


async def test_status_needs_consent_first(local_bot: LocalBot, tmp_path: Path) -> None:
    assert local_bot.services is not None
    await import_rows(local_bot.services, tmp_path, [SITI])
    user = local_bot.user(200002)
    await onboard(local_bot, user, agree=False)
    await user.press("🛡 Cek Status Perlindungan")
    assert "persetujuan" in ((await user.expect_reply()).text or "")
    await user.expect_reply()  # the consent screen
    await user.press("✅ Setuju")
    await user.expect_reply()
    await user.press("▶️ Lanjutkan")
    assert "16 angka" in ((await user.expect_reply()).text or "")


async def test_my_data_lists_checks(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await ask_status(user, SITI.nik, "17-08-1985")
    await user.send("/dataku")
    text = (await user.expect_reply()).text or ""
    assert "Cek status perlindungan: 1 kali" in text and SITI.nik not in text
