"""`jagakerja backup PATH`: a consistent copy of the SQLite database while the bot runs.

SQLite's online backup API (`sqlite3.Connection.backup`) copies the pages of one read transaction: in WAL mode
(storage.db) readers do not block the bot's writes, and the copy is the database as of one moment, whatever is
written meanwhile. The copy goes to a temporary file beside the target, is switched out of WAL mode (one
self-contained file), checked with `PRAGMA integrity_check`, flushed to disk, and only then renamed to PATH:
a failed or interrupted backup never leaves a half-written PATH behind.

PostgreSQL is backed up with its own tool, `pg_dump` (`pg_dump_command` gives the exact command).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# The tables an operator recognises, counted in the report (those that exist in this database).
MAIN_TABLES = ("users", "roster_members", "interest_requests", "faq_questions", "officials", "broadcasts",
               "broadcast_recipients", "status_checks", "audit_log", "alembic_version")


class BackupError(Exception):
    """The backup could not be made or did not pass its check; PATH was not written."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int  # bytes
    integrity: str  # "ok"
    counts: dict[str, int]  # rows per main table


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL (or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    return None if not database or database == ":memory:" else Path(database).expanduser()


def pg_dump_command(url: str, path: str) -> str:
    """The `pg_dump` command for a PostgreSQL URL, without its password (give it with PGPASSWORD or ~/.pgpass)."""
    given = make_url(url)
    bare = URL.create("postgresql", username=given.username, host=given.host, port=given.port,
                      database=given.database, query=given.query)
    return f"pg_dump --format=custom --file={path} '{bare.render_as_string(hide_password=False)}'"


def backup_sqlite(source: Path, target: Path) -> BackupReport:
    """Copy `source` to `target` (see the module doc); raises BackupError (nothing written) on failure."""
    if not source.exists():
        raise BackupError(f"{source}: no such database file")
    target = target.expanduser()
    if target.resolve() == source.resolve():
        raise BackupError("the backup cannot replace the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        report = _copy(source, temporary)
        os.replace(temporary, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"backup failed: {exc}") from None
    finally:
        for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm"), Path(f"{temporary}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return BackupReport(target, target.stat().st_size, report[0], report[1])


def _copy(source: Path, temporary: Path) -> tuple[str, dict[str, int]]:
    src = sqlite3.connect(source, timeout=30)  # reads only; not `mode=ro`: a WAL database may need its -shm made
    dst = sqlite3.connect(temporary)
    try:
        src.backup(dst)  # every page in one step: one read transaction, a consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one file, not a WAL database
        integrity = "; ".join(row[0] for row in dst.execute("PRAGMA integrity_check"))
        if integrity != "ok":
            raise BackupError(f"the copy failed its integrity check: {integrity[:500]}")
        existing = {row[0] for row in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = {t: int(dst.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # fixed names
                  for t in MAIN_TABLES if t in existing}
        dst.commit()
    finally:
        dst.close()
        src.close()
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    return integrity, counts
