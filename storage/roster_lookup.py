"""The status check's roster read on SQLite, without the driver's thread (issue 16: p99 ≤ 1 ms at 1M rows).

Through SQLAlchemy and aiosqlite one point read costs five hops to aiosqlite's thread and back (check out a
connection, execute, fetch, roll back, check in): ~1.5 ms of a status lookup's 1.7 ms at p99, when the read
itself — one probe of the unique index on `nik_hash` and one row — takes ~15 µs in `sqlite3`. So on a SQLite
file the lookup uses its own plain `sqlite3` connection, on the event loop's thread:
- read-only (`PRAGMA query_only`), autocommit: every SELECT is its own read transaction and sees each committed
  import at once (WAL: a reader never waits for a writer, nor a writer for it);
- a short busy timeout (50 ms): anything unusual (locked, a missing table, a closed file) returns None and the
  caller reads through SQLAlchemy as before;
- one statement per number of hashes (a key rotation looks up two), prepared once and kept by `sqlite3`'s
  statement cache.
A point read on an indexed column blocks the loop for tens of microseconds when the pages are in the cache, a few
page reads when they are not. PostgreSQL (and in-memory SQLite) keep the SQLAlchemy path.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import weakref
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from storage.db import Database

BUSY_TIMEOUT = 0.05  # seconds: never hold the event loop long; on a timeout the caller takes the usual path


class PointReader:
    """`SELECT <columns> FROM <table> WHERE <key> IN (…)`, first row, on a plain sqlite3 connection."""

    def __init__(self, path: str, table: sa.Table, columns: Sequence[str], key: str) -> None:
        self.connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        self.connection.execute("PRAGMA query_only = ON")
        weakref.finalize(self, self.connection.close)
        self.columns = tuple(columns)
        self.dates = frozenset(c for c in self.columns if isinstance(table.c[c].type, sa.Date)
                               and not isinstance(table.c[c].type, sa.DateTime))
        self._select = f"SELECT {', '.join(self.columns)} FROM {table.name} WHERE {key} IN "
        self._statements: dict[int, str] = {}

    def first(self, values: Sequence[str]) -> dict[str, Any] | None:
        """The first matching row as {column: value} (dates as `datetime.date`, as SQLAlchemy gives them)."""
        statement = self._statements.get(len(values))
        if statement is None:
            statement = self._statements[len(values)] = self._select + f"({', '.join('?' * len(values))}) LIMIT 1"
        row = self.connection.execute(statement, tuple(values)).fetchone()
        if row is None:
            return None
        found = dict(zip(self.columns, row, strict=True))
        for column in self.dates:
            if isinstance(found[column], str):
                found[column] = dt.date.fromisoformat(found[column])
        return found


_readers: weakref.WeakKeyDictionary[Database, PointReader | None] = weakref.WeakKeyDictionary()


def point_reader(db: Database, table: sa.Table, columns: Sequence[str], key: str) -> PointReader | None:
    """The database's reader (one per Database and table), or None: not a SQLite file, or it could not open."""
    if db in _readers:
        return _readers[db]
    reader: PointReader | None = None
    parsed = make_url(db.url)
    path = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:" and not path.startswith("file:"):
        try:
            reader = PointReader(path, table, columns, key)
        except sqlite3.Error:
            reader = None
    _readers[db] = reader
    return reader
