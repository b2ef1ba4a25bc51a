"""No orphaned request (issue 12): a Daftar Minat request reaches whoever follows its desa up — the desa's
officials, else the kecamatan's, else the kabupaten's, else the admins — the worker is told honestly who that is,
and the admins' 08:00 message lists the desa with waiting requests and no official, with a working invite button."""

from __future__ import annotations

import datetime as dt

from bot.domain.clock import FixedClock
from bot.domain.i18n import translator
from bot.domain.routing import follow_up_text, route
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.followup_jobs import run_daily_digest
from storage.officials import OfficialRecord
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard
from tests.support.officials import DESA_A, DESA_A2, DESA_B, KEC_K, expect_text, make_official, submit

NIK = "6408014505900001"


def news(user: TelegramUser) -> list[str]:
    """The new-request notices this chat got."""
    return [m.text or "" for m in user.double.messages_to(user.chat_id) if "🆕" in (m.text or "")]


async def request_through_the_bot(bot: LocalBot, user_id: int, desa: str) -> BotMessage:
    """Daftar Minat for `desa` (its poster's command), through the chat; returns the confirmation."""
    worker = bot.user(user_id)
    await onboard(bot, worker)
    await worker.send(f"/daftarminat {desa.replace('.', '')}")
    await expect_text(worker, "nama lengkap")
    await worker.send("Siti Aminah")
    await expect_text(worker, "NIK")
    await worker.send(NIK)
    await expect_text(worker, "nomor")
    await worker.press("📱 Kirim nomor saya")
    await expect_text(worker, "pekerjaan utama")
    await worker.press("Petani")
    await expect_text(worker, "catatan")
    await worker.press("⏭ Tanpa catatan")
    await expect_text(worker, "Cek dulu")
    await worker.press("✅ Kirim")
    return await expect_text(worker, "Nomor referensi")


async def test_a_desa_without_official_reaches_the_kecamatan_official(local_bot: LocalBot) -> None:
    kecamatan = await make_official(local_bot, 500002, [KEC_K])
    neighbour = await make_official(local_bot, 500001, [DESA_A2])  # another desa of the same kecamatan
    done = await request_through_the_bot(local_bot, 200001, DESA_A)
    text = done.text or ""
    assert "Desa Senyiur belum punya petugas di bot ini, jadi petugas Kecamatan Muara Ancalong yang akan " \
           "menghubungi Anda." in text
    assert "Petugas Senyiur akan menghubungi" not in text
    notice = await expect_text(kecamatan, "New request")
    assert "Senyiur" in (notice.text or "")
    assert news(neighbour) == []
    await kecamatan.send("/tindaklanjut")  # the kecamatan official's queue holds it
    queue = await expect_text(kecamatan, "Follow-up")
    assert any("Siti Aminah" in label for row in queue.buttons for label in row)
    # Once the desa has its own official, its requests go to them (not to the kecamatan any more).
    desa = await make_official(local_bot, 500003, [DESA_A])
    request = await submit(local_bot, 200002, DESA_A, name="Budi Santoso")
    assert request.ref in (await expect_text(desa, "New request")).text  # type: ignore[operator]
    assert not any(request.ref in n for n in news(kecamatan))


