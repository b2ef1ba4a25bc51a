"""Roster operations that cannot lose data, in chat (issue 12): a replace that would end more than 10% of the
region shows who would end and asks a second time; a smaller one goes through at once; "↩️ Batalkan impor ini"
restores exactly the rows before the import (a dump compared); an earlier import is undone only after the later
one that changed the same people."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa

from bot.domain.roster_files import sample_rows
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from storage.roster import roster_members
from tests.conftest import ADMIN_ID
from tests.flows.test_roster_chat import edit_until, labels
from tests.support.roster import BUDI, SITI, roster_csv


async def dump(local_bot: LocalBot) -> list[tuple[Any, ...]]:
    services = local_bot.services
    assert services is not None
    async with services.db.read() as conn:
        return [tuple(r) for r in await conn.execute(sa.select(roster_members).order_by(roster_members.c.id))]


async def upload(admin: TelegramUser, name: str, data: bytes, press: str) -> Any:
    await admin.send_document(name, data)
    message = await admin.expect_reply()
    await edit_until(admin, message, "valid")
    await admin.press_data(message.message_id, {"➕": "roster:go:upsert", "🔁": "roster:go:replace"}[press])
    return message


async def test_a_large_replace_asks_twice_and_undo_restores_the_rows(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    admin = local_bot.user(ADMIN_ID)
    first = await upload(admin, "all.csv", roster_csv([SITI, BUDI, *sample_rows(8)]), "➕")
    await edit_until(admin, first, "berhasil diimpor")
    before = await dump(local_bot)

    renewed = dataclasses.replace(BUDI, berakhir=dt.date(2027, 6, 30))
    await admin.send_document("kecil.csv", roster_csv([renewed, *list(sample_rows(9))[8:]]))
    small = await admin.expect_reply()
    checked = await edit_until(admin, small, "valid")
    text = checked.text or ""
    assert "🔁 Ganti: baru 1, diperbarui 1, diakhiri 9 (90% dari 10 orang yang terdaftar sekarang)" in text
    assert ("• Sangatta Utara: baru 0, diperbarui 0, diakhiri 3\n"  # per kecamatan, by name, most changed first
            "• Muara Ancalong: baru 0, diperbarui 1, diakhiri 1") in text
    await admin.press("🔁 Ganti daftar wilayah")
    asked = await edit_until(admin, small, "akan mengakhiri")
    assert "mengakhiri 9 dari 10 orang" in (asked.text or "")
    assert labels(asked) == ["⚠️ Ya, ganti dan akhiri 9", "➕ Tambah dan perbarui saja", "✖️ Batal"]
    assert await dump(local_bot) == before  # nothing done before the second confirmation
    await admin.press("⚠️ Ya, ganti dan akhiri 9")
    done = await edit_until(admin, small, "berhasil diimpor")
    assert "baru: 1, diperbarui: 1, diakhiri: 9" in (done.text or "")
    assert labels(done) == ["↩️ Batalkan impor ini", "🏠 Menu utama"]
    assert await services.roster.count_by_area("64.08") == 2

    await admin.press("↩️ Batalkan impor ini")
    ask = await edit_until(admin, small, "Batalkan impor")
    assert "1 orang yang ditambahkan dihapus, 1 orang yang diperbarui" in (ask.text or "")
    await admin.press("↩️ Ya, batalkan impor")
    await edit_until(admin, small, "sudah dibatalkan")
    assert await dump(local_bot) == before  # exactly the rows before, every column
    await local_bot.settle(await admin.press_data(small.message_id, "rundo:yes:2"))  # a second tap
    assert "sudah dibatalkan" in local_bot.double.callback_answers[-1].get("text", "")
    assert [e.action for e in await services.audit.recent()][:3] == ["roster_undo", "roster_import", "roster_import"]


async def test_a_small_replace_goes_through_and_undo_goes_in_reverse_order(local_bot: LocalBot) -> None:
    services = local_bot.services
    assert services is not None
    admin = local_bot.user(ADMIN_ID)
    rows = [SITI, BUDI, *sample_rows(18)]
    first = await upload(admin, "a.csv", roster_csv(rows), "➕")
    await edit_until(admin, first, "berhasil diimpor")
    second = await upload(admin, "b.csv", roster_csv(rows[1:]), "🔁")  # ends 1 of 20 (5%): no question
    await edit_until(admin, second, "diakhiri: 1")
    await local_bot.settle(await admin.press_data(first.message_id, "rundo:ask:1"))
    answer = local_bot.double.callback_answers[-1]
    assert "Impor 2 (b.csv) mengubah orang yang sama setelah impor 1: batalkan dulu impor 2" in answer.get("text", "")
    await admin.press_data(second.message_id, "rundo:ask:2")
    await edit_until(admin, second, "Batalkan impor 2")
    await admin.press("↩️ Ya, batalkan impor")
    await edit_until(admin, second, "sudah dibatalkan")
    await admin.press_data(first.message_id, "rundo:ask:1")
    await edit_until(admin, first, "Batalkan impor 1")
    await admin.press("✖️ Tidak, biarkan")
    await edit_until(admin, first, "tetap berlaku")
    assert await services.roster.count_by_area("64.08") == 20
