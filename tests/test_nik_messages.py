"""A NIK typed by the worker is deleted from the chat once read (shared phones), and never echoed in full."""

from __future__ import annotations

from bot.testing.runtime import LocalBot
from tests.flows import onboard

NIK = "6408014505900001"


async def test_status_check_deletes_the_typed_nik(local_bot: LocalBot) -> None:
    user = local_bot.user(310001)
    await onboard(local_bot, user)
    await user.send("/cekstatus")
    await user.expect_reply()
    await user.send(NIK)
    nik_message_id = user.last_sent["message_id"]  # type: ignore[index]
    reply = await user.expect_reply()
    assert local_bot.double.is_deleted(user.chat_id, nik_message_id)
    assert "6408********0001" in (reply.text or "") and NIK not in (reply.text or "")


async def test_interest_request_deletes_the_typed_nik(local_bot: LocalBot) -> None:
    user = local_bot.user(310002)
    await onboard(local_bot, user)
    await user.send("/daftarminat")
    await user.expect_reply()
    await user.send("Siti Aminah")
    await user.expect_reply()
    await user.send(NIK)
    nik_message_id = user.last_sent["message_id"]  # type: ignore[index]
    reply = await user.expect_reply()
    assert local_bot.double.is_deleted(user.chat_id, nik_message_id)
    assert "6408********0001" in (reply.text or "") and NIK not in (reply.text or "")
