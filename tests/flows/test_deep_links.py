"""Links land where they point (issue 13): a poster's `desa_<code>` names the desa and offers Daftar Minat with
it filled in, for new users (after language and consent, even across a restart) and returning ones; a feature's
link opens the feature; an invite opens the invite; anything unknown or forged gets the normal welcome."""

from __future__ import annotations

import pytest

from bot.domain.deeplink import FEATURE_LINKS, desa_payload, feature_payload, parse_payload
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import MENU_ID, flat, onboard
from tests.support.officials import invite_code

SENYIUR = "64.08.01.2001"
POSTER = "/start desa_6408012001"
LANDING = "Anda datang dari poster Desa Senyiur, Kec. Muara Ancalong (Kabupaten Kutai Timur)."


async def fill_to_work_step(user: TelegramUser, nik: str = "6408014505900001") -> BotMessage:
    """Name → NIK → phone: with the desa filled in, the next question is the work (no desa picker)."""
    await user.send("Siti Aminah")
    await user.expect_reply()
    await user.send(nik)
    await user.expect_reply()
    await user.press("📱 Kirim nomor saya")
    _saved, step = await user.expect_replies(2)
    return step


async def test_poster_link_new_user_lands_on_the_desa_after_language_and_consent(local_bot: LocalBot) -> None:
    user = local_bot.user(610001)
    await user.send(POSTER)
    assert "Pilih bahasa" in ((await user.expect_reply()).text or "")
    await user.press("Bahasa Indonesia")
    await user.expect_reply()  # consent
    await user.press("✅ Setuju")
    landed = await user.expect_reply()
    text = landed.text or ""
    assert "Terima kasih" in text and LANDING in text
    assert flat(landed.buttons) == ["📝 Daftar Minat di Senyiur", "🏠 Menu utama"]
    await user.press("📝 Daftar Minat di Senyiur")
    first = await user.expect_reply()
    assert "Senyiur" in (first.text or "") and "nama lengkap" in (first.text or "")
    assert "pekerjaan utama" in ((await fill_to_work_step(user)).text or "")
    assert local_bot.app is not None
    assert local_bot.app.user_data[610001]["interest"]["desa_code"] == SENYIUR


async def test_poster_link_survives_a_restart_between_language_and_consent(local_bot: LocalBot) -> None:
    user = local_bot.user(610002)
    await user.send(POSTER)
    await user.expect_reply()
    await user.press("Bahasa Indonesia")
    await user.expect_reply()  # consent
    await local_bot.restart()
    await user.press("✅ Setuju")
    assert LANDING in ((await user.expect_reply()).text or "")


async def test_poster_link_after_refusing_consent_still_names_the_desa(local_bot: LocalBot) -> None:
    user = local_bot.user(610003)
    await user.send(POSTER)
    await user.expect_reply()
    await user.press("Bahasa Indonesia")
    await user.expect_reply()
    await user.press("❌ Tidak setuju")
    landed = await user.expect_reply()
    assert "persetujuan" in (landed.text or "") and LANDING in (landed.text or "")
    await user.press("📝 Daftar Minat di Senyiur")  # asks for consent first, then goes straight on
    first, consent = await user.expect_replies(2)
    assert "persetujuan" in (first.text or "") and flat(consent.buttons) == ["✅ Setuju", "❌ Tidak setuju"]
    await user.press("✅ Setuju")
    thanks, name_step = await user.expect_replies(2)
    assert "Terima kasih" in (thanks.text or "") and not thanks.buttons
    assert "Senyiur" in (name_step.text or "") and "nama lengkap" in (name_step.text or "")


async def test_poster_link_returning_user(local_bot: LocalBot) -> None:
    user = local_bot.user(610004)
    await onboard(local_bot, user)
    await user.send(POSTER)
    landed = await user.expect_reply()
    assert "Selamat datang kembali" in (landed.text or "") and LANDING in (landed.text or "")
    await user.press("📝 Daftar Minat di Senyiur")
    assert "nama lengkap" in ((await user.expect_reply()).text or "")
    assert "pekerjaan utama" in ((await fill_to_work_step(user)).text or "")
    # the link landed once: a later /start is the usual welcome
    await user.send("/start")
    again = await user.expect_reply()
    assert "Selamat datang kembali" in (again.text or "") and flat(again.buttons) == MENU_ID


