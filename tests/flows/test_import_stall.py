"""A large roster import never stalls the bot (issue 14): while an admin's import runs, a new user's /start is
answered before the import ends (no timing asserted: only the order of events); an import committed when the
bot died is finished when it starts again."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

import bot.domain.roster as roster_module
import handlers.roster_admin
from bot.domain.roster_files import SAMPLE_HEADER, csv_bytes, sample_rows
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID
from tests.support.roster import BUDI, SITI, import_rows

ROWS = 20_000


async def edit_until(user: TelegramUser, message: BotMessage, *needles: str) -> BotMessage:
    """Follow the edits of one progress message until it shows all of `needles`."""
    for _ in range(200):
        edited = await user.expect_edit(message, timeout=120)
        if all(needle in (edited.text or "") for needle in needles):
            return edited
    raise AssertionError(f"{needles!r} never shown in {message.summary()}")


async def test_a_new_user_is_answered_while_a_large_import_runs(local_bot: LocalBot,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers.roster_admin, "PROGRESS_EVERY_SECONDS", 0)  # show every batch of rows
    services = local_bot.services
    assert services is not None
    admin = local_bot.user(ADMIN_ID)
    data = csv_bytes(SAMPLE_HEADER, [row.cells() for row in sample_rows(ROWS)])
    await admin.send_document("kutim-besar.csv", data)
    progress = await admin.expect_reply()
    await edit_until(admin, progress, f"semua {ROWS:,} baris valid".replace(",", "."))
    await admin.press("➕ Tambah dan perbarui")
    shown = await edit_until(admin, progress, "⏳ Mengimpor", "baris")  # the import is under way
    assert "berhasil diimpor" not in (shown.text or "")

    newcomer = local_bot.user(400777, first_name="Rina")
    await newcomer.send("/start")
    welcome = await newcomer.expect_reply(timeout=120)
    running = (await services.roster.imports())[0]
    assert running.status in ("running", "applying"), "the /start was answered only after the import"
    assert welcome.buttons  # the language or consent choice

    done = await edit_until(admin, progress, "berhasil diimpor")
    assert f"baru: {ROWS:,}".replace(",", ".") in (done.text or "")
    assert await services.roster.count_by_area("64.08") == ROWS


class Crash(BaseException):
    """The process dies here."""


async def test_the_bot_finishes_a_committed_import_when_it_starts_again(
        local_bot: LocalBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services = local_bot.services
    assert services is not None
    repository = services.roster.repository
    monkeypatch.setattr(roster_module, "APPLY_CHUNK", 2)
    apply_chunk = repository.apply_chunk

    async def dies_after_one_chunk(import_id: int, limit: int) -> int:
        monkeypatch.setattr(repository, "apply_chunk", crash)
        return await apply_chunk(import_id, limit)

    async def crash(import_id: int, limit: int) -> int:
        raise Crash

    monkeypatch.setattr(repository, "apply_chunk", dies_after_one_chunk)
    with pytest.raises(Crash):
        await import_rows(services, tmp_path, [SITI, BUDI, *sample_rows(4)])
    monkeypatch.setattr(repository, "apply_chunk", apply_chunk)
    assert await services.roster.count_by_area() == 2  # half applied when the process died
    assert (await services.roster.imports())[0].status == "applying"

    resumed = asyncio.Event()
    resume = services.roster.resume

    async def resume_and_tell(now: dt.datetime | None = None) -> list[int]:
        try:
            return await resume(now)
        finally:
            resumed.set()

    monkeypatch.setattr(services.roster, "resume", resume_and_tell)
    await local_bot.restart()
    await asyncio.wait_for(resumed.wait(), 30)
    assert (await services.roster.imports())[0].status == "imported"
    assert await services.roster.count_by_area() == 6
