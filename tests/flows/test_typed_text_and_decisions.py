"""Issue 14, item 4: typed text never becomes markup, and a decision never changes a status its worker does not
hear about. Through the Bot API double (which parses HTML as Telegram does: a stray `<` is a 400, an `<a>` a
link): follow-up reasons and notes, workers' names and notes, officials' names, admins' file names, /audit."""

from __future__ import annotations

import datetime as dt

from bot.domain.clock import FixedClock
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.followup_jobs import run_daily_digest, send_notice_digests
from storage.interest import interest_requests
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, expect_text, make_official, submit
from tests.support.roster import BUDI, SITI, roster_csv

PHISH = '<a href="http://phish.example/login">kantor desa</a>'
TYPED = f"Umur < 18 & {PHISH}"
UNREACHABLE = "could not be reached just now"


def shows_as_typed(message: BotMessage, typed: str) -> None:
    """The message arrived (no 400), shows the typed text literally and carries no link."""
    assert typed in (message.text or ""), message.text
    assert not any("phish" in str(e.get("url", "")) for e in message.entities), message.entities


async def _open_card(official: TelegramUser) -> BotMessage:
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    return await official.expect_edit()


async def _type_reason(official: TelegramUser, reason: str) -> None:
    await official.press("⛔ Not eligible")
    await official.expect_edit()
    await official.press("✍️ Other reason (type it)")
    assert "Type the reason" in ((await official.expect_reply()).text or "")
    await official.send(reason)