async def test_with_no_official_around_the_admins_hear_and_the_worker_is_told_the_district_team(
        local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/start")
    await admin.expect_reply()
    other_kecamatan = await make_official(local_bot, 500009, ["64.08.02"])  # Muara Wahau: not Senyiur's
    done = await request_through_the_bot(local_bot, 200003, DESA_A)
    assert "jadi tim Disnakertrans Kabupaten Kutai Timur yang akan menghubungi Anda" in (done.text or "")
    notice = await expect_text(admin, "New request")
    assert "Siti Aminah" in (notice.text or "")
    assert news(other_kecamatan) == []
    await admin.press("Open")
    card = await admin.expect_edit()
    assert "Senyiur" in (card.text or "") and "6408********0001" in (card.text or "")


async def test_admins_morning_list_names_desa_without_official_with_an_invite_that_works(
        local_bot: LocalBot, clock: FixedClock) -> None:
    admin = local_bot.user(ADMIN_ID)  # Indonesian
    await admin.send("/start")
    await admin.expect_reply()
    kecamatan_b = await make_official(local_bot, 500004, ["64.08.02"])
    await make_official(local_bot, 500005, [DESA_A2])
    for user_id, desa in ((200011, DESA_A), (200012, DESA_A), (200013, DESA_B), (200014, DESA_A2)):
        await submit(local_bot, user_id, desa, name=f"Pekerja {user_id}")
    await expect_text(kecamatan_b, "New request")
    clock.set(dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC))  # 08:00 WITA
    assert local_bot.services is not None and local_bot.app is not None
    await run_daily_digest(local_bot.services, local_bot.app.bot)
    morning = await expect_text(admin, "belum punya petugas sendiri")
    text = morning.text or ""
    assert "2 desa punya permintaan" in text
    assert "Senyiur (Muara Ancalong) · 2 permintaan menunggu · belum ada petugas: hanya admin" in text
    assert "Jak Luay (Muara Wahau) · 1 permintaan menunggu · sementara ditindaklanjuti petugas " \
           "Kecamatan Muara Wahau" in text
    assert "Kelinjau Ilir" not in text  # it has its own official
    assert [label for row in morning.buttons for label in row] == ["✉️ Undang petugas Desa Senyiur",
                                                                   "✉️ Undang petugas Desa Jak Luay"]
    await admin.press("✉️ Undang petugas Desa Senyiur")
    invite = await expect_text(admin, "Undangan dibuat")
    assert "Senyiur (Muara Ancalong)" in (invite.text or "")
    shown = local_bot.double.find_message(admin.chat_id, morning.message_id)
    assert shown is not None and not shown.edits  # the list stays, with its other buttons
    link = (invite.text or "").split("start=")[1].split()[0]
    official = local_bot.user(500006, language_code="en")
    await official.send(f"/start {link}")
    await official.expect_reply()
    await official.press("✅ Accept")
    await official.expect_edit()
    assert await local_bot.services.officials.officials_for(DESA_A) == [500006]
    await run_daily_digest(local_bot.services, local_bot.app.bot)
    again = await expect_text(admin, "belum punya petugas sendiri")
    assert "Senyiur" not in (again.text or "") and "Jak Luay" in (again.text or "")


async def test_the_invite_button_is_for_admins_only(local_bot: LocalBot) -> None:
    from handlers.followup_jobs import InviteForDesa

    official = await make_official(local_bot, 500007, [KEC_K])
    assert local_bot.services is not None
    before = len(await local_bot.services.audit.recent())
    last = local_bot.double.messages_to(500007)[-1]
    await local_bot.settle(await official.press_data(last.message_id, InviteForDesa(DESA_A).pack()))
    assert not any("start=inv_" in t for t in [m.text or "" for m in local_bot.double.messages_to(500007)])
    assert len(await local_bot.services.audit.recent()) == before  # no invite was made


def _official(user_id: int, role: str, *areas: str) -> OfficialRecord:
    return OfficialRecord(user_id, role, areas, None, None, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None)


def test_the_route_and_the_words_for_each_level() -> None:
    active = [_official(1, "official", DESA_A), _official(2, "official", KEC_K), _official(3, "official", "64.08"),
              _official(4, "admin")]
    assert route(DESA_A, active, {9}).people == (1,) and route(DESA_A, active, {9}).level == "desa"
    assert route(DESA_A2, active, {9}).people == (2,)
    assert route(DESA_B, active, {9}).level == "kabupaten"
    nobody = route("64.74.01.1001", active, {9})  # Bontang Kuala: nobody in Kota Bontang
    assert nobody.level == "admins" and nobody.people == (4, 9) and nobody.area_code == "64.74"
    assert route(None, active, {9}).people == (4, 9)
    t = translator("en")
    assert follow_up_text(t, "64.74.01.1001", nobody) == ("Kelurahan Bontang Kuala has no official in this bot "
                                                         "yet, so the Disnakertrans team of Kota Bontang will "
                                                         "contact you.")
    assert follow_up_text(t, DESA_A, route(DESA_A, active, {9})) == "The officials of Desa Senyiur will contact you."
