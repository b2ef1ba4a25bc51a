"""The command menu shown by Telegram, per language (setMyCommands)."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import N_, translator
from bot.settings import SUPPORTED_LANGUAGES

# Worker commands in menu order: (command, description msgid). Feature modules append theirs.
WORKER_COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Main menu")),
    ("bantuan", N_("Help")),
    ("bahasa", N_("Change language")),
    ("batal", N_("Stop what you are doing")),
    ("dataku", N_("What the bot stores about me")),
    ("hapusdata", N_("Erase my data")),
    ("cekkelayakan", N_("Check eligibility")),
    ("daftarminat", N_("Sign up interest")),
    ("minatsaya", N_("My interest requests")),
    ("cekstatus", N_("Check my protection status")),
    ("iuran", N_("Fee calculator")),
]


def commands_for(language: str) -> list[BotCommand]:
    t = translator(language)
    return [BotCommand(command, t.gettext(description)) for command, description in WORKER_COMMANDS]


async def publish_commands(bot: Bot, default_language: str = "id") -> None:
    await bot.set_my_commands(commands_for(default_language))
    for language in SUPPORTED_LANGUAGES:
        await bot.set_my_commands(commands_for(language), language_code=language)
