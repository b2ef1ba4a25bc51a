"""The FAQ learning loop (issue 11): an admin turns an answered question into knowledge from the chat — a new
phrasing of an existing entry, or a new entry — effective at once and after a restart, audited, and exported
to locales/*/faq.toml by `jagakerja faq export-learned`."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.clock import SystemClock
from bot.domain.faq import FaqService, load_faq
from bot.domain.faq_learning import add_variant
from bot.domain.i18n import LOCALES_DIR
from bot.domain.privacy import generate_key
from bot.runtime.cli import main as cli_main
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from storage.db import open_database
from storage.faq_learned import LearnedRepository
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard
from tests.support.officials import expect_text

NEW_QUESTION = "ada jadwal sosialisasi bpjs di balai desa?"
PHRASING = "apakah ada posko bpjs di pasar pagi muara ancalong"


@pytest.fixture(autouse=True)
def forget_learned() -> Iterator[None]:
    """What the FAQ learned is process-wide: other tests start from the shipped files."""
    yield
    FaqService(SystemClock()).learn([])


async def alert(user: TelegramUser, *needles: str) -> str:
    """The first callback answer from now on whose text holds one of `needles` (earlier presses' are skipped)."""
    for _ in range(30):
        text = (await user.expect_callback_answer()).get("text") or ""
        if any(n in text for n in needles):
            return text
    raise AssertionError(f"no callback answer with {needles!r}")


def labels(message: object) -> list[str]:
    return [label for row in message.buttons for label in row]  # type: ignore[attr-defined]


async def answered_question(bot: LocalBot, user_id: int, text: str) -> tuple[TelegramUser, TelegramUser]:
    """A worker with no known region asks (so the admins hear); the admin answers and opens the question."""
    admin = bot.user(ADMIN_ID, language_code="en")
    await onboard(bot, admin, language="English")
    worker = bot.user(user_id)
    await onboard(bot, worker)
    await worker.send(text)
    await worker.expect_reply()  # today "saya kurang yakin", with the three closest topics
    await worker.press("🙋 Tanya petugas")
    await worker.expect_reply()
    await expect_text(admin, "New question")
    await admin.press("✍️ Answer")
    await admin.expect_reply()
    await admin.send("Ada, tanya ke kantor desa.")
    await expect_text(admin, "Sent to the worker")
    await expect_text(worker, "Petugas menjawab")
    screen = await admin.expect_reply()
    assert "📚 Make it an FAQ" in labels(screen)
    await admin.press("📚 Make it an FAQ")
    menu = await admin.expect_edit()
    assert "no personal data" in (menu.text or "") and "🆕 Create a new entry" in labels(menu)
    return admin, worker


async def test_a_new_entry_answers_the_same_question_next_time(local_bot: LocalBot) -> None:
    admin, _worker = await answered_question(local_bot, 320201, NEW_QUESTION)
    await admin.press("🆕 Create a new entry")
    await admin.expect_edit()
    await admin.press("🔎 Status & joining")
    assert "title in Indonesian" in ((await admin.expect_reply()).text or "")
    await admin.send("Jadwal sosialisasi BPJS di desa")
    assert "answer in Indonesian" in ((await admin.expect_reply()).text or "")
    await admin.send("Sosialisasi tiap Senin pertama di balai desa, jam 9 <pagi>.")
    await admin.expect_reply()
    await admin.press("⏭ No English")
    saved = await admin.expect_reply()
    assert "New FAQ entry" in (saved.text or "") and "learned_" in (saved.text or "")
    other = local_bot.user(320202)
    await onboard(local_bot, other)
    await other.send(NEW_QUESTION)
    answer = (await other.expect_reply()).text or ""
    assert "Sosialisasi tiap Senin pertama di balai desa, jam 9 <pagi>." in answer and "kurang yakin" not in answer
    english = local_bot.user(320203, language_code="en")
    await onboard(local_bot, english, language="English")
    await english.send(NEW_QUESTION)
    shown = (await english.expect_reply()).text or ""
    assert "Sosialisasi tiap Senin" in shown and "only in Indonesian" in shown  # taught in Indonesian only
    assert local_bot.services is not None
    entries = [e for e in await local_bot.services.audit.recent() if e.action == "faq_learn"]
    assert len(entries) == 1 and entries[0].actor_id == ADMIN_ID and entries[0].detail.startswith("entry learned_")
    local_bot.services.faq.learn([])  # forgotten in memory: a restart loads it again from the database
    await local_bot.restart()
    await other.send(NEW_QUESTION)
    assert "Sosialisasi tiap Senin" in ((await other.expect_reply()).text or "")


async def test_a_phrasing_of_an_existing_entry(local_bot: LocalBot) -> None:
    admin, worker = await answered_question(local_bot, 320204, PHRASING)
    await admin.press("🔐 Data & this bot")
    entries = await admin.expect_edit()
    assert "Which entry" in (entries.text or "")
    await admin.press("Talk to an official")
    learned = await admin.expect_edit()
    assert "Learned" in (learned.text or "") and "Talk to an official" in (learned.text or "")
    await worker.send(PHRASING)
    answer = await worker.expect_reply()
    assert "kurang yakin" not in (answer.text or "") and "TanyaBPJAMSOSTEK" in (answer.text or "")  # its answer


async def test_only_admins_teach_and_only_answered_questions(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await onboard(local_bot, admin, language="English")
    worker = local_bot.user(320205)
    await onboard(local_bot, worker)
    await worker.send(NEW_QUESTION)
    await worker.expect_reply()
    await worker.press("🙋 Tanya petugas")
    await worker.expect_reply()
    notice = await expect_text(admin, "New question")
    assert local_bot.services is not None
    question_id = (await local_bot.services.questions.for_user(320205))[0].id
    await admin.press_data(notice.message_id, f"qn:lnew:{question_id}:status")  # not answered yet
    await alert(admin, "Only an answered")
    await worker.press_data(notice.message_id, f"qn:lp:{question_id}:contact_official")
    await alert(worker, "hanya untuk admin")
    assert await local_bot.services.faq_learning.records() == []


def test_export_learned_writes_the_faq_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_KEY", generate_key())
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    assert cli_main(["migrate"]) == 0

    async def teach() -> None:
        db = await open_database(url)
        try:
            repo = LearnedRepository(db)
            now = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
            await repo.add(kind="phrasing", entry_id="contact_official", language="id", phrasing=PHRASING,
                           created_by=ADMIN_ID, now=now)
            await repo.add(kind="entry", entry_id="learned_1", language="id", phrasing=NEW_QUESTION,
                           created_by=ADMIN_ID, now=now, category="status", title="Jadwal sosialisasi BPJS",
                           answer='Tiap Senin {pertama} di balai desa "besar".')
        finally:
            await db.close()

    asyncio.run(teach())
    locales = tmp_path / "locales"
    for language in ("id", "en"):
        (locales / language).mkdir(parents=True)
        shutil.copy(LOCALES_DIR / language / "faq.toml", locales / language / "faq.toml")
    before = (locales / "id" / "faq.toml").read_text(encoding="utf-8")
    assert cli_main(["faq", "export-learned", "--locales-dir", str(locales)]) == 0
    printed = capsys.readouterr().out
    assert f'+  "{PHRASING}",' in printed and '+id = "learned_1"' in printed
    assert (locales / "id" / "faq.toml").read_text(encoding="utf-8") == before  # a dry run by default
    assert cli_main(["faq", "export-learned", "--write", "--locales-dir", str(locales)]) == 0
    indonesian, english = load_faq("id", locales), load_faq("en", locales)
    assert PHRASING in indonesian.get("contact_official").variants  # type: ignore[union-attr]
    entry = indonesian.get("learned_1")
    assert entry is not None and entry.category == "status" and NEW_QUESTION in entry.variants
    assert entry.answer == "<b>Jadwal sosialisasi BPJS</b>\nTiap Senin {{pertama}} di balai desa &quot;besar&quot;."
    assert english.get("learned_1") is not None and "TODO: translate" in (locales / "en" / "faq.toml").read_text()
    capsys.readouterr()
    assert cli_main(["faq", "export-learned", "--locales-dir", str(locales)]) == 0
    assert "nothing to export" in capsys.readouterr().out


def test_add_variant_keeps_the_file_valid() -> None:
    text = 'x = 1\n\n[[entries]]\nid = "a"\nquestion = "Q?"\nvariants = []\nanswer = "A"\n\n[[entries]]\nid = "b"\n' \
        'question = "R?"\nvariants = ["one", "two"]\nanswer = "B"\n'
    once = add_variant(add_variant(text, "a", 'say "hi"'), "b", "three")
    assert 'variants = [\n  "say \\"hi\\"",\n]' in once and 'variants = ["one", "two",\n  "three",\n]' in once
    assert add_variant(once, "b", "three") == once and add_variant(once, "zzz", "x") == once
