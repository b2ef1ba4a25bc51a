"""Broadcasts through the real Application and the Bot API double: compose, audiences, faults, pause/resume,
crash and resume, scheduling, restart in the middle of composing."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.domain.broadcast import BroadcastService
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard

KECAMATAN = "64.08.01"  # Muara Ancalong, Kutai Timur


class VirtualTimer:
    """Monotonic time that moves only when someone sleeps (no real waiting); `gate` can hold sleepers."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0
        self.gate = asyncio.Event()
        self.gate.set()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await self.gate.wait()
        self.now += seconds
        self.slept += seconds
        await asyncio.sleep(0)


def service(bot: LocalBot) -> BroadcastService:
    assert bot.services is not None
    return bot.services.broadcasts


@pytest.fixture
async def timer(local_bot: LocalBot) -> AsyncIterator[VirtualTimer]:
    virtual = VirtualTimer()
    service(local_bot).timer = virtual
    yield virtual
    virtual.gate.set()  # never leave a sender held (the Application waits for it when stopping)


async def answered(bot: LocalBot, text: str) -> None:
    await bot.double.wait_for(lambda: any(a.get("text") == text for a in bot.double.callback_answers),
                              5.0, f"a button answer {text!r}")


async def admin_of(bot: LocalBot) -> TelegramUser:
    admin = bot.user(ADMIN_ID, first_name="Admin", language_code="en")
    await onboard(bot, admin, language="English")
    return admin


async def worker(bot: LocalBot, user_id: int, region_code: str | None = None) -> TelegramUser:
    user = bot.user(user_id)
    await onboard(bot, user)
    if region_code is not None:
        assert bot.services is not None
        await bot.services.users.set_region(user_id, region_code)
    return user


def received(bot: LocalBot, user_id: int, needle: str) -> list[BotMessage]:
    return [m for m in bot.double.messages_to(user_id) if m.text and needle in m.text]


async def compose_text(admin: TelegramUser, text: str, bold: str | None = None) -> None:
    """/siaran, then a text message (with a bold part, as a Telegram client sends formatting: entities)."""
    await admin.send("/siaran")
    assert "New broadcast" in (await admin.expect_reply()).text  # type: ignore[operator]
    content: dict[str, object] = {"text": text}
    if bold:
        content["entities"] = [{"type": "bold", "offset": text.index(bold), "length": len(bold)}]
    admin._push_message(content)
    assert "Who should get it?" in (await admin.expect_reply()).text  # type: ignore[operator]


async def choose_kecamatan(admin: TelegramUser) -> BotMessage:
    await admin.press("📍 A kecamatan")
    await admin.expect_reply()  # kabupaten list
    await admin.press("Kutai Timur")
    await admin.expect_reply()  # kecamatan list
    await admin.press("Muara Ancalong")
    preview = await admin.expect_reply()
    assert "Preview" in (preview.text or "")
    await admin.expect_reply()  # the content itself
    return await admin.expect_reply()  # recipients + Send / Schedule / Cancel


async def wait_report(bot: LocalBot, admin: TelegramUser) -> BotMessage:
    def report() -> BotMessage | None:
        return next((m for m in bot.double.messages_to(admin.user_id)
                     if m.text and ("finished." in m.text or "stopped." in m.text)), None)

    found = await bot.double.wait_for(report, 10.0, "the final report")
    while await admin.expect_reply() is not found:  # read up to the report (progress message first)
        pass
    return found


async def test_kecamatan_broadcast_reaches_exactly_the_users_there(local_bot: LocalBot, timer: VirtualTimer) -> None:
    inside = [await worker(local_bot, 100001, KECAMATAN), await worker(local_bot, 100002, KECAMATAN + ".2001")]
    outside = [await worker(local_bot, 100003, "64.08.02"), await worker(local_bot, 100004)]
    admin = await admin_of(local_bot)
    await compose_text(admin, "Pendaftaran BPJS gratis di kantor desa besok.", bold="gratis")
    summary = await choose_kecamatan(admin)
    assert "Kecamatan Muara Ancalong" in (summary.text or "") and "Recipients: 2" in (summary.text or "")
    preview = local_bot.double.messages_to(admin.user_id)[-2]
    assert preview.entities == [{"type": "bold", "offset": 17, "length": 6}]  # formatting kept in the preview

    await admin.press("📤 Send")
    report = await wait_report(local_bot, admin)
    assert "Sent: 2" in (report.text or "") and "Blocked the bot: 0" in (report.text or "")
    for user in inside:
        got = received(local_bot, user.user_id, "Pendaftaran BPJS")
        assert len(got) == 1
        assert got[0].entities == preview.entities  # recipients see exactly the preview
    for user in outside:
        assert received(local_bot, user.user_id, "Pendaftaran BPJS") == []
    progress = next(m for m in local_bot.double.messages_to(admin.user_id) if m.text and "Broadcast #" in m.text)
    assert "finished" in (progress.text or "") and "Sent 2 of 2" in (progress.text or "")
    assert not progress.buttons  # the final edit removes Pause / Stop


