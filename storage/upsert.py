"""INSERT … ON CONFLICT DO UPDATE for both backends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def upsert_statement(
    dialect: str, table: sa.Table, values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str], update: Sequence[str] | None = None,
) -> Any:
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    stmt = insert.values(values)
    columns = update if update is not None else [c for c in (values if isinstance(values, Mapping)
                                                              else values[0]) if c not in keys]
    if not columns:
        return stmt.on_conflict_do_nothing(index_elements=list(keys))
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
    )


async def upsert(
    conn: AsyncConnection, table: sa.Table, values: Mapping[str, Any],
    keys: Sequence[str], update: Sequence[str] | None = None,
) -> None:
    await conn.execute(upsert_statement(conn.dialect.name, table, values, keys, update))
