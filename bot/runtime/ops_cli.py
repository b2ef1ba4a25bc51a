"""Operator tools: `jagakerja backup PATH` and `jagakerja rotate-key [--batch N] [--force]` (docs/operations.md).

Operator output, in English like the rest of the CLI's reports; never a personal value (counts and key ids only:
a key id is 8 hex digits of a derived HMAC, it says which key sealed a token, nothing of the key).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from bot.domain.key_rotation import SEALED_TABLES, KeyRotation, TableReport, rotation_vaults
from bot.domain.privacy import Vault
from bot.runtime.settings import Settings, load_settings
from storage.backup import BackupError, backup_sqlite, pg_dump_command, sqlite_file
from storage.db import open_database
from storage.rotation import RotationRepository


def add_ops_parsers(sub: Any) -> None:
    backup = sub.add_parser("backup", help="copy the SQLite database to PATH while the bot runs (PostgreSQL: "
                                           "prints the pg_dump command)")
    backup.add_argument("path", type=Path)
    backup.set_defaults(func=_cmd_backup)
    rotate = sub.add_parser("rotate-key", help="re-encrypt and re-hash every personal field under DATA_KEY "
                                               "(the previous key in DATA_KEY_OLD); resumable, then verified")
    rotate.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")
    rotate.add_argument("--force", action="store_true", help="rotate even while a roster import is in progress")
    rotate.add_argument("--verify-only", action="store_true", help="only check that every value reads under "
                                                                   "DATA_KEY alone")
    rotate.set_defaults(func=_cmd_rotate_key)


def run_backup(settings: Settings, path: Path) -> int:
    source = sqlite_file(settings.DATABASE_URL)
    if source is None:
        if settings.DATABASE_URL.startswith("postgresql"):
            print("jagakerja backup: the database is PostgreSQL: back it up with pg_dump (it takes a consistent "
                  "snapshot while the bot runs), e.g.\n  " + pg_dump_command(settings.DATABASE_URL, str(path)) +
                  "\n(password from PGPASSWORD or ~/.pgpass; restore with pg_restore --clean --dbname=…)",
                  file=sys.stderr)
        else:
            print("jagakerja backup: an in-memory database cannot be backed up", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        report = backup_sqlite(source, path)
    except BackupError as exc:
        print(f"jagakerja backup: {exc}", file=sys.stderr)
        return 1
    print(f"backup written: {report.path} ({report.size / 1_048_576:.1f} MiB, {report.size:,} bytes) in "
          f"{time.perf_counter() - started:.1f} s; integrity check: {report.integrity}")
    for table, count in report.counts.items():
        print(f"  {table:<22} {count:>10,} rows")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    return run_backup(load_settings(), args.path)


async def rotate_key(settings: Settings, *, batch: int = 1000, force: bool = False, verify_only: bool = False,
                     out: Any = None, schema: str | None = None) -> int:
    """The rotation, then the verification; 0 when every value reads under the new key alone. `schema`: a
    PostgreSQL schema (benchmarks, tests)."""
    out = out or sys.stdout
    old_keys = settings.old_data_keys()
    vault, verifier = rotation_vaults(settings.data_key(), old_keys)
    db = await open_database(settings.DATABASE_URL, schema)
    try:
        repository = RotationRepository(db)
        rotation = KeyRotation(repository, vault, batch=batch)
        started = time.perf_counter()
        reports: list[TableReport] = []
        if not verify_only:
            busy = await repository.busy_imports()
            if busy and not force:
                print(f"jagakerja rotate-key: roster import(s) {busy} in progress: let them finish (or "
                      "`jagakerja roster resume`) first, or pass --force", file=sys.stderr)
                return 2
            old_ids = ", ".join(Vault(k).key_id for k in old_keys) or "none (DATA_KEY_OLD is not set)"
            print(f"rotating to key {vault.key_id} (old key: {old_ids}), {batch} rows per batch", file=out)
            for table in SEALED_TABLES:
                report = await rotation.rotate_table(table)
                reports.append(report)
                print(f"  {report.name:<18} {report.before:>9,} to do, {report.written:>9,} written, "
                      f"{report.left:>6,} left ({time.perf_counter() - started:.1f} s)", file=out)
        rotated_in = time.perf_counter() - started
        checked = await rotation.verify(verifier, reports=reports or None)
        verified_in = time.perf_counter() - started - rotated_in
        return _summary(checked, rotated_in, verified_in, verify_only, out)
    finally:
        await db.close()


def _summary(reports: list[TableReport], rotated_in: float, verified_in: float, verify_only: bool, out: Any) -> int:
    bad = 0
    print(f"verification with DATA_KEY alone ({verified_in:.1f} s):", file=out)
    for r in reports:
        problems = r.unreadable + len(r.undecryptable) + len(r.conflicts)
        bad += problems
        extra = f", {len(r.undecryptable)} undecryptable, {len(r.conflicts)} NIK conflicts" if problems else ""
        print(f"  {r.name:<18} {r.checked:>9,} rows read back, {r.unreadable} unreadable{extra}", file=out)
    if bad:
        print(f"NOT DONE: {bad} problem(s); keep DATA_KEY_OLD set (see docs/operations.md, key rotation)", file=out)
        return 1
    if not verify_only:
        print(f"done in {rotated_in:.1f} s: every value reads under the new key; remove DATA_KEY_OLD and restart "
              "the bot", file=out)
    else:
        print("every value reads under DATA_KEY alone", file=out)
    return 0


def _cmd_rotate_key(args: argparse.Namespace) -> int:
    return asyncio.run(rotate_key(load_settings(), batch=args.batch, force=args.force, verify_only=args.verify_only))
