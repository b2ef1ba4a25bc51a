"""`jagakerja faq export-learned [--write]`: what admins taught the FAQ in the chat (📚 Make it an FAQ), written
back to locales/*/faq.toml: new phrasings into their entry's `variants`, new entries appended (an entry taught
in Indonesian only is copied into the English file marked "TODO: translate"). Without --write it prints the
changes as a diff; every changed file is checked to load as a valid FAQ before anything is written."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.domain.i18n import LOCALES_DIR


def _faq_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `faq` command's subcommands (created when no other part of the CLI made `faq` yet)."""
    faq = sub.choices.get("faq")
    if faq is None:
        faq = sub.add_parser("faq", help="the FAQ knowledge base")
        return faq.add_subparsers(dest="faq_action", required=True)
    for action in faq._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return faq.add_subparsers(dest="faq_action", required=True)


def add_export_learned_parser(sub: argparse._SubParsersAction) -> None:
    export = _faq_subparsers(sub).add_parser(
        "export-learned", help="write what admins taught the FAQ in the chat to locales/*/faq.toml")
    export.add_argument("--write", action="store_true", help="write the files (default: print the changes)")
    export.add_argument("--locales-dir", type=Path, default=LOCALES_DIR, help=argparse.SUPPRESS)
    export.set_defaults(func=_cmd_export_learned)


def _cmd_export_learned(args: argparse.Namespace) -> int:
    return asyncio.run(export_learned(args.locales_dir, write=args.write))


async def export_learned(locales_dir: Path, *, write: bool) -> int:
    from bot.domain.faq_learning import diff, exported
    from bot.domain.privacy import Vault
    from bot.runtime.services import build_services
    from bot.runtime.settings import load_settings
    from storage.db import open_database

    settings = load_settings()
    db = await open_database(settings.DATABASE_URL)
    try:
        vault = Vault(settings.data_key(), settings.old_data_keys())
        records = await build_services(settings, db, vault).faq_learning.records()
    finally:
        await db.close()
    try:
        changes = exported(records, locales_dir)
    except ValueError as exc:  # a file would no longer load: nothing is written
        print(f"jagakerja faq export-learned: {exc}", file=sys.stderr)
        return 2
    if not changes:
        print(f"nothing to export ({len(records)} learned items, all already in the files)")
        return 0
    for path, (before, after) in changes.items():
        if write:
            path.write_text(after, encoding="utf-8")
            print(f"written: {path}")
        else:
            print(diff(path, before, after), end="")
    if not write:
        print("(run again with --write to write these files)", file=sys.stderr)
    return 0
