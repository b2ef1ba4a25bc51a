"""The `jagakerja` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.runtime.settings import Settings, SettingsError, load_settings


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.runtime.logging_setup import configure_logging
    from bot.runtime.runner import run_bot

    settings = load_settings()
    configure_logging(settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)
    asyncio.run(run_bot(settings))
    return 0


def _cmd_console(args: argparse.Namespace) -> int:
    from bot.runtime.console import run_console

    return asyncio.run(run_console(args))


def _cmd_keygen(args: argparse.Namespace) -> int:
    from bot.domain.privacy import generate_key

    print(f"DATA_KEY={generate_key()}")
    print("# Keep this secret and backed up: without it, stored personal data cannot be read.",
          file=sys.stderr)
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from storage.db import Database

    async def migrate() -> list[str]:
        db = Database(load_settings().DATABASE_URL)
        try:
            return await db.migrate()
        finally:
            await db.close()

    applied = asyncio.run(migrate())
    print("applied: " + ", ".join(applied) if applied else "database is up to date")
    return 0


def _cmd_i18n(args: argparse.Namespace) -> int:
    from bot.runtime.i18n_tools import check_catalogs, update_catalogs

    if args.action == "update":
        update_catalogs()
        print("locales/messages.pot and the catalogs are updated; translate the empty entries.")
        return 0
    problems = check_catalogs()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def _cmd_officials(args: argparse.Namespace) -> int:
    from bot.runtime.officials_cli import run_officials

    return asyncio.run(run_officials(args))


async def erase_user(settings: Settings, telegram_id: int) -> bool:
    """Erase everything the bot keeps about one user: the same personal-data holders as /hapusdata, through the
    services alone (no bot, no Telegram). False when the bot had no user with this id (leftovers are erased)."""
    from bot.domain.privacy import Vault
    from bot.runtime.services import build_services
    from storage.db import open_database

    db = await open_database(settings.DATABASE_URL)
    try:
        services = build_services(settings, db, Vault(settings.data_key(), settings.old_data_keys()))
        known = await services.users.get(telegram_id) is not None
        await services.privacy.erase_user(telegram_id)
        return known
    finally:
        await db.close()


def _cmd_erase_user(args: argparse.Namespace) -> int:
    if asyncio.run(erase_user(load_settings(), args.telegram_id)):
        print(f"{args.telegram_id}: erased, as /hapusdata does (an anonymous erasure record is kept)")
        return 0
    print(f"{args.telegram_id}: no user with this Telegram id (anything left about it was erased)")
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jagakerja", description="JagaKerja Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="run the bot (long polling against BOT_API_URL)").set_defaults(func=_cmd_run)

    console = sub.add_parser("console", help="chat with the bot in the terminal (no Telegram, no token)")
    console.add_argument("--user-id", type=int, default=100001)
    console.add_argument("--name", default="Siti")
    console.add_argument("--language-code", default="id")
    console.add_argument("--db", default=None, help="SQLite file to keep (default: a throwaway database)")
    console.set_defaults(func=_cmd_console)

    sub.add_parser("keygen", help="print a new DATA_KEY").set_defaults(func=_cmd_keygen)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_cmd_migrate)

    officials = sub.add_parser("officials", help="village officials: invite, list, revoke")
    officials_sub = officials.add_subparsers(dest="action", required=True)
    invite = officials_sub.add_parser("invite", help="print a one-time invite link (valid 7 days)")
    invite.add_argument("--area", action="append", default=[], help="desa/kecamatan code (repeatable)")
    invite.add_argument("--admin", action="store_true", help="invite another admin instead of an official")
    invite.add_argument("--by", type=int, default=None, help="admin id recorded as inviter (default: first ADMIN_IDS)")
    invite.add_argument("--bot-username", default=None, help="the bot's username, for the t.me link")
    officials_sub.add_parser("list", help="list active officials and admins added by admins")
    revoke = officials_sub.add_parser("revoke", help="revoke an official's or added admin's access at once")
    revoke.add_argument("user_id", type=int)
    revoke.add_argument("--by", type=int, default=None)
    officials.set_defaults(func=_cmd_officials)

    erase = sub.add_parser("erase-user", help="erase a user's data, as /hapusdata does (e.g. a request by letter)")
    erase.add_argument("--telegram-id", type=int, required=True, help="the user's Telegram id")
    erase.set_defaults(func=_cmd_erase_user)

    i18n = sub.add_parser("i18n", help="translation catalogs: update from the code, or check them")
    i18n.add_argument("action", choices=["update", "check"])
    i18n.set_defaults(func=_cmd_i18n)
    from bot.runtime.roster_cli import add_roster_parser

    add_roster_parser(sub)  # jagakerja roster import|sample (issue 5)
    from bot.runtime.faq_learned_cli import add_export_learned_parser

    add_export_learned_parser(sub)  # jagakerja faq export-learned [--write] (issue 11; joins `faq` if it exists)
    from bot.runtime.faq_cli import add_faq_parser

    add_faq_parser(sub)  # jagakerja faq eval FILE.tsv | cv | calibrate (issue 11)
    from bot.runtime.ops_cli import add_ops_parsers

    add_ops_parsers(sub)  # jagakerja backup PATH | rotate-key (issue 15)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"jagakerja: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
