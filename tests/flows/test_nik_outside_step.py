"""A NIK typed outside a NIK step is deleted from the chat, and numbers or dates typed at the menu are not taken
for an income (issue 13), through the real Application and the Bot API double."""

from __future__ import annotations

import pytest

from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import MENU_ID, flat, onboard

NIK = "6408014505900001"
UNKNOWN_NIK = "6408015505920002"


async def ready(local_bot: LocalBot, user_id: int) -> TelegramUser:
    user = local_bot.user(user_id)
    await onboard(local_bot, user)
    return user


async def send_nik(local_bot: LocalBot, user: TelegramUser, text: str) -> str:
    """Send `text`; the reply, after checking the message was deleted and the NIK not echoed."""
    await user.send(text)
    sent = user.last_sent["message_id"]  # type: ignore[index]
    reply = await user.expect_reply()
    assert local_bot.double.is_deleted(user.chat_id, sent)
    assert NIK not in (reply.text or "")
    return reply.text or ""


@pytest.mark.parametrize("text", [NIK, "6408 0145 0590 0001", "6408.0145.0590.0001", f"nik saya {NIK} sudah aktif?"])
async def test_nik_at_the_menu_is_deleted(local_bot: LocalBot, text: str) -> None:
    user = await ready(local_bot, 420001)
    reply = await send_nik(local_bot, user, text)
    assert "🔒" in reply and "saya hapus" in reply
    labels = flat(user.last_reply.buttons)  # type: ignore[union-attr]
    assert "🛡 Cek Status Perlindungan" in labels and "📝 Daftar Minat" in labels
    await user.press("🛡 Cek Status Perlindungan")  # the offer leads to the step that asks for the NIK
    assert "16 angka" in ((await user.expect_reply()).text or "")


async def test_nik_at_the_name_step_is_deleted_and_the_name_asked_again(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 420002)
    await user.send("/daftarminat")
    name_prompt = await user.expect_reply()
    reply = await send_nik(local_bot, user, NIK)
    assert "🔒" in reply and "saya hapus" in reply
    assert (name_prompt.text or "").splitlines()[0] in reply  # the name step again
    await user.send("Siti Aminah")
    assert "NIK" in ((await user.expect_reply()).text or "")


async def test_nik_after_the_status_quota_refusal_is_deleted(local_bot: LocalBot) -> None:
    user = await ready(local_bot, 420003)
    for _ in range(5):
        await user.press("🛡 Cek Status Perlindungan")
        await user.expect_reply()
        await user.send(UNKNOWN_NIK)
        await user.expect_reply()
        await user.send("Siti Aminah")
        await user.expect_reply()
    await user.press("🛡 Cek Status Perlindungan")
    assert "Jatah cek Anda hari ini sudah habis" in ((await user.expect_reply()).text or "")
    reply = await send_nik(local_bot, user, NIK)
    assert "🔒" in reply


@pytest.mark.parametrize("text", ["317101", "30", "16/05/1985", "15 mei 1985", "2"])
async def test_numbers_and_dates_at_the_menu_are_not_an_income(local_bot: LocalBot, text: str) -> None:
    user = await ready(local_bot, 420004)
    await user.send(text)
    reply = await user.expect_reply()
    assert (reply.text or "").startswith("Maksudnya apa?")
    assert "penghasilan" not in (reply.text or "").lower()
    assert flat(reply.buttons) == MENU_ID


@pytest.mark.parametrize("text", ["1.500.000", "2jt", "800rb", "1500000"])
async def test_a_plausible_income_at_the_menu_offers_the_calculator(local_bot: LocalBot, text: str) -> None:
    user = await ready(local_bot, 420005)
    await user.send(text)
    reply = await user.expect_reply()
    assert "penghasilan" in (reply.text or "").lower()
    assert "🧮 Hitung iuran" in flat(reply.buttons)
