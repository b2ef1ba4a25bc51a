"""The commands, one list per role: the menu shown by Telegram per language (setMyCommands), /bantuan and the
officials' welcome are all made from these lists (a test checks every registered command is in one of them)."""

from __future__ import annotations

import html

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.domain.i18n import N_, SUPPORTED_LANGUAGES, Translator, translator

# Worker commands in menu order, features first: (command, description msgid).
WORKER_COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Main menu")),
    ("cekstatus", N_("Check my protection status")),
    ("cekkelayakan", N_("Check eligibility")),
    ("iuran", N_("Fee calculator")),
    ("daftarminat", N_("Sign up interest")),
    ("minatsaya", N_("My interest requests")),
    ("bantuan", N_("Help")),
    ("bahasa", N_("Change language")),
    ("batal", N_("Stop what you are doing")),
    ("dataku", N_("What the bot stores about me")),
    ("berhenti", N_("Stop announcements")),
    ("lanjut", N_("Get announcements again")),
    ("hapusdata", N_("Erase my data")),
]
# Added to the menu of officials (and admins) in their own chat.
STAFF_COMMANDS: list[tuple[str, str]] = [
    ("tindaklanjut", N_("Follow-up queue (officials)")),
    ("cari", N_("Search requests by reference, name or NIK")),
    ("usulan", N_("Desa proposal: list and letter")),
    ("daftarkan", N_("Register a worker without Telegram")),
    ("pertanyaan", N_("Questions from workers (officials)")),
    ("unduh", N_("Download requests as Excel/CSV")),
    ("poster", N_("QR poster for a desa")),
    ("statistik", N_("Statistics and charts")),
    ("cakupan", N_("Coverage report: Excel and PDF")),
]
# Added to the menu of admins in their own chat.
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("siaran", N_("Broadcast an announcement")),
    ("siaran_status", N_("Broadcast jobs")),
    ("undang", N_("Invite an official")),
    ("petugas", N_("Officials: list and revoke")),
    ("audit", N_("Audit log")),
    ("target", N_("Set a region's coverage target")),
]


def entries_for(staff: bool = False, admin: bool = False) -> list[tuple[str, str]]:
    """The (command, description msgid) a role may use, in menu order."""
    return [*WORKER_COMMANDS, *(STAFF_COMMANDS if staff or admin else []), *(ADMIN_COMMANDS if admin else [])]


def commands_for(language: str, staff: bool = False, admin: bool = False) -> list[BotCommand]:
    t = translator(language)
    return [BotCommand(command, t.gettext(description)) for command, description in entries_for(staff, admin)]


def command_lines(t: Translator, entries: list[tuple[str, str]]) -> list[str]:
    """`/cekstatus – Cek status perlindungan saya` lines (HTML) for a chat message."""
    return [f"/{command} – {html.escape(t.gettext(description))}" for command, description in entries]


async def publish_commands(bot: Bot, default_language: str = "id", admin_ids: tuple[int, ...] = ()) -> None:
    """The worker menu per language; admins from ADMIN_IDS get the full menu in their own chat."""
    await bot.set_my_commands(commands_for(default_language))
    for language in SUPPORTED_LANGUAGES:
        await bot.set_my_commands(commands_for(language), language_code=language)
    for admin_id in admin_ids:
        await bot.set_my_commands(commands_for(default_language, admin=True), scope=BotCommandScopeChat(admin_id))
