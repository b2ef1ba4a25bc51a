"""Typed requests for the bot's own features open them (bot/domain/intents.py, handlers/free_text.py), through the
real Application and the Bot API double; small talk gets a short reply with the menu."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import MENU_EN, MENU_ID, flat, onboard

NIK = "6408014505900001"


async def ready(local_bot: LocalBot, user_id: int, language: str = "Bahasa Indonesia") -> TelegramUser:
    user = local_bot.user(user_id)
    await onboard(local_bot, user, language)
    return user


@pytest.mark.parametrize("text", ["cek status", "cek status bpjs sy", "udh terdaftar blm",
                                  "sy petani udh terdaftar blm ya", "sy mau cek nik",
                                  "apakah saya sudah terlindungi"])
async def test_status_phrasings_open_the_status_check(local_bot: LocalBot, text: str) -> None:
    user = await ready(local_bot, 410001)
    await user.send(text)
    prompt = (await user.expect_reply()).text or ""
    assert "16 angka" in prompt and "JMO" not in prompt  # the bot's own check, not "only via JMO/175"
    await user.send(NIK)  # taken by the status check's NIK step: the flow was really opened
    nik_message = user.last_sent["message_id"]  # type: ignore[index]
    reply = (await user.expect_reply()).text or ""
    assert "6408********0001" in reply and "🔒" not in reply
    assert local_bot.double.is_deleted(user.chat_id, nik_message)


@pytest.mark.parametrize("text", ["apa saya bisa ikut", "sy memenuhi syarat ga"])
async def test_eligibility_phrasings_open_the_eligibility_check(local_bot: LocalBot, text: str) -> None:
    user = await ready(local_bot, 410002)
    await user.send("/cekkelayakan")
    expected = await user.expect_reply()
    await user.send("/batal")
    await user.expect_reply()
    await user.send(text)
    opened = await user.expect_reply()
    assert opened.text == expected.text and opened.buttons == expected.buttons
    await user.press_index(1)  # the flow's first button works: it is the active flow
    await user.expect_reply()


@pytest.mark.parametrize("text", ["daftar minat", "mau daftar", "sy mau ikut bpjs gratis"])
async def test_interest_phrasings_open_daftar_minat(local_bot: LocalBot, text: str) -> None:
    user = await ready(local_bot, 410003)
    await user.send(text)
    await user.expect_reply()  # the name step
    await user.send("Siti Aminah")
    asked = (await user.expect_reply()).text or ""
    assert "NIK" in asked  # the flow went on to its NIK step


async def test_fee_with_an_occupation_goes_straight_to_the_result(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 410004)
    await user.send("iuran ojol brp skrg")
    result = (await user.expect_reply()).text or ""
    assert "Ojek / ojol" in result and "22 November 2026" in result
    assert "Rp8.400" in result  # JKK + JKM at the lowest level, PP 50/2025 discount for transport
    await user.send("iuran ojek 2 juta")  # as the answer suggests
    own = (await user.expect_reply()).text or ""
    assert "Rp2.000.000" in own and "Rp13.400" in own and "Ojek / ojol" in own
    await user.send("cek status")  # the flow has ended: the next text is not read as an amount
    assert "16 angka" in ((await user.expect_reply()).text or "")


async def test_fee_with_an_income_the_same_for_every_work_answers_at_once(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 410005)
    await user.send("iuran kalau gaji 2 juta")
    result = (await user.expect_reply()).text or ""
    assert "Rp2.000.000" in result and "Rp13.400" in result and "semua pekerjaan" in result


async def test_fee_with_an_income_asks_the_work_when_it_matters(local_bot: LocalBot) -> None:
    local_bot.clock.set(dt.datetime(2027, 1, 5, 1, 0, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    user = await ready(local_bot, 410006)
    await user.send("iuran kalau gaji 2 juta")
    asked = await user.expect_reply()
    assert "Rp2.000.000" in (asked.text or "") and "Ojek / ojol" in flat(asked.buttons)
    await user.press("Petani")
    farmer = (await user.expect_reply()).text or ""
    assert "Petani" in farmer and "Rp26.800" in farmer  # other sectors: no discount in 2027
    await user.send("iuran kalau gaji 2 juta")
    await user.expect_reply()
    await user.press("Ojek / ojol")
    ojek = (await user.expect_reply()).text or ""
    assert "Rp13.400" in ojek  # transport keeps the discount until March 2027


async def test_hitung_iuran_opens_the_calculator(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 410007)
    await user.send("hitung iuran")
    asked = await user.expect_reply()
    assert "Petani" in flat(asked.buttons)


async def test_fee_question_about_one_programme_stays_with_the_faq(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 410008)
    await user.send("iuran jkm brp")
    reply = await user.expect_reply()
    assert "Petani" not in flat(reply.buttons)  # not the calculator's work question


async def test_language_help_and_menu(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 410009)
    await user.send("ganti bahasa")
    languages = await user.expect_reply()
    assert "English" in flat(languages.buttons)
    await user.send("/bantuan")
    expected = (await user.expect_reply()).text
    await user.send("bantuan")
    assert (await user.expect_reply()).text == expected
    await user.send("menu")
    assert flat((await user.expect_reply()).buttons) == MENU_ID


@pytest.mark.parametrize(("text", "expected"), [
    ("halo", "Halo!"), ("assalamualaikum", "Halo!"), ("pagi pak", "Halo!"),
    ("makasih", "Sama-sama"), ("terima kasih bnyk", "Sama-sama"),
    ("tidak tahu", "Tidak apa-apa"), ("gatau", "Tidak apa-apa"),
])
async def test_small_talk_gets_a_short_reply_with_the_menu(local_bot: LocalBot, text: str, expected: str) -> None:
    user = await ready(local_bot, 410010)
    await user.send(text)
    reply = await user.expect_reply()
    assert (reply.text or "").startswith(expected)
    assert flat(reply.buttons) == MENU_ID


async def test_english_mode(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 410011, "English")
    await user.send("hello")
    hello = await user.expect_reply()
    assert (hello.text or "").startswith("Hello!") and flat(hello.buttons) == MENU_EN
    await user.send("thank you so much")
    assert ((await user.expect_reply()).text or "").startswith("You're welcome")
    await user.send("how much is the fee for ojol drivers")
    fee = (await user.expect_reply()).text or ""
    assert "Ojek / ojol driver" in fee and "Rp8,400" in fee
    await user.send("check my status")
    assert "16 digits" in ((await user.expect_reply()).text or "")
