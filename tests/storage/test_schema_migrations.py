"""The table definitions in `storage/` match what the migrations build, and every migration can be undone.

Both tests run on SQLite and on PostgreSQL through the `db` fixture (PostgreSQL is skipped, loudly, without
TEST_DATABASE_URL).
"""

from __future__ import annotations

import importlib
import pkgutil
from pprint import pformat
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

import storage
from storage.db import Database
from storage.migrate import alembic_config, current_revisions, downgrade_to, head_revisions
from storage.schema import metadata

# Every table is declared on `storage.schema.metadata` by the module that uses it: import them all (new
# modules too) so the comparison sees the whole schema. `storage/migrations` is not a package, so it is skipped.
for _module in pkgutil.iter_modules(storage.__path__):
    importlib.import_module(f"{storage.__name__}.{_module.name}")

VERSION_TABLE = "alembic_version"  # Alembic's own bookkeeping; the PTB persistence tables are in metadata


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name == VERSION_TABLE)


def _schema_drift(conn: Connection) -> list[Any]:
    # compare_type: quiet on both backends, and it catches a String length or Integer/BigInteger changed in one
    # place only; DateTime's timezone flag is checked on PostgreSQL only (SQLite's DATETIME does not keep it).
    # compare_server_default: also quiet on both backends (literal defaults such as "0" and "open" reflect back
    # equal; PostgreSQL evaluates both sides to compare), and a default that only the migration sets is drift
    # worth seeing: a table built from the metadata (create_all, a new migration copied from it) would lack it.
    context = MigrationContext.configure(conn, opts={
        "compare_type": True,
        "compare_server_default": True,
        "include_object": _include_object,
    })
    return compare_metadata(context, metadata)


def _describe(diff: Any) -> str:
    """One line per difference: autogenerate ops say what would make the migrated database match the code."""
    if isinstance(diff, list):  # modify_type / modify_nullable / modify_default / modify_comment
        return "; ".join(_describe(d) for d in diff)
    op, *args = diff
    where = {"add": "only in the code", "remove": "only in the migrations"}.get(op.split("_")[0], "")
    if op.endswith(("_index", "_constraint", "_fk")):
        item = args[0]
        columns = ", ".join(c.name for c in item.columns) if hasattr(item, "columns") else ""
        kind = "unique index" if getattr(item, "unique", False) else type(item).__name__
        return f"{item.table.name}: {kind} {item.name or '(unnamed)'} on ({columns}) is {where}"
    if op.endswith("_column"):
        return f"{args[1]}.{args[2].name} is {where}"
    if op.endswith("_table"):
        return f"table {args[0].name} is {where}"
    if op.startswith("modify_"):
        _schema, table, column, _existing, migrated, code = args

        def show(value: Any) -> str:
            text = getattr(value, "arg", value)
            return str(getattr(text, "text", text))

        return f"{table}.{column} {op[7:]}: migrations {show(migrated)} / code {show(code)}"
    return pformat(diff)


async def test_table_definitions_match_the_migrations(db: Database) -> None:
    async with db.read() as conn:
        assert await conn.run_sync(current_revisions) == head_revisions()
        drift = await conn.run_sync(_schema_drift)
    assert drift == [], (
        f"the tables in storage/*.py and the migrations disagree on {db.dialect}: fix the table definition, or "
        "add a migration.\n" + "\n".join(_describe(d) for d in drift)
    )


def _snapshot(conn: Connection) -> dict[str, Any]:
    """Everything reflection tells about the schema (bar Alembic's version table), in a comparable form."""
    inspector = sa.inspect(conn)
    tables: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {VERSION_TABLE}):
        tables[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in
                        inspector.get_columns(table)],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in
                              inspector.get_indexes(table)),
            "unique": sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                                    tuple(f["referred_columns"]), str(sorted(f.get("options", {}).items())))
                                   for f in inspector.get_foreign_keys(table)),
            "checks": sorted(str(c["sqltext"]) for c in inspector.get_check_constraints(table)),
        }
    return tables


async def test_each_migration_goes_up_down_and_up_again(db: Database) -> None:
    """The stairway: from an empty database, each revision upgrades, downgrades back to exactly the schema it
    started from, and upgrades again to exactly the schema of its first upgrade."""

    async def step(target: str, *, down: bool = False) -> dict[str, Any]:
        def run(conn: Connection) -> dict[str, Any]:
            if down:
                downgrade_to(conn, target)
            else:
                command.upgrade(alembic_config(conn), target)
            return _snapshot(conn)

        async with db.transaction() as conn:
            return await conn.run_sync(run)

    empty = await step("base", down=True)
    assert empty == {}
    # Base first, then each branch off the foundation (they are independent: `rev@-1` undoes only that one).
    revisions = list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions("base", "heads"))))
    before = empty
    for revision in revisions:
        up = await step(revision.revision)
        assert up != before, f"{revision.revision} changed nothing"
        down = await step(f"{revision.revision}@-1" if revision.down_revision else "base", down=True)
        assert down == before, f"downgrading {revision.revision} on {db.dialect} left:\n{pformat(down)}"
        again = await step(revision.revision)
        assert again == up, f"{revision.revision} upgraded differently the second time on {db.dialect}"
        before = up
    async with db.read() as conn:
        assert await conn.run_sync(current_revisions) == head_revisions()
