"""`jagakerja erase-user --telegram-id N` erases what the chat command /hapusdata erases: two users with the same
data in several features; one erased in the chat, the other by the CLI (services only, no bot); what is left
of each in every table must be the same."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.clock import FixedClock
from bot.domain.interest import Draft
from bot.domain.privacy import Vault, generate_key
from bot.runtime.cli import erase_user
from bot.runtime.cli import main as cli_main
from bot.runtime.services import Services, build_services
from bot.runtime.settings import load_settings
from bot.testing.runtime import LocalBot
from storage.db import Database, open_database
from storage.eligibility import EligibilityRepository
from storage.schema import metadata
from storage.status_checks import StatusCheckRepository
from tests.conftest import ADMIN_ID

BY_CHAT, BY_CLI = 7100001, 7100002
NIKS = {BY_CHAT: "6408014505900001", BY_CLI: "6408011203850002"}


async def seed(services: Services, user_id: int) -> None:
    """A worker who came by a village link, agreed, asked an official, signed up interest, checked their status
    and their eligibility."""
    now = services.clock.now()
    await services.users.touch(user_id, "id")
    await services.users.follow_link(user_id, "desa_6408012001")
    await services.users.choose_language(user_id, "id")
    await services.users.answer_consent(user_id, agreed=True)
    await services.questions.ask(user_id, "id", "kapan kartu saya aktif lagi?", ["nonaktif"])
    draft = Draft(name="Siti Aminah", nik=NIKS[user_id], phone="081234567890", desa_code="64.08.01.2001",
                  occupation="farmer")
    await services.interest.submit(user_id, draft, "id", now)
    await StatusCheckRepository(services.db).record(user_id, "not_found", now)
    await EligibilityRepository(services.db).record(
        user_id=user_id, kabupaten_code="64.08", kecamatan_code="64.08.01", outcome="likely", occupation="farmer",
        income_range="lt1", now=now)


def _mentions(value: object, user_id: int) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == user_id
    return isinstance(value, str) and str(user_id) in value


async def tables(url: str) -> dict[str, list[tuple[object, ...]]]:
    db = Database(url)
    try:
        async with db.read() as conn:
            return {table.name: [tuple(row) for row in (await conn.execute(sa.select(table))).all()]
                    for table in metadata.sorted_tables}
    finally:
        await db.close()


def mentions(snapshot: dict[str, list[tuple[object, ...]]], user_id: int) -> dict[str, int]:
    """Per table, the rows that still name the user (an id column, a conversation key…)."""
    counts = {name: sum(1 for row in rows if any(_mentions(v, user_id) for v in row))
              for name, rows in snapshot.items()}
    return {name: n for name, n in counts.items() if n}


def sizes(snapshot: dict[str, list[tuple[object, ...]]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot.items()}


async def test_the_cli_erases_what_hapusdata_erases(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    bot = await LocalBot(url, clock=clock, admin_ids=(ADMIN_ID,)).start()
    try:
        assert bot.services is not None and bot.settings is not None
        settings = bot.settings
        for user_id in (BY_CHAT, BY_CLI):
            await seed(bot.services, user_id)
        before = await tables(url)
        for user_id in (BY_CHAT, BY_CLI):
            kept = mentions(before, user_id)
            assert {"users", "consent_log", "faq_questions", "interest_requests", "status_checks",
                    "eligibility_results"} <= set(kept), kept
        user = bot.user(BY_CHAT)
        await user.send("/hapusdata")
        await user.expect_reply()
        await user.press("🗑 Ya, hapus")
        assert "sudah dihapus" in ((await user.expect_reply()).text or "")
    finally:
        await bot.stop()  # the bot is gone before the CLI runs
    after_chat = await tables(url)
    assert await erase_user(settings, BY_CLI) is True
    after_cli = await tables(url)
    assert mentions(after_cli, BY_CLI) == mentions(after_chat, BY_CHAT)
    assert "users" not in mentions(after_cli, BY_CLI)
    removed_by_chat = {n: sizes(before)[n] - sizes(after_chat)[n] for n in before}
    removed_by_cli = {n: sizes(after_chat)[n] - sizes(after_cli)[n] for n in before}
    assert removed_by_cli == removed_by_chat
    db = await open_database(url)
    try:  # through the services, as the features see it
        services = build_services(settings, db, Vault(settings.data_key()))
        assert await services.users.get(BY_CLI) is None and await services.users.consent_history(BY_CLI) == []
        assert await services.questions.for_user(BY_CLI) == [] and await services.interest.for_user(BY_CLI) == []
    finally:
        await db.close()


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DATA_KEY", generate_key())
    monkeypatch.delenv("BOT_TOKEN", raising=False)

    async def make_user() -> None:
        settings = load_settings()
        db = await open_database(settings.DATABASE_URL)
        try:
            services = build_services(settings, db, Vault(settings.data_key()),
                                      FixedClock(dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)))
            await seed(services, BY_CLI)
        finally:
            await db.close()

    asyncio.run(make_user())
    assert cli_main(["erase-user", "--telegram-id", str(BY_CLI)]) == 0
    assert f"{BY_CLI}: erased" in capsys.readouterr().out
    assert cli_main(["erase-user", "--telegram-id", str(BY_CLI)]) == 1  # nothing left: says so
    assert "no user with this Telegram id" in capsys.readouterr().out