async def test_region_names_read_as_people_say_them(local_bot: LocalBot) -> None:
    """A Jakarta NIK in a Kutai Timur desa: "NIK Anda dari Jakarta Pusat", not "Administrasi Jakarta Pusat"."""
    user = local_bot.user(610006)
    await onboard(local_bot, user)
    await user.send(POSTER)
    await user.expect_reply()
    await user.send("/daftarminat")  # the poster's desa is filled in
    await user.expect_reply()
    await fill_to_work_step(user, nik="3171014505900001")  # Gambir, Kota Administrasi Jakarta Pusat
    await user.press("Petani")
    await user.expect_reply()
    await user.press("⏭ Tanpa catatan")
    summary = (await user.expect_reply()).text or ""
    assert "NIK Anda dari Jakarta Pusat, bukan Kutai Timur" in summary and "Administrasi" not in summary


async def test_daftarminat_with_a_desa_code(local_bot: LocalBot) -> None:
    user = local_bot.user(610005)
    await onboard(local_bot, user)
    await user.send("/daftarminat 6408012001")
    assert "Senyiur" in ((await user.expect_reply()).text or "")


@pytest.mark.parametrize("command", sorted(FEATURE_LINKS))
async def test_feature_links_open_their_feature(local_bot: LocalBot, command: str) -> None:
    typed, linked = local_bot.user(620001), local_bot.user(620002)
    for user in (typed, linked):
        await onboard(local_bot, user)
    await typed.send(f"/{command}")
    expected = await typed.expect_reply()
    await linked.send(f"/start {feature_payload(command)}")
    got = await linked.expect_reply()
    assert (got.text, got.buttons) == (expected.text, expected.buttons)


async def test_feature_link_new_user_goes_straight_on_after_consent(local_bot: LocalBot) -> None:
    user = local_bot.user(620003)
    await user.send("/start cekstatus")
    await user.expect_reply()
    await user.press("Bahasa Indonesia")
    await user.expect_reply()
    await user.press("✅ Setuju")
    thanks, status = await user.expect_replies(2)
    assert "Terima kasih" in (thanks.text or "") and not thanks.buttons
    assert "16 angka" in (status.text or "")


async def test_feature_link_after_refusal(local_bot: LocalBot) -> None:
    """A link to a feature that asks for personal data lands on the menu after a refusal; others open."""
    status_user, fee_user = local_bot.user(620004), local_bot.user(620005)
    for user, payload in ((status_user, "cekstatus"), (fee_user, "iuran")):
        await user.send(f"/start {payload}")
        await user.expect_reply()
        await user.press("Bahasa Indonesia")
        await user.expect_reply()
        await user.press("❌ Tidak setuju")
    menu = await status_user.expect_reply()
    assert flat(menu.buttons) == MENU_ID
    refused, calculator = await fee_user.expect_replies(2)
    assert "persetujuan" in (refused.text or "") and "Hitung iuran" in (calculator.text or "")


async def test_invite_link_opens_the_invite_for_a_new_user(local_bot: LocalBot) -> None:
    code = await invite_code(local_bot, [SENYIUR])  # the payload, inv_…
    user = local_bot.user(630001)
    await user.send(f"/start {code}")
    invite = await user.expect_reply()
    assert "Senyiur" in (invite.text or "") and len(flat(invite.buttons)) == 2


@pytest.mark.parametrize("payload", [
    "desa_9999999999",  # no such desa
    "desa_6408",  # not a desa code
    "desa_64.08.01.2001",  # dots are not allowed in a payload
    "ref_abc", "cekstatus_x", "-", "x" * 64, "x" * 65, "<b>hi</b>", "%2Fstart",
])
async def test_unknown_or_forged_payloads_get_the_normal_welcome(local_bot: LocalBot, payload: str) -> None:
    returning, new = local_bot.user(640001), local_bot.user(640002)
    await onboard(local_bot, returning)
    await returning.send(f"/start {payload}")
    welcome = await returning.expect_reply()
    assert "Selamat datang kembali" in (welcome.text or "") and flat(welcome.buttons) == MENU_ID
    await new.send(f"/start {payload}")
    assert "Pilih bahasa" in ((await new.expect_reply()).text or "")
    await new.press("Bahasa Indonesia")
    await new.expect_reply()
    await new.press("✅ Setuju")
    menu = await new.expect_reply()
    assert "Terima kasih" in (menu.text or "") and flat(menu.buttons) == MENU_ID


def test_payloads_the_bot_makes_parse_back() -> None:
    assert parse_payload(desa_payload(SENYIUR)) is not None
    for command in FEATURE_LINKS:
        link = parse_payload(feature_payload(command))
        assert link is not None and (link.kind, link.value) == ("feature", command)
    with pytest.raises(ValueError):
        feature_payload("hapusdata")
