"""The officials' inbox for "🙋 Tanya petugas" (issue 11) through the real Application and the Bot API double:
the question reaches the officials of the worker's desa (then kecamatan, then the admins), the answer reaches
the worker with the question quoted, "Masih bingung" reopens it, the 08:00 digest lists questions waiting 2
days, an official never opens another area's question, and every official action is audited."""

from __future__ import annotations

import datetime as dt

from bot.domain.clock import FixedClock
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.followup_jobs import run_daily_digest
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard
from tests.support.officials import DESA_A, DESA_B, KEC_K, expect_text, make_official, texts

QUESTION = "apakah iuran bisa dicicil lewat kantor desa <kami> & tetangga?"


async def alert(user: TelegramUser, *needles: str) -> str:
    """The first callback answer from now on whose text holds one of `needles` (earlier presses' are skipped)."""
    for _ in range(30):
        text = (await user.expect_callback_answer()).get("text") or ""
        if any(n in text for n in needles):
            return text
    raise AssertionError(f"no callback answer with {needles!r}")


def labels(message: object) -> list[str]:
    return [label for row in message.buttons for label in row]  # type: ignore[attr-defined]


async def ask(bot: LocalBot, user_id: int, region: str | None, text: str = QUESTION) -> TelegramUser:
    """A worker (Indonesian) who lives in `region` asks an official."""
    worker = bot.user(user_id)
    await onboard(bot, worker)
    if region is not None:
        assert bot.services is not None
        await bot.services.users.set_region(user_id, region)
    await worker.send(text)
    await worker.expect_reply()
    await worker.press("🙋 Tanya petugas")
    assert "diteruskan ke petugas" in ((await worker.expect_reply()).text or "")
    return worker


async def question_id(bot: LocalBot, user_id: int) -> int:
    assert bot.services is not None
    return (await bot.services.questions.for_user(user_id))[-1].id


async def test_question_reaches_the_desa_official_and_the_answer_reaches_the_worker(local_bot: LocalBot) -> None:
    desa = await make_official(local_bot, 500001, [DESA_A])
    kecamatan = await make_official(local_bot, 500002, [KEC_K])
    other = await make_official(local_bot, 500003, [DESA_B])
    worker = await ask(local_bot, 320101, DESA_A)
    notice = await expect_text(desa, "New question")
    text = notice.text or ""
    assert "Senyiur (Muara Ancalong)" in text and QUESTION in text  # the double shows the text as parsed
    assert labels(notice) == ["✍️ Answer", "Open"]
    assert not any("question" in t for t in texts(kecamatan) + texts(other))  # the desa has its own official
    await desa.press("✍️ Answer")
    assert "Type your answer" in ((await desa.expect_reply()).text or "")
    await desa.send("Bisa, <b>tiap bulan</b> di kantor desa.")
    assert "Sent to the worker" in ((await expect_text(desa, "Sent")).text or "")
    screen = await desa.expect_reply()
    assert "Answered" in (screen.text or "") and "<b>tiap bulan</b>" in (screen.text or "")  # escaped: shown as typed
    answer = await expect_text(worker, "Petugas menjawab")
    assert QUESTION in (answer.text or "") and "Bisa, <b>tiap bulan</b> di kantor desa." in (answer.text or "")
    assert labels(answer) == ["🙏 Terima kasih", "😕 Masih bingung"]
    await worker.press("😕 Masih bingung")
    assert "diteruskan lagi" in ((await worker.expect_reply()).text or "")
    reopened = await expect_text(desa, "still confused")
    assert QUESTION in (reopened.text or "")
    await worker.press_data(answer.message_id, f"qn:fb:{await question_id(local_bot, 320101)}:thanks")
    await alert(worker, "tidak berlaku")  # once only
    assert local_bot.services is not None
    entries = await local_bot.services.audit.recent()
    assert [e.action for e in entries if e.action.startswith("question")] == ["question_answer"]
    assert entries[0].actor_id == 500001 and entries[0].area_code == DESA_A
    assert all("tiap bulan" not in repr(e) and "dicicil" not in repr(e) for e in entries)


async def test_kecamatan_then_admins_when_the_area_has_no_official(local_bot: LocalBot) -> None:
    kecamatan = await make_official(local_bot, 500002, [KEC_K])
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await onboard(local_bot, admin, language="English")
    await ask(local_bot, 320102, DESA_A)  # no desa official: the kecamatan's
    assert "New question" in ((await expect_text(kecamatan, "New question")).text or "")
    await ask(local_bot, 320103, DESA_B)  # nobody serves desa B: the admins
    assert "Jak Luay" in ((await expect_text(admin, "New question")).text or "")
    await ask(local_bot, 320104, None)  # region unknown: the admins
    assert "area unknown" in ((await expect_text(admin, "New question")).text or "")
    assert sum("New question" in t for t in texts(kecamatan)) == 1


