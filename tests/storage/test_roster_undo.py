"""Roster imports that cannot lose data (issue 12): the preview of a replace (new / updated / ended per kecamatan)
is exactly what the import then does; any import is undone to exactly the rows before it (a dump compared), in
chunks that a crash resumes; undo goes in reverse order only, within 30 days; the CLI previews and asks for
--yes. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import bot.domain.roster as roster_module
from bot.domain.clock import FixedClock
from bot.domain.i18n import load_catalogs
from bot.domain.privacy import Vault
from bot.domain.roster_files import sample_rows
from bot.runtime.services import Services, build_services
from bot.runtime.settings import load_settings
from storage.db import Database
from storage.roster import roster_history, roster_members, roster_staging
from tests.support.roster import BUDI, NOW, SITI, import_rows, roster_csv


class Crash(BaseException):
    """The process dies here."""


@pytest.fixture
def services(db: Database, vault: Vault) -> Services:
    load_catalogs()
    settings = load_settings(DATA_KEY=None, BOT_TOKEN=None)
    return build_services(settings, db, vault, FixedClock(NOW))


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_module, "BATCH_SIZE", 3)
    monkeypatch.setattr(roster_module, "APPLY_CHUNK", 2)
    monkeypatch.setattr(roster_module, "END_CHUNK", 2)
    monkeypatch.setattr(roster_module, "UNDO_CHUNK", 2)


async def dump(db: Database) -> list[tuple[Any, ...]]:
    """Every roster row, every column (ids included)."""
    async with db.read() as conn:
        return [tuple(row) for row in await conn.execute(sa.select(roster_members).order_by(roster_members.c.id))]


async def count(db: Database, table: sa.Table) -> int:
    async with db.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


LATER = NOW + dt.timedelta(days=3)


async def test_undo_restores_exactly_the_rows_before(services: Services, db: Database, tmp_path: Path,
                                                     small_steps: None) -> None:
    first = await import_rows(services, tmp_path, [SITI, BUDI, *sample_rows(6)])
    ended_before = dataclasses.replace(BUDI, nik="6408010203790002", nama="Budi Lain")
    await import_rows(services, tmp_path, [ended_before], mode="replace", name="one.csv")  # ends 8 people
    await import_rows(services, tmp_path, [SITI, BUDI, ended_before, *sample_rows(6)], name="all.csv")
    before, history = await dump(db), await count(db, roster_history)
    assert first.status == "imported" and any(row[-1] is None for row in before)
    renewed = dataclasses.replace(BUDI, berakhir=dt.date(2027, 6, 30), nama="Budi S.")
    rows = [renewed, *list(sample_rows(9))[3:]]  # 1 + 3 updated, 3 new; SITI, ended_before and 3 ended
    result = await import_rows(services, tmp_path, rows, mode="replace", name="r.csv", now=LATER)
    assert (result.inserted, result.updated, result.ended) == (3, 4, 5)
    assert await dump(db) != before
    assert await count(db, roster_history) == history + 12

    undone = await services.roster.undo(result.import_id or 0, by="test", actor_id=1, now=LATER)
    assert undone.problem is None and undone.record is not None and undone.record.status == "undone"
    assert await dump(db) == before
    assert await count(db, roster_history) == history  # the earlier imports' history stays
    assert (await services.roster.undo_check(result.import_id or 0, LATER)).problem == "undone"
    entries = await services.audit.recent()
    assert [(e.action, e.target) for e in entries[:2]] == [("roster_undo", str(result.import_id)),
                                                          ("roster_import", str(result.import_id))]


async def test_undo_goes_in_reverse_order_only(services: Services, db: Database, tmp_path: Path) -> None:
    first = await import_rows(services, tmp_path, [SITI], name="a.csv")
    other = await import_rows(services, tmp_path, [BUDI], name="b.csv")  # other rows: no conflict
    later = await import_rows(services, tmp_path, [dataclasses.replace(SITI, nama="Siti A.")], name="c.csv")
    check = await services.roster.undo_check(first.import_id or 0)
    assert check.problem == "later" and check.later is not None and check.later.id == later.import_id
    assert (await services.roster.undo(first.import_id or 0, by="t")).problem == "later"
    assert (await services.roster.undo(other.import_id or 0, by="t")).problem is None
    assert (await services.roster.undo(later.import_id or 0, by="t")).problem is None
    assert (await services.roster.undo(first.import_id or 0, by="t")).problem is None
    assert await dump(db) == []


async def test_undo_is_refused_after_30_days_and_history_is_purged(services: Services, db: Database,
                                                                   tmp_path: Path) -> None:
    result = await import_rows(services, tmp_path, [SITI, BUDI])
    month = NOW + dt.timedelta(days=30, hours=1)
    assert (await services.roster.undo_check(result.import_id or 0, month)).problem == "too_old"
    await services.roster.tidy(NOW + dt.timedelta(days=29))
    assert await count(db, roster_history) == 2
    await services.roster.tidy(NOW + dt.timedelta(days=32))
    assert await count(db, roster_history) == 0


async def test_a_crash_while_undoing_is_finished_by_resume(services: Services, db: Database, tmp_path: Path,
                                                           small_steps: None, monkeypatch: pytest.MonkeyPatch) -> None:
    await import_rows(services, tmp_path, [SITI])
    before = await dump(db)
    result = await import_rows(services, tmp_path, [dataclasses.replace(SITI, nama="X"), BUDI, *sample_rows(5)])
    repository = services.roster.repository
    undo_chunk = repository.undo_chunk
    calls = [0]

    async def dies(import_id: int, limit: int) -> int:
        calls[0] += 1
        if calls[0] > 2:
            raise Crash
        return await undo_chunk(import_id, limit)

    monkeypatch.setattr(repository, "undo_chunk", dies)
    with pytest.raises(Crash):
        await services.roster.undo(result.import_id or 0, by="t")
    monkeypatch.undo()
    assert (await repository.get_import(result.import_id or 0)).status == "undoing"  # type: ignore[union-attr]
    assert await dump(db) != before
    await services.roster.resume()
    assert await dump(db) == before
    assert (await repository.get_import(result.import_id or 0)).status == "undone"  # type: ignore[union-attr]


async def test_the_preview_is_what_the_replace_does(services: Services, db: Database, tmp_path: Path) -> None:
    await import_rows(services, tmp_path, [SITI, BUDI, *sample_rows(8)])
    path = tmp_path / "new.csv"
    path.write_bytes(roster_csv([BUDI, *list(sample_rows(12))[6:]]))  # 1 + 2 kept, 4 new, SITI + 6 ended
    checked = await services.roster.check(path, file_name="new.csv", imported_by="t")
    assert checked.status == "ready" and checked.preview is not None
    preview = checked.preview
    assert (preview.new, preview.updated, preview.ended, preview.current) == (4, 3, 7, 10)
    assert preview.needs_confirmation
    assert await services.roster.preview(checked.import_id or 0) == preview
    result = await services.roster.apply(checked.import_id or 0, "replace")
    assert (result.inserted, result.updated, result.ended) == (preview.new, preview.updated, preview.ended)
    assert (await services.roster.apply(checked.import_id or 0, "replace")).status == "gone"  # once


async def test_a_checked_file_waits_survives_resume_then_expires(services: Services, db: Database,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "wait.csv"
    path.write_bytes(roster_csv([SITI, BUDI]))
    checked = await services.roster.check(path, file_name="wait.csv", imported_by="t")
    assert await count(db, roster_staging) == 2 and await dump(db) == []
    await services.roster.resume(NOW + dt.timedelta(hours=7))  # a restart does not throw it away
    assert await count(db, roster_staging) == 2
    await services.roster.tidy(NOW + dt.timedelta(hours=25))
    assert await count(db, roster_staging) == 0
    assert (await services.roster.apply(checked.import_id or 0, "upsert")).status == "gone"
    again = await services.roster.check(path, file_name="wait.csv", imported_by="t")
    assert await services.roster.cancel(again.import_id or 0)
    assert await count(db, roster_staging) == 0 and not await services.roster.cancel(again.import_id or 0)


def test_cli_dry_run_previews_and_a_large_replace_needs_yes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from bot.domain.privacy import generate_key
    from bot.runtime.cli import main

    monkeypatch.setenv("DATA_KEY", generate_key())
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    full, small = tmp_path / "full.csv", tmp_path / "small.csv"
    full.write_bytes(roster_csv([SITI, BUDI, *sample_rows(8)]))
    small.write_bytes(roster_csv([BUDI]))
    assert main(["roster", "import", str(full), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["roster", "import", str(small), "--dry-run", "--mode", "replace", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "new 0, updated 1, ended 9" in out
    assert "Sangatta Utara" in out and "90%" in out and "--yes" in out
    assert main(["roster", "import", str(small), "--mode", "replace", "--no-progress"]) == 1
    assert "--yes" in capsys.readouterr().out
    assert main(["roster", "import", str(small), "--mode", "replace", "--yes", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "ended 9" in out
    batch = int(out.split("Batch ")[1].split(":")[0])
    assert main(["roster", "undo", str(batch)]) == 0
    assert "undone" in capsys.readouterr().out
    assert main(["roster", "undo", str(batch)]) == 1


async def test_a_replace_of_one_kecamatan_ends_only_there(services: Services, db: Database, tmp_path: Path) -> None:
    """Before: `--region 64.08.01 --mode replace` compared kabupaten codes with the kecamatan and ended nobody."""
    await import_rows(services, tmp_path, [SITI, BUDI, *sample_rows(10)])
    there = await services.roster.count_by_area("64.08.01")
    path = tmp_path / "kec.csv"
    path.write_bytes(roster_csv([BUDI]))
    result = await services.roster.import_file(path, file_name="kec.csv", mode="replace", imported_by="t",
                                               region="64.08.01")
    assert result.preview is not None and (result.preview.ended, result.preview.current) == (there - 1, there)
    assert result.ended == there - 1 and there > 1
    assert await services.roster.count_by_area("64.08.01") == 1
    assert await services.roster.count_by_area("64.08.04") > 0  # SITI's kecamatan untouched
