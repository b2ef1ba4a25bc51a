"""Cek Kelayakan through the real Application and the Bot API double."""

from __future__ import annotations

import sqlalchemy as sa

from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from storage.eligibility import eligibility_results
from tests.support.flows import onboard


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def tap(user: TelegramUser, label: str) -> BotMessage:
    await user.press(label)
    return await user.expect_reply()


async def say(user: TelegramUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.expect_reply()


async def screen(user: TelegramUser, kabupaten: str, age: str, work: str, income: str, member: str,
                 welfare: str) -> BotMessage:
    await tap(user, "✅ Cek Kelayakan")
    step = await tap(user, kabupaten)
    assert "Kecamatan mana" in (step.text or "")
    await tap(user, labels(step)[0])
    for answer in (age, work, income, member):
        await tap(user, answer)
    return await tap(user, welfare)


async def test_kutai_timur_ojek_is_likely_with_reasons_and_bpu_alternative(local_bot: LocalBot) -> None:
    user = local_bot.user(410001)
    await onboard(local_bot, user)
    result = await screen(user, "Kutai Timur", "30–45", "Ojek / ojol", "Di bawah Rp1.000.000", "Tidak", "Tidak tahu")
    text = result.text or ""
    assert "Kemungkinan memenuhi syarat" in text and "Kutai Timur" in text
    assert "Pekerjaan Anda (Ojek / ojol) ada di daftar Kutai Timur" in text
    assert "Perbup Kutai Timur No. 29 Tahun 2024" in text and "APBD" in text
    assert "Rp8.400" in text  # PP 50/2025 transport discount on 22 Nov 2026
    assert "pemerintah daerah yang menentukan" in text
    assert labels(result) == ["📝 Daftar Minat", "🔄 Cek lagi", "🏠 Menu utama"]
    services = local_bot.services
    assert services is not None
    async with services.db.read() as conn:
        rows = (await conn.execute(sa.select(eligibility_results))).all()
    assert [(r.kabupaten_code, r.kecamatan_code, r.outcome, r.occupation, r.income_range) for r in rows] == [
        ("64.08", "64.08.01", "likely", "ojek", "lt1")]
    profile = await services.users.get(410001)
    assert profile is not None and profile.region_code == "64.08.01"


async def test_each_district_and_the_fallback(local_bot: LocalBot) -> None:
    user = local_bot.user(410002)
    await onboard(local_bot, user)
    cases = [
        ("Penajam Paser Utara", "Di atas 65", "Nelayan", "Tidak mau menjawab", "Tidak", "Tidak",
         ["Belum memenuhi syarat", "⛔ Usia Anda di luar batas 18–65 tahun", "daftar sendiri sebagai BPU"]),
        ("Kutai Kartanegara", "46–55", "Petani", "Rp1.000.000 – Rp2.000.000", "Tidak", "Tidak",
         ["Perlu verifikasi desa", "memakai DTKS"]),
        ("Bontang", "18–29", "Pedagang kecil / UMKM", "Rp3.000.000 – Rp5.000.000", "Ya", "Ya",
         ["Perlu verifikasi desa", "di bawah upah minimum kota", "sudah peserta BPJS Ketenagakerjaan"]),
        ("Samarinda", "30–45", "Ojek / ojol", "Di bawah Rp1.000.000", "Tidak", "Ya",
         ["Perlu verifikasi desa", "belum tahu program daerah untuk Samarinda", "dana desa membiayai"]),
    ]
    for kabupaten, age, work, income, member, welfare, expected in cases:
        result = await screen(user, kabupaten, age, work, income, member, welfare)
        for part in expected:
            assert part in (result.text or ""), (kabupaten, part, result.text)


async def test_region_from_nik_digits_back_and_bad_input(local_bot: LocalBot) -> None:
    user = local_bot.user(410003)
    await onboard(local_bot, user)
    await tap(user, "✅ Cek Kelayakan")
    oops = await say(user, "12345")
    assert "6 angka pertama NIK" in (oops.text or "") and "Kutai Timur" in labels(oops)
    age = await say(user, "6409010101900001")  # a whole NIK: only the first six digits are used
    assert "Penajam" in (age.text or "") and "(2/6)" in (age.text or "")
    wrong = await say(user, "tiga puluh")
    assert "Ketik usia" in (wrong.text or "") and "Di bawah 18" in labels(wrong)
    work = await say(user, "1950")
    assert "(3/6)" in (work.text or "")
    back = await tap(user, "◀️ Kembali")
    assert "(2/6)" in (back.text or "")
    await say(user, "1950")
    await tap(user, "Nelayan")
    typed = await say(user, "dua juta")
    assert "Silakan pilih salah satu tombol" in (typed.text or "") and "(4/6)" in (typed.text or "")
    await tap(user, "Tidak mau menjawab")
    await tap(user, "Tidak")
    result = await tap(user, "Tidak tahu")
    # born 1950: 75 or 76 on 22 Nov 2026 → outside PPU's 18–65
    assert "Belum memenuhi syarat" in (result.text or "")
    assert local_bot.app is not None and "eligibility" not in local_bot.app.user_data[410003]


async def test_outside_the_province_and_cancel(local_bot: LocalBot) -> None:
    user = local_bot.user(410004)
    await onboard(local_bot, user)
    await tap(user, "✅ Cek Kelayakan")
    ask = await tap(user, "🌏 Di luar Kalimantan Timur")
    assert "6 angka pertama NIK" in (ask.text or "")
    step = await say(user, "320405")
    assert "Bandung" in (step.text or "")
    await tap(user, "Tidak mau menjawab")
    await user.send("/batal")
    stopped = await user.expect_reply()
    assert "Oke, dihentikan" in (stopped.text or "") or "dihentikan" in (stopped.text or "").lower()
    assert local_bot.app is not None and "eligibility" not in local_bot.app.user_data[410004]


async def test_screening_survives_a_restart(local_bot: LocalBot) -> None:
    user = local_bot.user(410005)
    await onboard(local_bot, user)
    await tap(user, "✅ Cek Kelayakan")
    await tap(user, "Kutai Timur")
    await tap(user, "⏭ Tidak yakin, lewati")
    await tap(user, "30–45")
    await local_bot.restart()
    await tap(user, "Petani")
    await tap(user, "Tidak mau menjawab")
    await tap(user, "Tidak")
    result = await tap(user, "Tidak tahu")
    assert "Kemungkinan memenuhi syarat" in (result.text or "") and "Petani" in (result.text or "")


# ---------------------------------------------------------------- issue 13: what the result says


def line_with(text: str, needle: str) -> str:
    return next((line for line in text.splitlines() if needle in line), "")


async def test_only_criteria_with_known_rules_are_named_as_checked(local_bot: LocalBot) -> None:
    """Kutai Timur's rule file knows no age, income or DTKS rule: they "will be verified", not "checked"."""
    user = local_bot.user(410010)
    await onboard(local_bot, user)
    text = (await screen(user, "Kutai Timur", "30–45", "Petani", "Di bawah Rp1.000.000", "Tidak", "Ya")).text or ""
    checked = line_with(text, "Yang dicek Kutai Timur")
    assert checked == "🔎 Yang dicek Kutai Timur: tempat tinggal (alamat KTP), jenis pekerjaan."
    unknown = line_with(text, "akan diverifikasi")
    assert unknown.startswith("❔ Aturan Kutai Timur soal usia, penghasilan, data kesejahteraan (DTKS/DTSEN)")


async def test_not_eligible_says_register_yourself_once(local_bot: LocalBot) -> None:
    user = local_bot.user(410011)
    await onboard(local_bot, user)
    text = (await screen(user, "Penajam Paser Utara", "Di atas 65", "Nelayan", "Tidak mau menjawab", "Tidak",
                         "Tidak")).text or ""
    assert "Belum memenuhi syarat" in text
    assert text.count("daftar sendiri") == 1 and "lihat di bawah" not in text and "Atau daftar" not in text
    assert "mendaftar sendiri sebagai BPU mandiri:\n💡 JKK + JKM Rp" in text  # the price follows, once


async def test_a_member_is_not_told_to_register_as_bpu(local_bot: LocalBot) -> None:
    user = local_bot.user(410012)
    await onboard(local_bot, user)
    likely = (await screen(user, "Bontang", "18–29", "Pedagang kecil / UMKM", "Rp3.000.000 – Rp5.000.000", "Ya",
                           "Ya")).text or ""
    assert "sudah peserta BPJS Ketenagakerjaan" in likely
    assert "daftar sendiri" not in likely and "BPU mandiri" not in likely
    refused = (await screen(user, "Penajam Paser Utara", "Di atas 65", "Nelayan", "Tidak mau menjawab", "Ya",
                            "Tidak")).text or ""
    assert "Belum memenuhi syarat" in refused and "Anda sudah peserta: jaga agar tetap aktif" in refused
    assert "daftar sendiri" not in refused and "BPU mandiri" not in refused
