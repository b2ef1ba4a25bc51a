"""Daftar Minat through the real Application and the Bot API double: the flow, bad inputs, restart, deep link,
duplicate NIK, /minatsaya, /dataku and /hapusdata."""

from __future__ import annotations

from bot.domain.interest import InterestRequestView
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.flows import onboard

NIK = "6408014505900001"  # Kutai Timur (64.08.01), born 5 May 1990


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def tap(user: TelegramUser, label: str) -> BotMessage:
    await user.press(label)
    return await user.expect_reply()


async def say(user: TelegramUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.expect_reply()


async def fill_until_summary(user: TelegramUser, nik: str = NIK, desa: bool = True) -> BotMessage:
    await tap(user, "📝 Daftar Minat")
    await say(user, "Siti Aminah")
    phone_step = await say(user, nik)
    assert "NIK tersimpan: 6408********0001" in (phone_step.text or "")
    await user.press("📱 Kirim nomor saya")
    saved, step = await user.expect_replies(2)
    assert saved.reply_markup == {"remove_keyboard": True} and "0812****7890" in (saved.text or "")
    if desa:
        assert "Kecamatan mana di Kutai Timur" in (step.text or "")
        step = await tap(user, "Muara Ancalong")
        assert "Desa/kelurahan mana di Muara Ancalong" in (step.text or "")
        step = await tap(user, labels(step)[0])
    assert "pekerjaan utama" in (step.text or "")
    await tap(user, "Petani")
    return await tap(user, "⏭ Tanpa catatan")


async def test_full_request_gets_a_reference_and_shows_in_minatsaya(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    notified: list[InterestRequestView] = []

    async def official_hook(request: InterestRequestView) -> None:
        notified.append(request)

    services.interest.subscribe(official_hook)
    user = local_bot.user(420001)
    await onboard(local_bot, user)
    summary = await fill_until_summary(user)
    text = summary.text or ""
    assert "Nama: Siti Aminah" in text and "NIK: 6408********0001" in text and "HP: 0812****7890" in text
    assert NIK not in text and "Muara Ancalong" in text and "Pekerjaan: Petani" in text
    done = await tap(user, "✅ Kirim")
    ref = notified[0].ref
    assert f"Nomor referensi Anda: {ref}" in (done.text or "") and ref.startswith("JK-")
    assert notified[0].nik == NIK and notified[0].desa_code.startswith("64.08.01.")
    mine = await say(user, "/minatsaya")
    assert ref in (mine.text or "") and "Diterima, menunggu desa" in (mine.text or "")
    profile = await services.users.get(420001)
    assert profile is not None and profile.region_code == notified[0].desa_code
    # /dataku lists it (masked); /hapusdata erases it.
    data = await say(user, "/dataku")
    assert ref in (data.text or "") and "6408********0001" in (data.text or "") and NIK not in (data.text or "")
    await say(user, "/hapusdata")
    await tap(user, "🗑 Ya, hapus")
    assert await services.interest.for_user(420001) == []


async def test_consent_comes_first(local_bot: LocalBot) -> None:
    user = local_bot.user(420002)
    await onboard(local_bot, user, agree=False)
    await user.press("📝 Daftar Minat")
    first, consent = await user.expect_replies(2)
    assert "persetujuan" in (first.text or "") and labels(consent) == ["✅ Setuju", "❌ Tidak setuju"]
    await user.press("✅ Setuju")
    thanks, name_step = await user.expect_replies(2)  # straight on: no "▶️ Lanjutkan" to tap
    assert "Terima kasih" in (thanks.text or "") and "nama lengkap" in (name_step.text or "")


async def test_bad_inputs_get_kind_messages_and_lose_nothing(local_bot: LocalBot) -> None:
    user = local_bot.user(420003)
    await onboard(local_bot, user)
    await tap(user, "📝 Daftar Minat")
    for bad, expected in [("A" * 5000, "terlalu panjang"), ("Siti 😀", "tanpa angka atau emoji"),
                          ("12345", "tanpa angka atau emoji")]:
        reply = await say(user, bad)
        assert expected in (reply.text or "") and "nama lengkap" in (reply.text or "")
    await say(user, "Siti Aminah")
    for bad, expected in [("6408014505900", "Anda mengetik 13"), ("64080145O59OOOO1", "tanpa huruf"),
                          ("6408013102900001", "bukan tanggal lahir"), ("6499014505900001", "kode wilayah"),
                          ("6408014505900000", "0000")]:
        reply = await say(user, bad)
        assert expected in (reply.text or ""), (bad, reply.text)
    await say(user, NIK)
    await user.share_contact("+6281298765432", contact_user_id=555)
    other = await user.expect_reply()
    assert "kontak orang lain" in (other.text or "")
    nope = await say(user, "nomor saya rahasia")
    assert "bukan nomor HP Indonesia" in (nope.text or "")
    await user.send("0852 1234 5678")
    saved, _kecamatan = await user.expect_replies(2)
    assert "0852****5678" in (saved.text or "")
    desa = await tap(user, "Muara Ancalong")
    # A forged button for a desa in another kecamatan, and a typed name that is not in the list.
    await user.press_data(desa.message_id, "int:desa:64.08.02.2001")
    outside = await user.expect_reply()
    assert "tidak ada di daftar Muara Ancalong" in (outside.text or "")
    typed = await say(user, "Desa Khayalan")
    assert "tidak ada di Muara Ancalong" in (typed.text or "")
    first_desa = labels(typed)[0]
    work = await say(user, first_desa)  # typing the exact name works too
    assert "pekerjaan utama" in (work.text or "")
    await tap(user, "Nelayan")
    long_note = await say(user, "x" * 400)
    assert "terlalu panjang" in (long_note.text or "")
    summary = await say(user, "Telepon sore hari")
    text = summary.text or ""
    assert "Siti Aminah" in text and "0852****5678" in text and first_desa in text and "Telepon sore hari" in text
    # Edit the name from the summary; everything else stays.
    await tap(user, "✏️ Nama")
    again = await say(user, "Siti Aminah Rahma")
    assert "Siti Aminah Rahma" in (again.text or "") and "Telepon sore hari" in (again.text or "")


async def test_half_finished_request_survives_restart(local_bot: LocalBot) -> None:
    user = local_bot.user(420004)
    await onboard(local_bot, user)
    await tap(user, "📝 Daftar Minat")
    await say(user, "Budi Santoso")
    await local_bot.restart()
    phone = await say(user, NIK)
    assert "Nomor HP berapa" in (phone.text or "")
    await local_bot.restart()
    await user.send("0812 3456 7890")
    await user.expect_replies(2)
    await tap(user, "Muara Ancalong")
    await tap(user, labels(user.last_reply)[0])  # type: ignore[arg-type]
    await tap(user, "Petani")
    summary = await tap(user, "⏭ Tanpa catatan")
    assert "Budi Santoso" in (summary.text or "") and "6408********0001" in (summary.text or "")


async def test_deep_link_preselects_the_desa_and_outside_nik_is_flagged(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    user = local_bot.user(420005)
    await user.send("/start desa_6408012001")
    await user.expect_reply()
    await tap(user, "Bahasa Indonesia")
    await tap(user, "✅ Setuju")  # lands on the poster's desa
    await user.press("📝 Daftar Minat di Senyiur")
    intro = await user.expect_reply()
    assert "dari tautan" in (intro.text or "") and "nama lengkap" in (intro.text or "")
    await say(user, "Rahmat Hidayat")
    await say(user, "6472011203850002")  # a Samarinda NIK
    await user.press("📱 Kirim nomor saya")
    _saved, work = await user.expect_replies(2)
    assert "pekerjaan utama" in (work.text or "")  # no desa picker: the link chose it
    await tap(user, "Ojek / ojol")
    summary = await tap(user, "⏭ Tanpa catatan")
    assert "NIK Anda dari Samarinda, bukan Kutai Timur" in (summary.text or "")
    await tap(user, "✅ Kirim")
    [request] = await services.interest.for_user(420005)
    assert request.desa_code == "64.08.01.2001" and request.nik_outside_region


async def test_same_nik_updates_the_open_request(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    user = local_bot.user(420006)
    await onboard(local_bot, user)
    await fill_until_summary(user)
    await tap(user, "✅ Kirim")
    [first] = await services.interest.for_user(420006)
    await fill_until_summary(user)
    again = await tap(user, "✅ Kirim")
    assert "sudah pernah daftar dengan NIK ini" in (again.text or "") and first.ref in (again.text or "")
    assert [r.ref for r in await services.interest.for_user(420006)] == [first.ref]


async def test_cancel_drops_the_draft(local_bot: LocalBot) -> None:
    user = local_bot.user(420007)
    await onboard(local_bot, user)
    await tap(user, "📝 Daftar Minat")
    await say(user, "Siti Aminah")
    await say(user, NIK)
    await say(user, "/batal")
    assert local_bot.app is not None and "interest" not in local_bot.app.user_data[420007]
    restart = await tap(user, "📝 Daftar Minat")
    assert "nama lengkap" in (restart.text or "")
