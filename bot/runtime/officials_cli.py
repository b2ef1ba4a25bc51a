"""`jagakerja officials invite|list|revoke` (the same services as /undang and /petugas)."""

from __future__ import annotations

import argparse
import sys

from bot.domain.clock import SystemClock
from bot.domain.officials import InviteError, area_names, bot_link
from bot.domain.privacy import Vault
from bot.domain.roles import Actor
from bot.runtime.services import build_services
from bot.runtime.settings import load_settings
from storage.db import open_database


async def run_officials(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = await open_database(settings.DATABASE_URL)
    services = build_services(settings, db, Vault(settings.data_key()), SystemClock())
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
            print(bot_link(args.bot_username, created.payload))
            print(f"(console: /start {created.payload})")
            return 0
        if args.action == "list":
            for official in await services.officials.list_active():
                name = services.officials.name(official) or "-"
                areas = "admin" if official.role == "admin" else ",".join(official.area_codes)
                print(f"{official.user_id}\t{official.role}\t{areas}\t{name}\t{official.created_at:%Y-%m-%d}")
            return 0
        done = await services.officials.revoke(by, args.user_id)
        print(f"{args.user_id}: revoked" if done else f"{args.user_id}: no active official with this id")
        return 0 if done else 1
    finally:
        await db.close()