async def test_429_5xx_and_403_are_handled(local_bot: LocalBot, timer: VirtualTimer) -> None:
    users = [await worker(local_bot, 100001 + i) for i in range(5)]
    admin = await admin_of(local_bot)
    double = local_bot.double
    double.inject("sendMessage", status=429, retry_after=2, times=1, chat_id=100002)
    double.inject("sendMessage", status=502, times=2, chat_id=100003)
    double.block_user(100004)
    await compose_text(admin, "Info penting untuk semua.")
    await admin.press("👷 Workers")
    await admin.expect_replies(3)
    await admin.press("📤 Send")
    report = await wait_report(local_bot, admin)
    assert "Sent: 4" in (report.text or "") and "Blocked the bot: 1" in (report.text or "")
    for user in users:
        expected = 0 if user.user_id == 100004 else 1
        assert len(received(local_bot, user.user_id, "Info penting")) == expected
    failures = Counter(c.status for c in double.calls_to("sendMessage") if c.status != 200)
    assert failures == {429: 1, 502: 2, 403: 1}
    assert timer.slept >= 2.0  # retry_after honoured (virtual seconds: no real waiting)
    assert local_bot.services is not None
    blocked = await local_bot.services.users.get(100004)
    assert blocked is not None and blocked.blocked_at is not None
    # the blocked user is left out of the next broadcast ... until they write again
    assert "Recipients: 4" in (await _workers_summary(admin)).text  # type: ignore[operator]
    double.unblock_user(100004)
    await users[3].send("halo")
    await users[3].expect_reply()
    assert "Recipients: 5" in (await _workers_summary(admin)).text  # type: ignore[operator]


async def _workers_summary(admin: TelegramUser) -> BotMessage:
    await compose_text(admin, "Kedua")
    await admin.press("👷 Workers")
    replies = await admin.expect_replies(3)
    await admin.send("/batal")
    await admin.expect_reply()
    return replies[-1]


async def test_pause_and_resume_with_buttons(local_bot: LocalBot, timer: VirtualTimer) -> None:
    users = [await worker(local_bot, 100001 + i) for i in range(5)]
    admin = await admin_of(local_bot)
    await compose_text(admin, "Jeda lalu lanjut.")
    await admin.press("👥 Everyone")
    await admin.expect_replies(3)
    timer.gate.clear()  # the sender stops at its first wait for a token: after one message
    await admin.press("📤 Send")
    progress = await admin.expect_reply()
    assert "sending" in (progress.text or "") and "⏸ Pause" in progress.buttons[0]
    await local_bot.double.wait_for(lambda: sum(len(received(local_bot, u.user_id, "Jeda lalu")) for u in users) == 1)
    await admin.press("⏸ Pause")
    await answered(local_bot, "Paused.")
    timer.gate.set()
    paused = await admin.expect_edit(progress)
    assert "paused" in (paused.text or "") and "▶️ Resume" in paused.buttons[0]
    job_id = (await service(local_bot).repo.recent(1))[0].id
    counts = await service(local_bot).repo.counts(job_id)
    assert counts["sent"] == 1 and counts["pending"] == 5  # nothing more went out while paused

    await admin.press("▶️ Resume")
    await answered(local_bot, "Sending again.")
    report = await wait_report(local_bot, admin)
    assert "Sent: 6" in (report.text or "")  # five workers and the admin
    for user in users:
        assert len(received(local_bot, user.user_id, "Jeda lalu")) == 1


async def test_stop_leaves_the_rest_unsent(local_bot: LocalBot, timer: VirtualTimer) -> None:
    for i in range(4):
        await worker(local_bot, 100001 + i)
    admin = await admin_of(local_bot)
    await compose_text(admin, "Berhenti di tengah.")
    await admin.press("👥 Everyone")
    await admin.expect_replies(3)
    timer.gate.clear()
    await admin.press("📤 Send")
    await admin.expect_reply()
    await admin.press("⏹ Stop")
    await answered(local_bot, "Stopped.")
    timer.gate.set()
    report = await wait_report(local_bot, admin)
    assert "stopped" in (report.text or "") and "Sent: 1" in (report.text or "")
    assert "Not sent (stopped): 4" in (report.text or "")


