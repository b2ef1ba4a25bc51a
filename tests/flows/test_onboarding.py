"""The worker's entry through the real Application and the Bot API double: /start → language → consent → menu."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.consent import CONSENT_VERSION
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID
from tests.support.flows import MENU_EN, MENU_ID, flat, onboard


async def test_start_consent_menu_in_indonesian(local_bot: LocalBot) -> None:
    user = local_bot.user(100001, language_code="id")
    await user.send("/start")
    welcome = await user.expect_reply()
    assert "JagaKerja" in (welcome.text or "") and "Pilih bahasa" in (welcome.text or "")
    assert flat(welcome.buttons) == ["Bahasa Indonesia", "English"]
    await user.press("Bahasa Indonesia")
    consent = await user.expect_reply()
    text = consent.text or ""
    for part in ("Untuk apa", "Siapa yang melihat", "Berapa lama", "Hak Anda", "/hapusdata"):
        assert part in text
    assert flat(consent.buttons) == ["✅ Setuju", "❌ Tidak setuju"]
    await user.press("✅ Setuju")
    menu = await user.expect_reply()
    assert "Terima kasih" in (menu.text or "")
    assert flat(menu.buttons) == MENU_ID
    profile = await local_bot.services.users.get(100001)  # type: ignore[union-attr]
    assert profile is not None and profile.language == "id"
    assert (profile.consent_status, profile.consent_version) == ("given", CONSENT_VERSION)
    assert profile.consent_at == local_bot.clock.now()


async def test_start_consent_menu_in_english(local_bot: LocalBot) -> None:
    user = local_bot.user(100002, language_code="en")
    await user.send("/start")
    welcome = await user.expect_reply()
    assert "Choose your language" in (welcome.text or "")
    await user.press("English")
    consent = await user.expect_reply()
    assert "Who sees it" in (consent.text or "")
    await user.press("✅ I agree")
    menu = await user.expect_reply()
    assert flat(menu.buttons) == MENU_EN


async def test_refusing_consent_still_shows_menu_and_is_recorded(local_bot: LocalBot) -> None:
    user = local_bot.user(100003)
    menu = await onboard(local_bot, user, agree=False)
    assert "persetujuan" in (menu.text or "") and flat(menu.buttons) == MENU_ID
    history = await local_bot.services.users.consent_history(100003)  # type: ignore[union-attr]
    assert [(e.decision, e.version) for e in history] == [("refused", CONSENT_VERSION)]


async def test_returning_user_gets_menu_directly(local_bot: LocalBot) -> None:
    user = local_bot.user(100004)
    await onboard(local_bot, user)
    await user.send("/start")
    reply = await user.expect_reply()
    assert "Selamat datang kembali" in (reply.text or "")
    assert flat(reply.buttons) == MENU_ID


async def test_help_button_lists_commands_and_official_channels(local_bot: LocalBot) -> None:
    user = local_bot.user(100005)
    await onboard(local_bot, user)
    await user.press("ℹ️ Bantuan")
    help_reply = await user.expect_reply()
    assert "/hapusdata" in (help_reply.text or "") and "175" in (help_reply.text or "")


async def test_deep_link_payload_is_kept(local_bot: LocalBot) -> None:
    user = local_bot.user(100006)
    await user.send("/start desa_6408012001")
    await user.expect_reply()
    profile = await local_bot.services.users.get(100006)  # type: ignore[union-attr]
    assert profile is not None and profile.start_payload == "desa_6408012001"
    assert profile.region_code == "64.08.01.2001"
    stored = local_bot.app.user_data[100006]["deep_link"]  # type: ignore[union-attr]
    assert stored == {"kind": "desa", "value": "64.08.01.2001", "landed": False}


async def test_unknown_text_and_command_get_help_with_menu(local_bot: LocalBot) -> None:
    user = local_bot.user(100007)
    await onboard(local_bot, user)
    await user.send("asdfgh")
    reply = await user.expect_reply()
    assert "belum mengerti" in (reply.text or "") and flat(reply.buttons) == MENU_ID
    await user.send("/tidakada")
    reply = await user.expect_reply()
    assert "/bantuan" in (reply.text or "") and reply.buttons


async def test_language_command_switches_language(local_bot: LocalBot) -> None:
    user = local_bot.user(100008)
    await onboard(local_bot, user)
    await user.send("/bahasa")
    await user.expect_reply()
    await user.press("English")
    reply = await user.expect_reply()
    assert "Language changed" in (reply.text or "") and flat(reply.buttons) == MENU_EN


async def test_my_data_and_erase(local_bot: LocalBot) -> None:
    user = local_bot.user(100009)
    await onboard(local_bot, user)
    await user.send("/dataku")
    mine = await user.expect_reply()
    assert "100009" in (mine.text or "") and "2026-11-v1" in (mine.text or "")
    await user.send("/hapusdata")
    await user.expect_reply()
    await user.press("↩️ Tidak, simpan")
    assert "tidak ada yang dihapus" in ((await user.expect_reply()).text or "")
    assert await local_bot.services.users.get(100009) is not None  # type: ignore[union-attr]
    await user.send("/hapusdata")
    await user.expect_reply()
    await user.press("🗑 Ya, hapus")
    done = await user.expect_reply()
    assert "sudah dihapus" in (done.text or "")
    services = local_bot.services
    assert services is not None
    assert await services.users.get(100009) is None
    assert await services.users.consent_history(100009) == []


async def test_commands_menu_published_per_language(local_bot: LocalBot) -> None:
    double = local_bot.double
    ids = [c["command"] for c in double.commands_for(None, "id")]
    assert ids[:3] == ["start", "cekstatus", "cekkelayakan"]
    assert "siaran" not in ids  # admin commands only in admins' own chats
    admin_menu = [c["command"] for c in double.commands_for({"type": "chat", "chat_id": ADMIN_ID}, "")]
    assert {"siaran", "statistik", "undang", "tindaklanjut"} <= set(admin_menu)
    descriptions_id = {c["command"]: c["description"] for c in double.commands_for(None, "id")}
    descriptions_en = {c["command"]: c["description"] for c in double.commands_for(None, "en")}
    assert descriptions_id["hapusdata"] == "Hapus data saya"
    assert descriptions_en["hapusdata"] == "Erase my data"


async def test_times_are_shown_in_wita(local_bot: LocalBot) -> None:
    local_bot.clock.set(dt.datetime(2026, 11, 22, 0, 30, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    user = local_bot.user(100010)
    await onboard(local_bot, user)
    await user.send("/dataku")
    assert "22 November 2026 08.30 WITA" in ((await user.expect_reply()).text or "")


async def new_user_at_consent(local_bot: LocalBot, user_id: int) -> TelegramUser:
    user = local_bot.user(user_id)
    await user.send("/start")
    await user.expect_reply()
    await user.press("Bahasa Indonesia")
    await user.expect_reply()  # the consent screen
    return user


@pytest.mark.parametrize("typed", ["ya", "Ya!", "setuju", "Saya setuju.", "ok", "OKE", "iya", "yes", "I agree"])
async def test_typing_yes_at_the_consent_screen_agrees(local_bot: LocalBot, typed: str) -> None:
    user = await new_user_at_consent(local_bot, 100011)
    screen = user.double.messages_to(user.chat_id)[-1]
    await user.send(typed)
    menu = await user.expect_reply()
    assert "Terima kasih" in (menu.text or "") and flat(menu.buttons) == MENU_ID
    profile = await local_bot.services.users.get(100011)  # type: ignore[union-attr]
    assert profile is not None and (profile.consent_status, profile.consent_version) == ("given", CONSENT_VERSION)
    assert user.double.find_message(user.chat_id, screen.message_id).buttons == []  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["apa ini?", "tidak setuju", "siapa yang lihat data saya", "nanti"])
async def test_other_text_at_the_consent_screen_shows_it_again(local_bot: LocalBot, typed: str) -> None:
    user = await new_user_at_consent(local_bot, 100012)
    await user.send(typed)
    again = await user.expect_reply()
    text = again.text or ""
    assert "ketuk ✅ Setuju atau ❌ Tidak setuju" in text and 'ketik "ya"' in text and "Hak Anda" in text
    assert flat(again.buttons) == ["✅ Setuju", "❌ Tidak setuju"]
    assert "belum mengerti" not in text
    profile = await local_bot.services.users.get(100012)  # type: ignore[union-attr]
    assert profile is not None and profile.consent_status is None
    await user.send("setuju")
    assert "Terima kasih" in ((await user.expect_reply()).text or "")


async def test_consent_asked_by_a_command_goes_straight_on(local_bot: LocalBot) -> None:
    """/cekstatus or /daftarminat before agreeing: once agreed (pressed or typed), the feature opens at once."""
    user = local_bot.user(100013)
    await onboard(local_bot, user, agree=False)
    await user.send("/cekstatus")
    await user.expect_replies(2)  # "I need your consent" + the consent screen
    await user.press("✅ Setuju")
    thanks, status = await user.expect_replies(2)
    assert "Terima kasih" in (thanks.text or "") and not thanks.buttons  # no "▶️ Lanjutkan" to tap
    assert "16 angka" in (status.text or "")
    other = await new_user_at_consent(local_bot, 100014)
    await other.send("/daftarminat")
    await other.expect_replies(2)
    await other.send("ya")
    thanks, name_step = await other.expect_replies(2)
    assert "Terima kasih" in (thanks.text or "") and "nama lengkap" in (name_step.text or "")


async def test_a_user_who_refused_is_asked_again_only_once_by_typing(local_bot: LocalBot) -> None:
    user = local_bot.user(100015)
    await onboard(local_bot, user, agree=False)
    await user.send("/cekstatus")
    await user.expect_replies(2)
    await user.send("kenapa?")
    assert "ketuk" in ((await user.expect_reply()).text or "")
    await user.send("kenapa?")  # now the text goes on as usual
    assert "ketuk" not in ((await user.expect_reply()).text or "")
