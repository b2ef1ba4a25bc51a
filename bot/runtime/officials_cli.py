"""`jagakerja officials invite|list|revoke` (the same services as /undang and /petugas)."""

from __future__ import annotations

import argparse
import sys

from telegram import Bot
from telegram.error import TelegramError

from bot.domain.clock import SystemClock
from bot.domain.officials import InviteError, area_names, bot_link
from bot.domain.privacy import Vault
from bot.domain.roles import Actor
from bot.runtime.services import build_services
from bot.runtime.settings import Settings, load_settings
from storage.db import open_database


async def bot_username(settings: Settings, given: str | None) -> str | None:
    """`--bot-username`, else the bot's own username from Telegram (getMe) when BOT_TOKEN is set; None when
    neither (the link then shows a `<bot>` placeholder, with a hint)."""
    if given or settings.BOT_TOKEN is None:
        return given
    try:
        async with Bot(settings.token(), base_url=settings.BOT_API_URL) as bot:  # initialising asks getMe
            return bot.username
    except TelegramError as exc:
        print(f"jagakerja officials: could not ask Telegram for the bot's username ({exc})", file=sys.stderr)
        return None


async def run_officials(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = await open_database(settings.DATABASE_URL)
    services = build_services(settings, db, Vault(settings.data_key(), settings.old_data_keys()), SystemClock())
    by = Actor(args.by if getattr(args, "by", None) is not None else next(iter(settings.ADMIN_IDS), 0), "admin")
    try:
        if args.action == "invite":
            role = "admin" if args.admin else "official"
            try:
                created = await services.officials.create_invite(by, role, list(args.area))
            except InviteError as exc:
                print(f"jagakerja officials: {exc}", file=sys.stderr)
                return 2
            what = "admin" if role == "admin" else ", ".join(area_names(created.invite.area_codes))
            print(f"invite for: {what}")
            print(f"valid until: {created.invite.expires_at.astimezone(settings.tz):%Y-%m-%d %H:%M} (one use)")
            username = await bot_username(settings, args.bot_username)
            print(bot_link(username, created.payload))
            if username is None:
                print("(replace <bot> with the bot's username, or pass --bot-username / set BOT_TOKEN)")
            print(f"(console: /start {created.payload})")
            return 0
        if args.action == "list":
            active = await services.officials.list_active()
            if not active:
                print("no active officials or added admins (invite one: jagakerja officials invite --area CODE)")
            for official in active:
                name = services.officials.name(official) or "-"
                areas = "admin" if official.role == "admin" else ",".join(official.area_codes)
                print(f"{official.user_id}\t{official.role}\t{areas}\t{name}\t{official.created_at:%Y-%m-%d}")
            return 0
        done = await services.officials.revoke(by, args.user_id)
        print(f"{args.user_id}: revoked" if done else f"{args.user_id}: no active official with this id")
        return 0 if done else 1
    finally:
        await db.close()