async def test_crash_mid_send_resumes_without_duplicate_or_miss(local_bot: LocalBot, timer: VirtualTimer) -> None:
    """The process dies right after Telegram accepted a message and before it was recorded ("sent but not
    recorded"): on restart that recipient is `unknown` and NOT resent; everyone else gets it exactly once."""
    users = [await worker(local_bot, 100001 + i) for i in range(8)]
    admin = await admin_of(local_bot)
    broadcasts = service(local_bot)
    victim = 100004

    async def die_after_victim(user_id: int) -> None:
        if user_id == victim:
            for task in broadcasts.tasks.values():
                task.cancel()  # like SIGKILL: nothing after this point runs or is recorded
            raise asyncio.CancelledError

    broadcasts.after_send = die_after_victim
    await compose_text(admin, "Pesan sekali saja.")
    await admin.press("👷 Workers")
    await admin.expect_replies(3)
    await admin.press("📤 Send")
    await local_bot.double.wait_for(lambda: len(received(local_bot, victim, "Pesan sekali")) == 1)
    job_id = (await broadcasts.repo.recent(1))[0].id
    await local_bot.double.wait_for(lambda: broadcasts.tasks[job_id].done())
    states = await broadcasts.repo.recipient_states(job_id)
    assert states[victim] == "sending" and "pending" in states.values()

    broadcasts.after_send = None
    await local_bot.crash_restart()  # the new Application resumes running jobs at start
    report = await wait_report(local_bot, admin)
    states = await broadcasts.repo.recipient_states(job_id)
    assert states[victim] == "unknown"
    assert set(states.values()) <= {"sent", "unknown"}
    unknown = sum(1 for s in states.values() if s == "unknown")
    assert f"Unsure (the sender stopped mid-send; not resent): {unknown}" in (report.text or "")
    for user in users:
        assert len(received(local_bot, user.user_id, "Pesan sekali")) == 1  # no duplicate, no miss

    # The admin may choose at-least-once for the unsure ones: each gets it again (the victim twice).
    unsure = {user_id for user_id, state in states.items() if state == "unknown"}
    before = {u.user_id: len(received(local_bot, u.user_id, "Pesan sekali")) for u in users}
    assert [label for row in report.buttons for label in row] == [f"🔁 Resend to the unsure ({unknown})"]
    await admin.press(f"🔁 Resend to the unsure ({unknown})")
    await local_bot.double.wait_for(lambda: len(received(local_bot, victim, "Pesan sekali")) == 2)
    second = await local_bot.double.wait_for(lambda: next(
        (m for m in local_bot.double.messages_to(admin.user_id) if "Sent: 8" in (m.text or "")), None))
    assert "Unsure" not in (second.text or "")
    assert set((await broadcasts.repo.recipient_states(job_id)).values()) == {"sent"}
    for user in users:
        again = 1 if user.user_id in unsure else 0
        assert len(received(local_bot, user.user_id, "Pesan sekali")) == before[user.user_id] + again


async def test_scheduled_broadcast_fires_at_its_time(local_bot: LocalBot, timer: VirtualTimer, clock) -> None:  # type: ignore[no-untyped-def]
    user = await worker(local_bot, 100001, KECAMATAN)
    admin = await admin_of(local_bot)
    await compose_text(admin, "Sosialisasi jam 10.")
    await admin.press("👥 Everyone")
    await admin.expect_replies(3)
    await admin.press("🕒 Schedule")
    assert "When?" in ((await admin.expect_reply()).text or "")
    await admin.send("kemarin sore")
    assert "couldn't read" in ((await admin.expect_reply()).text or "")
    await admin.send("08:00 22/11/2026")
    assert "couldn't read" in ((await admin.expect_reply()).text or "")
    await admin.send("22/11/2026 08:00")  # the clock says 09:00 WITA
    assert "already passed" in ((await admin.expect_reply()).text or "")
    await admin.send("22/11/2026 09:30")
    confirm = await admin.expect_reply()
    assert "scheduled for 22 November 2026 09.30 WITA" in (confirm.text or "")

    broadcasts = service(local_bot)
    assert await broadcasts.start_due() == []
    clock.advance(dt.timedelta(minutes=29))
    assert await broadcasts.start_due() == []
    clock.advance(dt.timedelta(minutes=1))
    started = await broadcasts.start_due()
    assert len(started) == 1
    assert await broadcasts.start_due() == []  # a job starts once
    await wait_report(local_bot, admin)
    assert len(received(local_bot, user.user_id, "Sosialisasi jam 10.")) == 1


