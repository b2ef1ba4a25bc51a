"""/dataku shows the stored values (masked where sensitive) and lets the worker correct the open interest request
(✏️, a flow validated like Daftar Minat) or withdraw it (↩️, confirmed); changes reach the officials' card and the
audit log, through the real Application and the Bot API double (issue 13, Build item 3)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from storage.interest import interest_requests
from tests.support.flows import onboard
from tests.support.officials import DESA_A, DESA_B, expect_text, make_official, submit

NIK = "6408014505900001"  # 64.08.01, born 5 May 1990
NEW_NIK = "6408011203850002"  # 64.08.01, born 12 Mar 1985
WORKER = 300001


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def tap(user: TelegramUser, label: str) -> BotMessage:
    await user.press(label)
    return await user.expect_reply()


async def say(user: TelegramUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.expect_reply()


async def worker_with_request(bot: LocalBot, user_id: int = WORKER, **fields: str) -> tuple[TelegramUser, str, int]:
    user = bot.user(user_id)
    await onboard(bot, user)
    request = await submit(bot, user_id, DESA_A, nik=NIK, name="Siti Aminah", phone="+6281234567890", **fields)
    return user, request.ref, request.id


async def card_of(official: TelegramUser, queue_filter: str = "Open") -> BotMessage:
    await official.send("/tindaklanjut")
    await expect_text(official, "Follow-up")
    if queue_filter != "Open":
        await official.press(queue_filter)
        await official.expect_edit()
    await official.press_index(1)
    return await official.expect_edit()


async def test_dataku_shows_values_masked_with_buttons_for_the_open_request(local_bot: LocalBot) -> None:
    user, ref, _id = await worker_with_request(local_bot, note="Sore saja")
    data = await say(user, "/dataku")
    text = data.text or ""
    assert f"Permintaan Daftar Minat {ref}" in text and "(menunggu desa)" in text
    assert "Nama: Siti Aminah" in text and "NIK: 6408********0001" in text and "HP: 0812****7890" in text
    assert "Tanggal lahir: **/**/1990" in text and "Desa: Senyiur, Muara Ancalong" in text
    assert "Pekerjaan: Ojek" in text and "Catatan: Sore saja" in text
    assert NIK not in text and "81234567890" not in text and "05/1990" not in text
    assert "Info: Anda terima (untuk berhenti: /berhenti)" in text
    assert labels(data) == ["✏️ Ubah nama", "✏️ Ubah NIK", "✏️ Ubah HP", "✏️ Ubah desa", "✏️ Ubah pekerjaan",
                            "✏️ Ubah catatan", "↩️ Tarik permintaan"]


async def test_phone_change_is_validated_encrypted_audited_and_on_the_card(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    official = await make_official(local_bot, 500001, [DESA_A])
    user, ref, request_id = await worker_with_request(local_bot)
    await say(user, "/dataku")
    ask = await tap(user, "✏️ Ubah HP")
    assert "Nomor HP" in (ask.text or "") and "/batal" in (ask.text or "")
    wrong = await say(user, "nomor saya rahasia")  # invalid: a kind message, the step stays
    assert "bukan nomor HP Indonesia" in (wrong.text or "")
    await user.send("0852 1234 5678")
    saved, done = await user.expect_replies(2)
    assert saved.reply_markup == {"remove_keyboard": True} and "0852****5678" in (saved.text or "")
    assert "Sudah diubah" in (done.text or "") and "HP: 0852****5678" in (done.text or "")
    assert "Terakhir Anda ubah" in (done.text or "") and "✏️ Ubah nama" in labels(done)
    [mine] = await services.interest.for_user(WORKER)
    assert mine.phone == "+6285212345678" and mine.worker_changed_at is not None
    async with services.db.read() as conn:
        row = (await conn.execute(sa.select(interest_requests).where(interest_requests.c.id == request_id))).one()
    assert "5212345678" not in repr(tuple(row))  # stored encrypted like the original
    [entry] = [e for e in await services.audit.recent() if e.action == "worker_edit"]
    assert entry.actor_id == WORKER and entry.target == ref and entry.detail == "phone"
    assert entry.area_code == DESA_A and "5678" not in repr(entry)
    card = await card_of(official)
    assert "+6285212345678" in (card.text or "") and "✏️ Changed by the worker on" in (card.text or "")
    assert "WITA" in (card.text or "").split("Changed by the worker on")[1]


async def test_nik_change_is_checked_like_daftar_minat_and_deleted_from_the_chat(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    user, _ref, request_id = await worker_with_request(local_bot)
    await say(user, "/dataku")
    await tap(user, "✏️ Ubah NIK")
    for bad, expected in [("6408014505900", "Anda mengetik 13"), ("6408013102900001", "bukan tanggal lahir")]:
        reply = await say(user, bad)
        assert expected in (reply.text or "") and "Ketik NIK Anda" in (reply.text or ""), reply.text
    await user.send(NEW_NIK)
    nik_message_id = user.last_sent["message_id"]  # type: ignore[index]
    done = await user.expect_reply()
    assert local_bot.double.is_deleted(user.chat_id, nik_message_id)
    assert "NIK: 6408********0002" in (done.text or "") and NEW_NIK not in (done.text or "")
    assert "Tanggal lahir: **/**/1985" in (done.text or "")
    [mine] = await services.interest.for_user(WORKER)
    assert mine.id == request_id and mine.nik == NEW_NIK and mine.birth_date.isoformat() == "1985-03-12"
    # The same NIK through Daftar Minat again updates this request (the NIK hash moved with it).
    again = await submit(local_bot, WORKER, DESA_A, nik=NEW_NIK)
    assert again.id == request_id


async def test_edit_survives_a_restart_and_batal_leaves_without_change(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    user, _ref, _id = await worker_with_request(local_bot, note="Pagi")
    await say(user, "/dataku")
    ask = await tap(user, "✏️ Ubah nama")
    assert "nama lengkap" in (ask.text or "")
    await local_bot.restart()
    emoji = await say(user, "Siti 😀")
    assert "tanpa angka atau emoji" in (emoji.text or "")
    done = await say(user, "Siti  Aminah  Rahayu")
    assert "Nama: Siti Aminah Rahayu" in (done.text or "")
    await tap(user, "✏️ Ubah catatan")
    stopped = await say(user, "/batal")
    assert "dihentikan" in (stopped.text or "")
    [mine] = await services.interest.for_user(WORKER)
    assert mine.name == "Siti Aminah Rahayu" and mine.note == "Pagi"
    await user.send("halo")  # no longer taken as a note
    await user.expect_reply()
    [mine] = await services.interest.for_user(WORKER)
    assert mine.note == "Pagi"


async def test_desa_change_through_the_picker_moves_the_request(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    official_a = await make_official(local_bot, 500001, [DESA_A])
    user, _ref, _id = await worker_with_request(local_bot)
    await say(user, "/dataku")
    kecamatan = await tap(user, "✏️ Ubah desa")
    assert "Kecamatan mana di Kutai Timur" in (kecamatan.text or "")
    typed = await say(user, "Muara Wahau")  # text at a button step: a kind message, the step stays
    assert "Silakan pilih salah satu tombol" in (typed.text or "") and "Kecamatan mana" in (typed.text or "")
    desa = await tap(user, "Muara Wahau")
    assert "Desa/kelurahan mana di Muara Wahau" in (desa.text or "")
    done = await tap(user, "Jak Luay")
    assert "Desa: Jak Luay, Muara Wahau" in (done.text or "")
    [mine] = await services.interest.for_user(WORKER)
    assert mine.desa_code == DESA_B and mine.kecamatan_code == "64.08.02"
    profile = await services.users.get(WORKER)
    assert profile is not None and profile.region_code == DESA_B
    await official_a.send("/tindaklanjut")
    assert "Open: 0" in ((await expect_text(official_a, "Follow-up")).text or "")
    entry = next(e for e in await services.audit.recent() if e.action == "worker_edit")
    assert entry.detail == f"desa {DESA_A}→{DESA_B}"


async def test_withdraw_asks_first_leaves_the_open_list_and_a_new_request_can_follow(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    official = await make_official(local_bot, 500001, [DESA_A])
    user, ref, request_id = await worker_with_request(local_bot)
    await say(user, "/dataku")
    ask = await tap(user, "↩️ Tarik permintaan")
    assert f"Tarik permintaan {ref}?" in (ask.text or "")
    await user.press("Tidak, biarkan")
    assert "tetap ada" in ((await user.expect_edit()).text or "")
    assert (await services.interest.for_user(WORKER))[0].status == "new"
    await tap(user, "↩️ Tarik permintaan")
    await user.press("↩️ Ya, tarik")
    assert f"Permintaan {ref} sudah ditarik" in ((await user.expect_edit()).text or "")
    [mine] = await services.interest.for_user(WORKER)
    assert mine.status == "withdrawn"
    [entry] = [e for e in await services.audit.recent() if e.action == "withdraw"]
    assert entry.actor_id == WORKER and entry.target == ref and entry.detail == "new→withdrawn"
    await official.send("/tindaklanjut")
    assert "Open: 0" in ((await expect_text(official, "Follow-up")).text or "")
    card = await card_of(official, "All")
    assert "Withdrawn by the worker" in (card.text or "") and "↩️ Withdrawn by the worker on" in (card.text or "")
    assert not any("Contacted" in label or "Registered" in label for label in labels(card))
    # An old ✏️ button now answers kindly; /dataku offers no buttons for it; /minatsaya says withdrawn.
    await user.press("✏️ Ubah HP")
    assert "sudah ditutup" in ((await user.expect_reply()).text or "")
    data = await say(user, "/dataku")
    assert "(sudah Anda tarik)" in (data.text or "") and labels(data) == []
    assert "Sudah Anda tarik" in ((await say(user, "/minatsaya")).text or "")
    again = await submit(local_bot, WORKER, DESA_A, nik=NIK)
    assert again.id != request_id and again.ref != ref and again.status == "new"


async def test_closed_request_cannot_be_changed_and_erasure_anonymises_the_audit(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    official = await make_official(local_bot, 500001, [DESA_A])
    user, _ref, request_id = await worker_with_request(local_bot)
    await say(user, "/dataku")
    await tap(user, "✏️ Ubah catatan")
    await say(user, "Telepon sore")
    await official.send("/tindaklanjut")
    await expect_text(official, "Follow-up")
    await official.press_index(1)
    await official.expect_edit()
    await official.press("✅ Registered")
    await official.expect_edit()
    await official.press("✅ Yes, registered")
    await official.expect_edit()
    await user.expect_reply()  # "Good news"
    await user.press("✏️ Ubah nama")  # the button under the earlier answer
    assert "sudah ditutup" in ((await user.expect_reply()).text or "")
    [mine] = await services.interest.for_user(WORKER)
    assert mine.status == "registered" and mine.note == "Telepon sore" and mine.id == request_id
    await say(user, "/hapusdata")
    await tap(user, "🗑 Ya, hapus")
    assert all(e.actor_id != WORKER for e in await services.audit.recent())
    assert [e.actor_id for e in await services.audit.recent() if e.action == "worker_edit"] == [0]
