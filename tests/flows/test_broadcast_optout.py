"""Workers can stop announcements: the 🔕 button under each broadcast message and /berhenti stop them, /lanjut
resumes them; /siaran's audience count and the sender honour it; /dataku shows it and /hapusdata erases it
(issue 13, Build item 5), through the real Application and the Bot API double."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.flows.test_broadcast import (
    VirtualTimer,
    admin_of,
    answered,
    compose_text,
    received,
    service,
    worker,
)


@pytest.fixture
async def timer(local_bot: LocalBot) -> AsyncIterator[VirtualTimer]:
    virtual = VirtualTimer()
    service(local_bot).timer = virtual
    yield virtual
    virtual.gate.set()


async def send_to_workers(bot: LocalBot, admin: TelegramUser, text: str) -> str:
    """Compose a broadcast to the workers and send it; returns the summary's text (with the recipients)."""
    await compose_text(admin, text)
    await admin.press("👷 Workers")
    summary = (await admin.expect_replies(3))[-1]
    await admin.press("📤 Send")
    await admin.expect_reply()  # the progress message: the job exists
    job_id = (await service(bot).repo.recent(1))[0].id
    while f"Broadcast #{job_id} finished." not in ((await admin.expect_reply(10.0)).text or ""):
        pass  # read up to this job's report
    return summary.text or ""


async def test_stop_button_leaves_the_user_out_until_lanjut(local_bot: LocalBot, timer: VirtualTimer) -> None:
    services = local_bot.services
    assert services is not None
    stopper, other = await worker(local_bot, 100001), await worker(local_bot, 100002)
    admin = await admin_of(local_bot)
    assert "Recipients: 2" in await send_to_workers(local_bot, admin, "Info pertama.")
    first = await stopper.expect_reply()
    assert first.text == "Info pertama." and first.buttons == [["🔕 Berhenti terima info"]]

    await stopper.press("🔕 Berhenti terima info")
    told = await stopper.expect_reply()
    assert "tidak akan menerima info lagi" in (told.text or "") and "/lanjut" in (told.text or "")
    await answered(local_bot, "🔕 Beres: tidak ada info lagi.")
    assert received(local_bot, stopper.user_id, "Info pertama")[0].buttons == []  # the choice is made
    profile = await services.users.get(stopper.user_id)
    assert profile is not None and profile.broadcasts_stopped_at is not None

    assert "Recipients: 1" in await send_to_workers(local_bot, admin, "Info kedua.")
    assert received(local_bot, stopper.user_id, "Info kedua") == []
    assert len(received(local_bot, other.user_id, "Info kedua")) == 1

    data = (await _say(stopper, "/dataku")).text or ""
    assert "Info: dihentikan sejak" in data and "/lanjut" in data
    assert "Anda akan menerima info lagi" in ((await _say(stopper, "/lanjut")).text or "")
    assert "Recipients: 2" in await send_to_workers(local_bot, admin, "Info ketiga.")
    assert len(received(local_bot, stopper.user_id, "Info ketiga")) == 1


async def test_berhenti_command_and_hapusdata(local_bot: LocalBot, timer: VirtualTimer) -> None:
    services = local_bot.services
    assert services is not None
    user = await worker(local_bot, 100003)
    assert "/lanjut" in ((await _say(user, "/berhenti")).text or "")
    assert await service(local_bot).resolver.repo.audience_ids() == []
    assert "Anda sudah menerima info" not in ((await _say(user, "/lanjut")).text or "")
    assert "Anda sudah menerima info" in ((await _say(user, "/lanjut")).text or "")  # twice: nothing to resume
    await _say(user, "/berhenti")
    await _say(user, "/hapusdata")
    await user.press("🗑 Ya, hapus")
    await user.expect_reply()
    assert await services.users.get(user.user_id) is None  # the stop went with the rest of the row


async def _say(user: TelegramUser, text: str) -> BotMessage:
    await user.send(text)
    return await user.expect_reply()
