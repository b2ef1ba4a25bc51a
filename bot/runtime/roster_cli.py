"""`jagakerja roster import FILE [--dry-run] [--mode upsert|replace] [--region CODE] [--yes]` (prints what it
would do / did, per kecamatan; a replace ending more than 10% of its region needs --yes),
`jagakerja roster undo BATCH` (undo an import within 30 days), `jagakerja roster resume` (finish an import a
crash interrupted; the bot also does it when it starts) and
`jagakerja roster sample FILE --rows N [--bad K]` (a synthetic roster to try the import with)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import sys
from pathlib import Path
from typing import Any

from bot.domain.i18n import Translator
from bot.domain.roster import (
    MODES,
    ImportResult,
    RosterService,
    UndoCheck,
    error_lines,
    preview_lines,
    preview_total,
    undo_problem,
)
from bot.domain.roster_files import sample_rows, write_sample_csv


def add_roster_parser(sub: Any) -> None:
    roster = sub.add_parser("roster", help="the district roster: import a file, or write a sample")
    actions = roster.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="import a .csv or .xlsx roster (all rows or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument("--mode", choices=MODES, default="upsert",
                     help="upsert: add and update (default); replace: the file is the whole roster of its region")
    imp.add_argument("--region", default=None,
                     help="kabupaten/kecamatan code the file covers (default: the kabupaten found in the file)")
    imp.add_argument("--report", type=Path, default=None, help="write the error report (CSV) to this file")
    imp.add_argument("--language", choices=("id", "en"), default=None, help="language of the messages")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.add_argument("--yes", action="store_true",
                     help="replace even when it ends more than 10%% of the region's people")
    imp.set_defaults(func=_cmd_import)
    undo = actions.add_parser("undo", help="undo an import (batch id as printed by import) within 30 days")
    undo.add_argument("batch", type=int)
    undo.add_argument("--language", choices=("id", "en"), default=None, help="language of the messages")
    undo.set_defaults(func=_cmd_undo)
    resume = actions.add_parser("resume", help="finish an import a crash interrupted after its commit, and throw "
                                               "away the staged rows of those that were not committed")
    resume.set_defaults(func=_cmd_resume)
    sample = actions.add_parser("sample", help="write a synthetic roster CSV (valid rows; --bad adds broken ones)")
    sample.add_argument("file", type=Path)
    sample.add_argument("--rows", type=int, default=100)
    sample.add_argument("--bad", type=int, default=0, help="how many broken rows to append")
    sample.add_argument("--kabupaten", default="64.08")
    sample.set_defaults(func=_cmd_sample)


def _cmd_sample(args: argparse.Namespace) -> int:
    count = write_sample_csv(args.file, sample_rows(args.rows, kabupaten=args.kabupaten))
    if args.bad:
        broken = [
            ["6408011234", "Nama Pendek", "01/01/1990", "64.08.01.2001", "JKK+JKM", "APBD", "2026-01-01",
             "2026-12-31", ""],
            ["6408014101900001", "Siti Contoh", "02/01/1990", "64.08.01.2001", "JKK+JKM", "APBD", "2026-01-01",
             "2026-12-31", ""],
            ["6408010101900002", "Budi Contoh", "01/01/1990", "99.99.99.9999", "JKK+JKM", "APBD", "2026-01-01",
             "2026-12-31", ""],
            ["6408010101900003", "Agus Contoh", "01/01/1990", "64.08.01.2001", "JHT", "APBD", "2026-12-31",
             "2026-01-01", ""],
        ]
        with args.file.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for index in range(args.bad):
                writer.writerow(broken[index % len(broken)])
        count += args.bad
    print(f"{args.file}: {count} rows ({args.bad} broken)")
    return 0


def _cmd_resume(args: argparse.Namespace) -> int:
    async def resume() -> list[int]:
        from bot.domain.privacy import Vault
        from bot.runtime.services import build_services
        from bot.runtime.settings import load_settings
        from storage.db import open_database

        settings = load_settings()
        db = await open_database(settings.DATABASE_URL)
        try:
            roster = build_services(settings, db, Vault(settings.data_key(), settings.old_data_keys())).roster
            roster.share_write_lock()  # the bot may be running on the same database
            return await roster.resume()
        finally:
            await db.close()

    finished = asyncio.run(resume())
    print(f"finished imports: {', '.join(map(str, finished)) or 'none'}")
    return 0


class _Bar:
    """A tqdm progress bar on stderr per phase (validate, write)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.phase: str | None = None
        self.bar: Any = None

    async def __call__(self, phase: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if phase != self.phase:
            self.close()
            self.phase = phase
            label = {"validate": "checking", "write": "reading + staging", "apply": "applying"}.get(phase, phase)
            self.bar = tqdm(total=total, desc=label, unit=" rows", unit_scale=True, file=sys.stderr)
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


async def import_file(args: argparse.Namespace) -> tuple[ImportResult, Translator]:
    from bot.domain.i18n import load_catalogs, translator
    from bot.domain.privacy import Vault
    from bot.domain.regions import normalize_code
    from bot.runtime.services import build_services
    from bot.runtime.settings import load_settings
    from storage.db import open_database

    settings = load_settings()
    load_catalogs()
    t = translator(args.language or settings.DEFAULT_LANGUAGE, settings.tz)
    region = normalize_code(args.region) if args.region else None
    if args.region and region is None:
        raise SystemExit(f"jagakerja: --region {args.region!r} is not a region code such as 64.08")
    db = await open_database(settings.DATABASE_URL)
    bar = _Bar(not args.no_progress)
    try:
        roster = build_services(settings, db, Vault(settings.data_key(), settings.old_data_keys())).roster
        roster.share_write_lock()  # the bot may be running on the same database
        result = await roster.import_file(
            args.file, file_name=args.file.name, mode=args.mode, dry_run=args.dry_run,
            imported_by=f"cli:{getpass.getuser()}", region=region, progress=bar, confirmed=args.yes)
    finally:
        bar.close()
        await db.close()
    return result, t


def _cmd_undo(args: argparse.Namespace) -> int:
    from bot.domain.i18n import load_catalogs, translator
    from bot.domain.privacy import Vault
    from bot.runtime.services import build_services
    from bot.runtime.settings import load_settings
    from storage.db import open_database

    settings = load_settings()
    load_catalogs()
    t = translator(args.language or settings.DEFAULT_LANGUAGE, settings.tz)

    async def undo() -> UndoCheck:
        db = await open_database(settings.DATABASE_URL)
        try:
            roster = build_services(settings, db, Vault(settings.data_key(), settings.old_data_keys())).roster
            roster.share_write_lock()  # the bot may be running on the same database
            return await roster.undo(args.batch, by=f"cli:{getpass.getuser()}")
        finally:
            await db.close()

    check = asyncio.run(undo())
    if check.problem is not None:
        print(undo_problem(check, t, args.batch))
        return 1
    record = check.record
    assert record is not None
    print(t.gettext("Import {batch} ({file}) undone: {inserted} added people removed, {updated} restored, "
                    "{ended} ended people listed again.").format(
        batch=record.id, file=record.file_name, inserted=t.number(record.inserted), updated=t.number(record.updated),
        ended=t.number(record.ended)))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    if not args.file.exists():
        print(f"jagakerja: {args.file} does not exist", file=sys.stderr)
        return 2
    result, t = asyncio.run(import_file(args))
    if result.status == "rejected":
        print(t.ngettext("{file}: {n} problem; nothing was imported.", "{file}: {n} problems; nothing was imported.",
                         result.error_count).format(file=result.file_name, n=t.number(result.error_count)))
        for line in error_lines(result.errors, t):
            print("  " + line)
        if result.error_count > len(result.errors):
            print("  … " + t.gettext("{count} more problems not listed").format(
                count=t.number(result.error_count - len(result.errors))))
        if args.report:
            args.report.write_bytes(RosterService.error_report(result, t))
            print(t.gettext("Report written to {path}").format(path=args.report))
        return 1
    regions = ", ".join(result.regions)
    replace = args.mode == "replace"
    if result.status in ("validated", "unconfirmed"):
        if result.status == "validated":
            print(t.gettext("{file}: all {rows} rows are valid (dry run: nothing written). Region: {regions}")
                  .format(file=result.file_name, rows=t.number(result.rows), regions=regions))
        if result.preview is not None:
            print(t.gettext("Importing it ({mode}) would give: {counts}").format(
                mode=args.mode, counts=preview_total(result.preview, t, replace)))
            for line in preview_lines(result.preview, t, replace):
                print("  " + line)
            if replace and result.preview.needs_confirmation:
                print(t.gettext("Warning: this replace ends more than 10% of the people listed in its region; "
                                "it is imported only with --yes."))
        if result.status == "unconfirmed":
            print(t.gettext("{file}: nothing was imported (add --yes to replace anyway).").format(
                file=result.file_name))
            return 1
        return 0
    if result.status != "imported":
        print(t.gettext("{file}: nothing was imported.").format(file=result.file_name))
        return 1
    print(t.gettext("{file}: imported {rows} rows — new {inserted}, updated {updated}, ended {ended}. "
                    "Region: {regions}").format(
        file=result.file_name, rows=t.number(result.rows), inserted=t.number(result.inserted),
        updated=t.number(result.updated), ended=t.number(result.ended), regions=regions))
    print(t.gettext("Batch {batch}: undo it within 30 days with “jagakerja roster undo {batch}”.").format(
        batch=result.import_id))
    return 0
