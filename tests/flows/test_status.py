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


async def ask_status(user: TelegramUser, nik: str, answer: str) -> str:
    """NIK, then the second factor (a name or the last 4 KPJ digits): the answer's text."""
    await user.press("🛡 Cek Status Perlindungan")
    prompt = await user.expect_reply()
    assert "16 angka" in (prompt.text or "")
    await user.send(nik)
    await user.expect_reply()
    await user.send(answer)
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
    text = await ask_status(user, "6408 0457 0885 0003", "Siti Aminah")
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
    text = await ask_status(user, BUDI.nik, "Budi")
    assert "⚠️ Tidak aktif" in text and "berakhir 31 Desember 2025" in text
    assert "BPU mandiri: Rp8.400 per bulan" in text  # PP 50/2025 discount holds on 22 Nov 2026
    assert "biasanya Rp16.800" in text


async def test_wrong_name_looks_exactly_like_unknown_nik(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    # The same NIK shape and mask: only "found with a wrong name" vs "not in the roster" differs.
    stranger = dataclasses.replace(SITI, nik="6408045708850004")
    wrong_name = await ask_status(user, SITI.nik, "Siti Rahmah")
    buttons_wrong = user.last_reply.buttons  # type: ignore[union-attr]
    unknown = await ask_status(user, stranger.nik, "Siti Aminah")
    assert wrong_name.replace("0003", "0004") == unknown
    assert user.last_reply.buttons == buttons_wrong  # type: ignore[union-attr]
    assert "🔍 Tidak ditemukan" in unknown and "JMO" in unknown and "175" in unknown and "Kantor Cabang" in unknown
    assert [label for row in buttons_wrong for label in row][:2] == ["✅ Cek Kelayakan", "📝 Daftar Minat"]
    services = local_bot.services
    assert services is not None
    assert await services.status_checks.repository.outcomes_for_user(200001) == ["not_found", "not_found"]


async def test_sixth_check_of_the_day_is_refused(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    for _ in range(5):
        text = await ask_status(user, UNKNOWN_NIK, "Siti Aminah")
        assert "Tidak ditemukan" in text
    await user.press("🛡 Cek Status Perlindungan")
    refused = (await user.expect_reply()).text or ""
    assert "Jatah cek Anda hari ini sudah habis" in refused
    services = local_bot.services
    assert services is not None
    outcomes = await services.status_checks.repository.outcomes_for_user(200001)
    assert outcomes == ["not_found"] * 5 + ["limited"]
    local_bot.clock.advance(dt.timedelta(days=1))  # type: ignore[attr-defined]
    text = await ask_status(user, SITI.nik, "Siti Aminah")
    assert "Terlindungi" in text


async def test_erasing_data_does_not_reset_the_daily_limit(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    for _ in range(5):
        await ask_status(user, UNKNOWN_NIK, "Siti Aminah")
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
    await user.send("Siti 2")
    assert "huruf saja" in ((await user.expect_reply()).text or "")
    await user.send("12345")
    assert "4 angka terakhir KPJ" in ((await user.expect_reply()).text or "")
    await user.send("siti aminah")
    assert "Terlindungi" in ((await user.expect_reply()).text or "")


async def test_no_date_picker_and_a_birth_date_is_not_an_answer(local_bot: LocalBot, tmp_path: Path) -> None:
    """The second step asks the name or the KPJ digits: no birth-date picker (whose decades ran to 2020–2029); a
    birth date typed is explained without a check (no quota used, nothing looked up)."""
    user = await setup(local_bot, tmp_path)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send(SITI.nik)
    prompt = await user.expect_reply()
    assert "nama sesuai KTP" in (prompt.text or "") and "4 angka terakhir KPJ" in (prompt.text or "")
    labels = [label for row in prompt.buttons for label in row]
    assert not any("Pilih tanggal" in label or "2020" in label for label in labels)
    await user.send("17-08-1985")
    assert "sudah ada di dalam NIK" in ((await user.expect_reply()).text or "")
    services = local_bot.services
    assert services is not None
    assert await services.status_checks.repository.outcomes_for_user(200001) == []
    assert await services.status_checks.remaining(200001) == 5
    await user.send("Aminah")
    assert "Terlindungi" in ((await user.expect_reply()).text or "")


async def test_half_finished_check_survives_restart(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send(SITI.nik)
    await user.expect_reply()
    await local_bot.restart()
    await user.send("Aminah")
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
    assert "Terlindungi" not in reply and "tanggal lahir" not in reply and "nama sesuai KTP" not in reply
    assert reply  # what it gets instead is the general handler's (issue 13: a stray NIK is deleted, explained)


async def test_status_needs_consent_first(local_bot: LocalBot, tmp_path: Path) -> None:
    assert local_bot.services is not None
    await import_rows(local_bot.services, tmp_path, [SITI])
    user = local_bot.user(200002)
    await onboard(local_bot, user, agree=False)
    await user.press("🛡 Cek Status Perlindungan")
    asked = await user.expect_reply()
    if "Setuju" not in str(asked.buttons):  # the reason, then the consent screen (or both in one message)
        asked = await user.expect_reply()
    assert "persetujuan" in (asked.text or "")
    await user.press("✅ Setuju")
    reply = await user.expect_reply()
    if "Lanjutkan" in str(reply.buttons):
        await user.press("▶️ Lanjutkan")
    if "16 angka" not in (reply.text or ""):  # after a thank-you, the check goes on by itself (issue 13)
        reply = await user.expect_reply()
    assert "16 angka" in (reply.text or "")


async def test_my_data_lists_checks(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await setup(local_bot, tmp_path)
    await ask_status(user, SITI.nik, "Siti Aminah")
    await user.send("/dataku")
    text = (await user.expect_reply()).text or ""
    assert "Cek status perlindungan: 1 kali" in text and SITI.nik not in text
