"""/bantuan lists every command the user may use, from the same lists as Telegram's command menu (workers;
officials and admins also see theirs); every registered command is in those lists, with the role its guard
enforces; the official's welcome lists the staff commands (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bot.domain.i18n import translator
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.commands_menu import ADMIN_COMMANDS, STAFF_COMMANDS, WORKER_COMMANDS
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard
from tests.support.officials import DESA_A, invite_code, make_official

LISTS = {"worker": WORKER_COMMANDS, "staff": STAFF_COMMANDS, "admin": ADMIN_COMMANDS}
REFUSALS = ("This is only for village officials.", "This is only for admins.",
            "Sorry, this is for admins and officials only.")  # /statistik: its own words


def command_handlers(handlers: list[BaseHandler[Any, Any, Any]]) -> Iterator[CommandHandler[Any, Any]]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from command_handlers(list(handler.entry_points))
            for step in handler.states.values():
                yield from command_handlers(list(step))
            yield from command_handlers(list(handler.fallbacks))
        elif isinstance(handler, CommandHandler):
            yield handler


def listed_in(text: str, entries: list[tuple[str, str]], language: str) -> list[str]:
    """The commands of `entries` that `text` lists, with their description, one a line."""
    t = translator(language)
    return [command for command, description in entries if f"/{command} – {t.gettext(description)}" in text]


async def help_of(user: TelegramUser) -> str:
    await user.send("/bantuan")
    return (await user.expect_reply()).text or ""


async def test_workers_see_every_worker_command_and_no_staff_ones(local_bot: LocalBot) -> None:
    user = local_bot.user(700001)
    await onboard(local_bot, user)
    text = await help_of(user)
    assert listed_in(text, WORKER_COMMANDS, "id") == [c for c, _ in WORKER_COMMANDS]
    for must in ("/cekstatus", "/cekkelayakan", "/iuran", "/daftarminat", "/minatsaya", "/dataku", "/hapusdata"):
        assert must in text
    assert listed_in(text, STAFF_COMMANDS + ADMIN_COMMANDS, "id") == []
    assert "175" in text  # the official channels stay


async def test_officials_and_admins_also_see_theirs(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 700002, [DESA_A])
    text = await help_of(official)
    assert listed_in(text, WORKER_COMMANDS + STAFF_COMMANDS, "en") == [c for c, _ in WORKER_COMMANDS + STAFF_COMMANDS]
    assert "/statistik" in text and listed_in(text, ADMIN_COMMANDS, "en") == []
    admin = local_bot.user(ADMIN_ID, language_code="en")
    text = await help_of(admin)
    everything = WORKER_COMMANDS + STAFF_COMMANDS + ADMIN_COMMANDS
    assert listed_in(text, everything, "en") == [c for c, _ in everything]


async def test_every_registered_command_is_listed(local_bot: LocalBot) -> None:
    """Each command handler answers at least one listed command (the others are its aliases: /help, /cancel…)."""
    assert local_bot.app is not None
    listed = {command for entries in LISTS.values() for command, _ in entries}
    registered = [h for group in local_bot.app.handlers.values() for h in command_handlers(list(group))]
    assert len(registered) > 20
    unlisted = sorted(sorted(h.commands) for h in registered if not h.commands & listed)
    assert unlisted == []


async def replies_to(bot: LocalBot, user: TelegramUser, command: str) -> str:
    """What the bot answers to `/command` (then /batal leaves whatever it started)."""
    before = len(bot.double.messages_to(user.chat_id))
    await bot.settle(await user.send(f"/{command}"))
    answer = "\n".join(m.text or "" for m in bot.double.messages_to(user.chat_id)[before:])
    await bot.settle(await user.send("/batal"))
    return answer


async def test_each_list_matches_the_role_its_commands_need(local_bot: LocalBot) -> None:
    """Workers are refused every staff and admin command and no worker command; officials are refused the admin
    commands and no staff command (the lists say who may use what, as the guards do)."""
    worker = local_bot.user(700003, language_code="en")
    await onboard(local_bot, worker, language="English")
    official = await make_official(local_bot, 700004, [DESA_A])
    for command, _ in WORKER_COMMANDS:
        answer = await replies_to(local_bot, worker, command)
        assert not any(r in answer for r in REFUSALS), command
    for command, _ in STAFF_COMMANDS + ADMIN_COMMANDS:
        answer = await replies_to(local_bot, worker, command)
        assert any(r in answer for r in REFUSALS), command
    for command, _ in STAFF_COMMANDS:
        answer = await replies_to(local_bot, official, command)
        assert not any(r in answer for r in REFUSALS), command
    for command, _ in ADMIN_COMMANDS:
        assert "This is only for admins." in await replies_to(local_bot, official, command), command


async def test_the_officials_welcome_lists_the_staff_commands(local_bot: LocalBot) -> None:
    payload = await invite_code(local_bot, [DESA_A])
    user = local_bot.user(700005, language_code="id")
    await user.send(f"/start {payload}")
    await user.expect_reply()
    await user.press("✅ Terima")
    welcome = (await user.expect_edit()).text or ""
    assert listed_in(welcome, STAFF_COMMANDS, "id") == [c for c, _ in STAFF_COMMANDS]
    assert "/statistik" in welcome and "/bantuan" in welcome