async def test_an_official_cannot_open_another_areas_question(local_bot: LocalBot) -> None:
    official_a = await make_official(local_bot, 500001, [DESA_A])
    await ask(local_bot, 320105, DESA_B)
    foreign = await question_id(local_bot, 320105)
    await official_a.send("/pertanyaan")
    inbox = await expect_text(official_a, "Questions from workers")
    assert "Waiting: 0" in (inbox.text or "")
    for forged in (f"qn:o:{foreign}", f"qn:a:{foreign}", f"qn:lrn:{foreign}"):
        await official_a.press_data(inbox.message_id, forged)
        await alert(official_a, "not in your area" if "lrn" not in forged else "only for admins")
    assert local_bot.services is not None
    assert await local_bot.services.audit.count("question_view") == 0
    worker = local_bot.user(320106)
    await onboard(local_bot, worker)
    await worker.send("/pertanyaan")
    assert "petugas desa" in ((await worker.expect_reply()).text or "")


async def test_inbox_from_tindaklanjut_open_and_answer_after_a_restart(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [KEC_K])
    worker = await ask(local_bot, 320107, DESA_A)
    await expect_text(official, "New question")
    await official.send("/tindaklanjut")
    await expect_text(official, "Follow-up")
    await official.press("🙋 Questions from workers")
    inbox = await official.expect_edit()
    assert "Waiting: 1" in (inbox.text or "") and labels(inbox)[0].startswith("❓ apakah iuran")
    await official.press_index(1)
    screen = await official.expect_edit()
    assert QUESTION in (screen.text or "") and "Waiting for an answer" in (screen.text or "")
    assert "📚 Make it an FAQ" not in labels(screen)  # officials answer; admins teach the FAQ
    await official.press("✍️ Answer")
    await official.expect_reply()
    await local_bot.restart()  # the flow is stored: the typed answer still goes to question
    await official.send("Bisa dicicil per bulan.")
    await expect_text(official, "Sent to the worker")
    assert "Bisa dicicil per bulan." in ((await expect_text(worker, "Petugas menjawab")).text or "")
    assert local_bot.services is not None
    assert await local_bot.services.audit.count("question_view") == 1  # opened once, answered once
    assert await local_bot.services.audit.count("question_answer") == 1
    await official.press("✍️ Answer again")
    await official.expect_reply()
    await official.send("/batal")
    await official.expect_reply()
    await official.send("ini bukan jawaban")  # /batal left the flow: this is a question for the FAQ now
    await official.expect_reply()
    assert sum("Petugas menjawab" in t for t in texts(worker)) == 1


async def test_digest_lists_questions_waiting_two_days(local_bot: LocalBot, clock: FixedClock) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    await ask(local_bot, 320108, DESA_A)
    await expect_text(official, "New question")
    clock.advance(dt.timedelta(days=1))
    await ask(local_bot, 320109, DESA_A, "iuran jkk bisa dibayar di desa atau tidak ya")
    await expect_text(official, "New question")
    old = await question_id(local_bot, 320108)
    clock.advance(dt.timedelta(days=1, hours=1))
    assert local_bot.services is not None and local_bot.app is not None
    assert await run_daily_digest(local_bot.services, local_bot.app.bot) == 1
    digest = await expect_text(official, "waited 2 days")
    assert f"#{old}" in (digest.text or "") and "1 question" in (digest.text or "")
    await official.press("Open the inbox")
    assert "Waiting: 2" in ((await official.expect_edit()).text or "")


async def test_erasing_the_worker_erases_questions_and_answers(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = await ask(local_bot, 320110, DESA_A)
    await expect_text(official, "New question")
    await official.press("✍️ Answer")
    await official.expect_reply()
    await official.send("Jawaban rahasia")
    await expect_text(worker, "Petugas menjawab")
    await worker.send("/hapusdata")
    await worker.expect_reply()
    await worker.press("🗑 Ya, hapus")
    await worker.expect_reply()
    assert local_bot.services is not None
    assert await local_bot.services.questions.for_user(320110) == []
    await official.send("/pertanyaan")
    await expect_text(official, "Questions from workers")
    await official.press("All")
    assert "All: 0" in ((await official.expect_edit()).text or "")
