"""The SQL of `jagakerja rotate-key` (the plan and the cryptography are in `bot.domain.key_rotation`).

Progress needs no table of its own: every vault token names the key that sealed it (``v2:<key id>:…``), so the
rows still to do are those with a sealed column that does not start with the new key's prefix. A crash or a
Ctrl+C loses at most the batch in flight; running the command again carries on.

Each row is written back with a compare-and-set on the tokens it was read with: when the running bot changed the
row in between (it writes with the new key), the rotation's copy is not written, and whatever is still on the
old key is picked up by the next pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.interest import interest_requests
from storage.officials import followup_notes, officials
from storage.questions import faq_questions
from storage.roster import roster_history, roster_imports, roster_members, roster_staging
from storage.schema import metadata, ptb_chat_data, ptb_user_data

_TABLES = {t.name: t for t in (interest_requests, followup_notes, officials, faq_questions, roster_history,
                               roster_imports, roster_members, roster_staging, ptb_chat_data, ptb_user_data)}

BUSY_IMPORT_STATES = ("running", "applying", "undoing")


@dataclass(frozen=True)
class RowUpdate:
    """One row's new values, written only if its columns still hold `old` (what the rotation read)."""

    key: Any
    old: Mapping[str, str | None]
    new: Mapping[str, str | None]


def _table(name: str) -> sa.Table:
    return _TABLES[name] if name in _TABLES else metadata.tables[name]


def _not_on(table: sa.Table, columns: Sequence[str], prefix: str) -> sa.ColumnElement[bool]:
    """Some sealed column holds a token that is not sealed with the key of `prefix` (NULL and "" hold nothing)."""
    return sa.or_(*[sa.and_(table.c[c].is_not(None), table.c[c] != "", ~table.c[c].startswith(prefix))
                    for c in columns])


class RotationRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def pending(self, table_name: str, columns: Sequence[str], prefix: str) -> int:
        """How many rows still hold a token of another key."""
        t = _table(table_name)
        async with self.db.read() as conn:
            return int((await conn.execute(
                sa.select(sa.func.count()).select_from(t).where(_not_on(t, columns, prefix)))).scalar() or 0)

    async def rows(self, table_name: str, key: str, sealed: Sequence[str], extra: Sequence[str] = (), *,
                   after: Any, limit: int, prefix: str | None = None) -> list[dict[str, Any]]:
        """The next `limit` rows by primary key after `after` (None: from the start), with their key, `sealed`
        and `extra` columns; only rows with a sealed column still on another key when `prefix` is given."""
        t = _table(table_name)
        query = sa.select(t.c[key], *[t.c[c] for c in (*sealed, *extra)]).order_by(t.c[key]).limit(limit)
        if after is not None:
            query = query.where(t.c[key] > after)
        if prefix is not None:
            query = query.where(_not_on(t, sealed, prefix))
        async with self.db.read() as conn:
            return [dict(r._mapping) for r in await conn.execute(query)]

    async def write(self, table_name: str, key: str, updates: Sequence[RowUpdate]) -> list[Any]:
        """Write a batch (compare-and-set per row) in one transaction; returns the keys of the rows left out
        because of a unique conflict (a roster row imported under the new key meanwhile)."""
        if not updates:
            return []
        try:
            async with self.db.transaction() as conn:
                for group in _by_shape(updates):
                    await conn.execute(_statement(_table(table_name), key, group[0]), [_params(u) for u in group])
            return []
        except IntegrityError:
            pass
        conflicts = []
        for update in updates:  # one by one: only the conflicting rows stay behind
            try:
                async with self.db.transaction() as conn:
                    await conn.execute(_statement(_table(table_name), key, update), [_params(update)])
            except IntegrityError:
                conflicts.append(update.key)
        return conflicts

    async def busy_imports(self) -> list[int]:
        """Roster imports in progress: their staged rows would be compared with half-rotated NIK hashes."""
        t = _table("roster_imports")
        async with self.db.read() as conn:
            return [r[0] for r in await conn.execute(sa.select(t.c.id).where(t.c.status.in_(BUSY_IMPORT_STATES)))]


def _by_shape(updates: Sequence[RowUpdate]) -> list[list[RowUpdate]]:
    """Updates grouped by which columns they change (one executemany statement each)."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[RowUpdate]] = {}
    for update in updates:
        groups.setdefault((tuple(sorted(update.old)), tuple(sorted(update.new))), []).append(update)
    return list(groups.values())


def _statement(table: sa.Table, key: str, shape: RowUpdate) -> sa.Update:
    conditions = [table.c[key] == sa.bindparam("k_")]
    conditions += [table.c[c].is_not_distinct_from(sa.bindparam(f"o_{c}")) for c in sorted(shape.old)]
    return sa.update(table).where(*conditions).values({c: sa.bindparam(f"n_{c}") for c in sorted(shape.new)})


def _params(update: RowUpdate) -> dict[str, Any]:
    params: dict[str, Any] = {"k_": update.key}
    params.update({f"o_{c}": v for c, v in update.old.items()})
    params.update({f"n_{c}": v for c, v in update.new.items()})
    return params