async def test_typed_reason_and_note_reach_worker_and_card_as_text_and_reason_is_encrypted(
        local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    request = await submit(local_bot, 200001, DESA_A, language="en", name=f"Siti <b>&</b> {PHISH}", note=TYPED)
    notice = await official.expect_reply()  # the notice about the new request
    shows_as_typed(notice, f"Siti <b>&</b> {PHISH}")
    card = await _open_card(official)
    shows_as_typed(card, f"Siti <b>&</b> {PHISH}")
    shows_as_typed(card, f"Note: {TYPED}")

    await official.press("✅ Registered")
    shows_as_typed(await official.expect_edit(), f"Siti <b>&</b> {PHISH} will get a message")
    await official.press("◀️ Back")
    await official.expect_edit()
    await _type_reason(official, TYPED)
    told = await worker.expect_reply()
    shows_as_typed(told, f"Reason: {TYPED}")
    assert request.ref in (told.text or "")
    assert "Saved" in ((await official.expect_reply()).text or "")
    shows_as_typed(await official.expect_reply(), f"Reason: {TYPED}")

    assert local_bot.db is not None and local_bot.services is not None
    async with local_bot.db.read() as conn:
        row = (await conn.execute(interest_requests.select().where(interest_requests.c.id == request.id))).one()
    assert row.status == "not_eligible" and row.status_reason is None
    assert row.status_reason_enc and "Umur" not in row.status_reason_enc  # encrypted at rest, like the notes
    await worker.send("/minatsaya")
    shows_as_typed(await worker.expect_reply(), TYPED)  # the worker's own list decrypts it

    await official.press("📝 Add a note")
    await official.expect_reply()
    await official.send(f"<{PHISH} & <")
    await official.expect_reply()
    shows_as_typed(await official.expect_reply(), f"<{PHISH} & <")


async def test_a_decision_the_worker_cannot_hear_yet_is_not_saved(local_bot: LocalBot) -> None:
    """Telegram fails the worker's message: the official is told, the status stays; trying again works."""
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    request = await submit(local_bot, 200001, DESA_A, language="en")
    await _open_card(official)
    await official.press("✅ Registered")
    await official.expect_edit()
    local_bot.double.inject("sendMessage", status=502, times=50, chat_id=worker.chat_id)
    await official.press("✅ Yes, registered")
    answer = await official.expect_callback_answer()
    while not answer.get("text"):  # the earlier presses' answers first
        answer = await official.expect_callback_answer()
    assert UNREACHABLE in answer.get("text", "") and answer.get("show_alert") in (True, "true")
    assert local_bot.services is not None
    repository = local_bot.services.interest.repository
    stored = await repository.get(request.id)
    assert stored is not None and stored.status == "new" and stored.first_action_at is None
    assert await local_bot.services.audit.count("status_change") == 0

    local_bot.double.clear_faults()
    await official.press("✅ Yes, registered")
    assert "Good news" in ((await worker.expect_reply()).text or "")
    assert "Registered" in ((await official.expect_edit()).text or "")
    stored = await repository.get(request.id)
    assert stored is not None and stored.status == "registered"


async def test_a_typed_reason_that_cannot_be_delivered_is_kept_for_a_retry(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    request = await submit(local_bot, 200001, DESA_A, language="en")
    await _open_card(official)
    local_bot.double.inject("sendMessage", status=502, times=50, chat_id=worker.chat_id)
    await _type_reason(official, "Umur < 18")
    assert UNREACHABLE in ((await official.expect_reply()).text or "")
    assert local_bot.services is not None
    stored = await local_bot.services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "new"
    local_bot.double.clear_faults()
    await official.send("Umur < 18")  # still typing the reason: sent again
    assert "Reason: Umur < 18" in ((await worker.expect_reply()).text or "")
    assert "Saved" in ((await official.expect_reply()).text or "")
    stored = await local_bot.services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "not_eligible"


async def test_a_worker_who_blocked_the_bot_does_not_stop_the_decision(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    request = await submit(local_bot, 200001, DESA_A, language="en")
    await _open_card(official)
    local_bot.double.block_user(200001)
    await official.press("⛔ Not eligible")
    await official.expect_edit()
    await official.press("Already a BPJS Ketenagakerjaan participant")
    assert "Not eligible" in ((await official.expect_edit()).text or "")
    assert local_bot.services is not None
    stored = await local_bot.services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "not_eligible" and stored.status_reason == "reason:member"


async def test_official_names_and_audit_lines_are_text(local_bot: LocalBot, clock: FixedClock) -> None:
    await make_official(local_bot, 500001, [DESA_A], first_name="<b>Bu & Rina</b> <")
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/petugas")
    shows_as_typed(await admin.expect_reply(), "<b>Bu & Rina</b> <")
    await admin.press("🚫 <b>Bu & Rina</b> <")
    shows_as_typed(await admin.expect_edit(), "Revoke access of <b>Bu & Rina</b> <?")
    assert local_bot.services is not None
    await local_bot.services.audit.record(actor_id=ADMIN_ID, action="export", detail=TYPED, target="<x>")
    clock.advance(dt.timedelta(minutes=1))
    await admin.send("/audit")
    shows_as_typed(await admin.expect_reply(), f"<x> · {TYPED}")


async def test_admin_file_names_are_text(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    name = f"daftar {PHISH} & Umur < 18"
    await admin.send_document(f"{name}.csv", roster_csv([SITI, BUDI]))
    progress = await admin.expect_reply()
    shows_as_typed(progress, name)
    for _ in range(20):
        checked = await admin.expect_edit(progress)
        if "rows are valid" in (checked.text or ""):
            break
    shows_as_typed(checked, name)
    await admin.press("➕ Add and update")
    for _ in range(20):
        done = await admin.expect_edit(progress)
        if "imported" in (done.text or ""):
            break
    shows_as_typed(done, name)
    bad = [SITI, SITI]  # the same NIK twice
    await admin.send_document(f"{name} (2).csv", roster_csv(bad))
    second = await admin.expect_reply()
    for _ in range(20):
        rejected = await admin.expect_edit(second)
        if "Nothing was imported" in (rejected.text or ""):
            break
    shows_as_typed(rejected, name)
    report = await admin.expect_reply()
    assert report.kind == "document"
    shows_as_typed(report, name)  # the caption


async def test_grouped_notices_and_the_morning_digest_show_names_as_typed(local_bot: LocalBot,
                                                                          clock: FixedClock) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    for i in range(7):  # more than the burst within the window: the last ones are grouped
        await submit(local_bot, 200001 + i, DESA_A, name=f"Nama {i} <b>&</b> {PHISH}")
    await official.expect_replies(5)
    assert local_bot.services is not None and local_bot.app is not None
    clock.advance(dt.timedelta(minutes=11))
    assert await send_notice_digests(local_bot.services, local_bot.app.bot) == 1
    shows_as_typed(await official.expect_reply(), f"Nama 6 <b>&</b> {PHISH}")
    clock.advance(dt.timedelta(days=4))
    assert await run_daily_digest(local_bot.services, local_bot.app.bot) == 1
    assert "waited 3 days" in ((await official.expect_reply()).text or "")


async def test_a_preset_reason_reads_as_words_in_the_workers_list(local_bot: LocalBot) -> None:
    """/minatsaya showed a preset reason as its code ("Reason: reason:member")."""
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    await submit(local_bot, 200001, DESA_A, language="en")
    await official.expect_reply()  # the notice about the new request
    await _open_card(official)
    await official.press("⛔ Not eligible")
    await official.expect_edit()
    await official.press_index(1)  # the first preset reason: already a participant
    await worker.expect_reply()  # the decision
    await worker.send("/minatsaya")
    listed = (await worker.expect_reply()).text or ""
    assert "reason:" not in listed and "Already a BPJS Ketenagakerjaan participant" in listed, listed
