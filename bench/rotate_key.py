"""Key rotation benchmark (issue 15): a roster of N rows and M interest requests sealed under an old DATA_KEY,
then `jagakerja rotate-key` (the same code: `bot.runtime.ops_cli.rotate_key`) to a new key. Prints the time of
the rotation and of its verification (every value read back with the new key alone), and checks that lookups by
NIK work with the new key alone afterwards.

    python bench/rotate_key.py                          # 100,000 roster rows, 10,000 requests, SQLite
    python bench/rotate_key.py --rows 20000 --requests 2000
    python bench/rotate_key.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/test   # a fresh schema
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.domain.clock import SystemClock
from bot.domain.nik import Nik
from bot.domain.privacy import Vault, generate_key
from bot.domain.roster import RosterService
from bot.domain.roster_files import sample_rows, write_sample_csv
from bot.domain.status_check import Answer, StatusService
from bot.runtime.ops_cli import rotate_key
from bot.runtime.settings import load_settings
from storage.db import Database
from storage.interest import interest_requests
from storage.roster import RosterRepository
from storage.status_checks import StatusCheckRepository

WITA = ZoneInfo("Asia/Makassar")


def _request_rows(vault: Vault, count: int) -> list[dict[str, object]]:
    """Interest requests as the bot stores them (every personal field sealed, the NIK hashed)."""
    now = dt.datetime.now(dt.UTC)
    rows = []
    for index, person in enumerate(sample_rows(count, seed=11)):
        ctx = "interest_requests."
        rows.append({
            "ref": f"JK-{index:07d}", "user_id": 10_000_000 + index, "nik_hash": vault.hash_nik(person.nik),
            "nik_enc": vault.encrypt(person.nik, context=ctx + "nik"),
            "name_enc": vault.encrypt(person.nama, context=ctx + "name"),
            "phone_enc": vault.encrypt(f"+62812{index:08d}", context=ctx + "phone"),
            "birth_date_enc": vault.encrypt(person.tanggal_lahir.isoformat(), context=ctx + "birth_date"),
            "note_enc": vault.encrypt("sawah 1 ha", context=ctx + "note") if index % 3 == 0 else None,
            "desa_code": person.kode_desa, "kecamatan_code": person.kode_desa[:8], "kabupaten_code": "64.08",
            "occupation": "farmer", "language": "id", "created_at": now, "updated_at": now,
        })
    return rows


async def main(rows: int, requests: int, db_url: str | None, folder: Path, batch: int) -> None:
    schema = None
    if db_url:
        schema = "bench_" + uuid.uuid4().hex[:10]
        admin = create_async_engine(db_url)
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = db_url or f"sqlite+aiosqlite:///{folder / 'rotate.db'}"
    old, new = generate_key(), generate_key()
    db = Database(url, schema=schema)
    await db.migrate()
    try:
        path = folder / "roster.csv"
        write_sample_csv(path, sample_rows(rows))
        started = time.perf_counter()
        result = await RosterService(RosterRepository(db), Vault(old), SystemClock(), WITA).import_file(
            path, file_name=path.name, imported_by="bench")
        assert result.status == "imported", result.errors[:3]
        request_rows = _request_rows(Vault(old), requests)
        for start in range(0, len(request_rows), 5000):
            async with db.transaction() as conn:
                await conn.execute(sa.insert(interest_requests), request_rows[start : start + 5000])
        print(f"setup: {rows:,} roster rows + {requests:,} requests under the old key in "
              f"{time.perf_counter() - started:.1f} s")
    finally:
        await db.close()

    settings = load_settings(DATABASE_URL=url, DATA_KEY=new, DATA_KEY_OLD=old)
    started = time.perf_counter()
    code = await rotate_key(settings, batch=batch, schema=schema)
    print(f"rotate-key + verification: {time.perf_counter() - started:.1f} s, exit code {code}")

    db = Database(url, schema=schema)
    try:
        checker = StatusService(RosterRepository(db), StatusCheckRepository(db), Vault(new), SystemClock(), 5, WITA)
        today = dt.datetime.now(WITA).date()
        picks = random.Random(2).sample(list(sample_rows(min(rows, 20_000))), 200)
        found = 0
        for person in picks:
            found += await checker.lookup(Nik.parse(person.nik, today), Answer("name", person.nama)) is not None
        print(f"status lookups with the new key alone: {found} of {len(picks)} found")
    finally:
        await db.close()
        if schema:
            async with admin.begin() as conn:
                await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--db", default=None, help="PostgreSQL URL (a fresh schema is made and dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.rows, args.requests, args.db, Path(tmp), args.batch))
