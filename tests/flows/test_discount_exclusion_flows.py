"""PP 50/2025 Pasal 3 through the real Application and the Bot API double: the discount is for self-paying
(mandiri) workers; a member the Pemda (APBD) or the state (APBN) pays for pays nothing. The FAQ on the discount,
the calculator, the eligibility outcome and the status result all say so."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import onboard
from tests.support.roster import BUDI, SITI, import_rows

PAYS_NOTHING = "💚 Anda tidak bayar apa pun untuk perlindungan ini: iurannya dibayar penuh."
PROVINCE = dataclasses.replace(SITI, nik="6408045708850005", sumber_dana="APBD_PROVINSI")
STATE = dataclasses.replace(SITI, nik="6408045708850006", sumber_dana="APBN")
COMPANY = dataclasses.replace(SITI, nik="6408045708850007", sumber_dana="CSR")


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def tap(user: TelegramUser, label: str) -> BotMessage:
    await user.press(label)
    return await user.expect_reply()


# ---------------------------------------------------------------- the FAQ


async def test_discount_faq_names_who_is_excluded(local_bot: LocalBot) -> None:
    user = local_bot.user(330001)
    await onboard(local_bot, user)
    await tap(user, "❓ Tanya Jawab")
    await tap(user, "💵 Iuran")
    text = (await tap(user, "Diskon iuran (PP 50/2025)")).text or ""
    assert "Untuk peserta BPU yang bayar sendiri (mandiri), lama dan baru: Rp16.800 jadi Rp8.400" in text
    assert "Tidak berlaku untuk peserta yang iuran JKK + JKM-nya dibayar APBD atau APBN (PP 50/2025 Pasal 3)." in text
    assert "Pekerja rentan yang dibayar Pemda tidak bayar apa pun: Pemda membayar iuran penuh, bukan Rp8.400." in text


async def test_asking_whether_the_pemda_gets_the_discount(local_bot: LocalBot) -> None:
    user = local_bot.user(330002)
    await onboard(local_bot, user)
    for question in ("kalau iuran dibayar pemda dapat diskon juga?", "diskon pp 50 berlaku untuk peserta apbd?"):
        await user.send(question)
        text = (await user.expect_reply()).text or ""
        assert "Tidak berlaku" in text and "APBD atau APBN (PP 50/2025 Pasal 3)" in text, question


async def test_who_pays_page_says_the_pemda_pays_the_full_fee(local_bot: LocalBot) -> None:
    user = local_bot.user(330003)
    await onboard(local_bot, user)
    await tap(user, "💰 Manfaat & Iuran")
    text = (await tap(user, "Siapa yang bayar iuran?")).text or ""
    assert "Pemda membayar iuran penuh, tanpa diskon" in text and "Anda sendiri tidak bayar apa pun." in text


async def test_english_discount_answer(local_bot: LocalBot) -> None:
    user = local_bot.user(330004, language_code="en")
    await onboard(local_bot, user, language="English")
    await user.send("is the discount for workers paid by the district")
    reply = await user.expect_reply()
    text = reply.text or ""
    if "not sure" in text:  # the matcher may abstain here; the discount is then the first topic offered
        assert reply.buttons[0] == ["Fee discount (PP 50/2025)"], reply.buttons
        await user.press("Fee discount (PP 50/2025)")
        text = (await user.expect_reply()).text or ""
    assert "Not for members whose JKK + JKM are paid through the APBD or APBN (PP 50/2025 Pasal 3)." in text


# ---------------------------------------------------------------- the calculator


async def test_calculator_answer_is_what_a_self_paying_worker_pays(local_bot: LocalBot) -> None:
    user = local_bot.user(330005)
    await onboard(local_bot, user)
    await user.send("/iuran")
    await user.expect_reply()
    await tap(user, "Petani")
    await user.send("sejuta")
    text = (await user.expect_reply()).text or ""
    assert text.startswith("Iuran Anda per bulan\nUntuk pekerja yang bayar sendiri (BPU mandiri).")
    assert "Jumlah JKK + JKM: Rp8.400 / bulan" in text
    assert "Diskon hanya untuk yang bayar sendiri (mandiri)." in text
    assert "🏛 Iuran dibayar Pemda (APBD) atau pemerintah pusat (APBN)?\nAnda tidak bayar apa pun." in text
    assert "tanpa diskon (PP 50/2025 Pasal 3)" in text
    assert "Dasar JKK: Lampiran II PP 44/2015, terakhir diubah dengan PP 49/2023." in text


# ---------------------------------------------------------------- the eligibility outcome


async def screen_kutai_timur_ojek(user: TelegramUser) -> str:
    await tap(user, "✅ Cek Kelayakan")
    step = await tap(user, "Kutai Timur")
    await tap(user, labels(step)[0])
    for answer in ("30–45", "Ojek / ojol", "Di bawah Rp1.000.000", "Tidak"):
        await tap(user, answer)
    return (await tap(user, "Tidak tahu")).text or ""


async def test_eligibility_outcome_separates_pemda_paid_from_self_paying(local_bot: LocalBot) -> None:
    user = local_bot.user(330006)
    await onboard(local_bot, user)
    text = await screen_kutai_timur_ojek(user)
    assert "Dibiayai" in text and "APBD" in text
    assert "🏛 Iuran dibayar Pemda (APBD) atau pemerintah pusat (APBN)?\nAnda tidak bayar apa pun." in text
    assert "Iuran dibayar penuh untuk Anda, tanpa diskon (PP 50/2025 Pasal 3)." in text
    assert ("💡 Atau daftar sendiri sebagai BPU mandiri dan bayar sendiri: JKK + JKM Rp8.400 sebulan hari ini, "
            "dengan diskon PP 50/2025 untuk yang bayar sendiri (penghasilan dilaporkan Rp1.000.000).") in text


async def test_eligibility_outcome_after_the_discount(local_bot: LocalBot) -> None:
    local_bot.clock.set(dt.datetime(2027, 6, 1, 1, 0, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    user = local_bot.user(330007)
    await onboard(local_bot, user)
    text = await screen_kutai_timur_ojek(user)
    assert "Anda tidak bayar apa pun." in text and "tanpa diskon" not in text
    assert "JKK + JKM Rp16.800 sebulan hari ini (penghasilan dilaporkan Rp1.000.000)." in text


# ---------------------------------------------------------------- the status result


async def ask_status(user: TelegramUser, nik: str, answer: str) -> str:
    await tap(user, "🛡 Cek Status Perlindungan")
    await user.send(nik)
    await user.expect_reply()
    await user.send(answer)  # the second factor: the name on the roster (issue 13)
    return (await user.expect_reply()).text or ""


async def test_protected_apbd_paid_worker_is_told_they_pay_nothing(local_bot: LocalBot, tmp_path: Path) -> None:
    assert local_bot.services is not None
    result = await import_rows(local_bot.services, tmp_path, [SITI, BUDI, PROVINCE, STATE, COMPANY])
    assert result.status == "imported"
    user = local_bot.user(330008)
    await onboard(local_bot, user)
    for row, funder in ((SITI, "pemerintah daerah (APBD)"), (PROVINCE, "pemerintah provinsi (APBD)"),
                        (STATE, "pemerintah pusat (APBN)")):
        text = await ask_status(user, row.nik, row.nama)
        assert "✅ Terlindungi" in text and f"Dibayar oleh: {funder}\n{PAYS_NOTHING}" in text, row.sumber_dana
    company = await ask_status(user, COMPANY.nik, COMPANY.nama)
    assert "✅ Terlindungi" in company and "Dibayar oleh: perusahaan (CSR)" in company
    assert "tidak bayar apa pun" not in company