async def test_composing_survives_a_restart_and_batal_leaves(local_bot: LocalBot, timer: VirtualTimer) -> None:
    user = await worker(local_bot, 100001, KECAMATAN)
    admin = await admin_of(local_bot)
    await compose_text(admin, "Setelah restart.")
    await admin.press("🔤 One language")
    await admin.expect_reply()
    await local_bot.restart()
    await admin.press("Bahasa Indonesia")
    summary = (await admin.expect_replies(3))[-1]
    assert "Users who read Bahasa Indonesia" in (summary.text or "") and "Recipients: 1" in (summary.text or "")
    await admin.send("/batal")
    assert "Nothing was sent" in ((await admin.expect_reply()).text or "")
    assert received(local_bot, user.user_id, "Setelah restart.") == []
    await admin.press("📤 Send")  # a stale button after /batal sends nothing: the main menu answers
    assert "What would you like to do?" in ((await admin.expect_reply()).text or "")
    await admin.send("/siaran_status")
    assert "No broadcasts yet" in ((await admin.expect_reply()).text or "")


async def test_workers_cannot_broadcast_or_control_jobs(local_bot: LocalBot, timer: VirtualTimer) -> None:
    user = await worker(local_bot, 100001)
    await user.send("/siaran")
    assert "hanya untuk admin" in ((await user.expect_reply()).text or "")
    await user.send("/siaran_status")
    assert "hanya untuk admin" in ((await user.expect_reply()).text or "")
    menu = local_bot.double.messages_to(user.user_id)[-1]
    await user.press_data(menu.message_id, "bcjob:1:stop")  # forged callback data
    assert "hanya untuk admin" in ((await user.expect_reply()).text or "")


async def test_photo_broadcast_and_status(local_bot: LocalBot, timer: VirtualTimer) -> None:
    user = await worker(local_bot, 100001)
    admin = await admin_of(local_bot)
    await admin.send("/siaran")
    await admin.expect_reply()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"\x00\x00\x00\x10\x00\x00\x00\x10" + b"\x00" * 16
    await admin.send_photo(png, caption="Poster BPJS")
    await admin.expect_reply()
    await admin.press("👥 Everyone")
    replies = await admin.expect_replies(3)
    assert replies[1].kind == "photo" and replies[1].text == "Poster BPJS"
    await admin.press("📤 Send")
    await wait_report(local_bot, admin)
    got = [m for m in local_bot.double.messages_to(user.user_id) if m.kind == "photo"]
    assert len(got) == 1 and got[0].text == "Poster BPJS" and got[0].file_bytes == png
    await admin.send("/siaran_status")
    status = await admin.expect_reply()
    assert "Broadcast #1 finished" in (status.text or "") and "Sent: 2" in (status.text or "")


async def test_an_unchanged_progress_message_is_not_edited_again(local_bot: LocalBot) -> None:
    """The progress message is edited only when its text or buttons change (Telegram refuses a same-text edit
    with 400, and every edit counts against the bot's rate)."""
    import dataclasses

    from bot.domain.broadcast import Progress
    from handlers.broadcast_sender import ProgressMessages
    from storage.broadcasts import BroadcastRow

    services = local_bot.services
    assert services is not None
    admin = await admin_of(local_bot)
    shown = await local_bot.app.bot.send_message(admin.user_id, "Broadcast")
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    job = BroadcastRow(7, admin.user_id, now, "text", "Halo", None, "everyone", None, "running", None, now, None, 3,
                       shown.chat_id, shown.message_id)
    messages = ProgressMessages(local_bot.app, services)
    progress = Progress(7, "running", 3, {"sent": 1}, 1.0, 2.0)
    for _ in range(3):
        await messages.update(job, progress)
    await messages.update(job, dataclasses.replace(progress, counts={"sent": 2}))
    edits = [c for c in local_bot.double.calls_to("editMessageText") if c.params.get("message_id") in (
        shown.message_id, str(shown.message_id))]
    assert len(edits) == 2
