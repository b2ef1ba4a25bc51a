"""Officials' tools at district scale: N requests in one kecamatan (SQLite), then time the queue page, the
card, an XLSX and a CSV export of everything, and one QR poster. Prints figures; not part of the tests.

    python bench/officials.py [N]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.domain.clock import FixedClock
from bot.domain.exports import to_csv, to_xlsx
from bot.domain.i18n import load_catalogs, translator
from bot.domain.interest import Draft
from bot.domain.privacy import Vault, generate_key
from bot.domain.regions import desa_of
from bot.domain.roles import Actor
from bot.runtime.services import build_services
from bot.runtime.settings import load_settings
from storage.db import open_database


async def main(n: int) -> None:
    load_catalogs()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = load_settings(BOT_TOKEN="123456:BENCH", DATA_KEY=generate_key(), DATABASE_URL=url)
        db = await open_database(url)
        clock = FixedClock(dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC))
        services = build_services(settings, db, Vault(settings.data_key()), clock)
        desa = [r.code for r in desa_of("64.08.01")]
        started = time.perf_counter()
        for i in range(n):
            nik = f"640801{(i % 28) + 1:02d}0{(i % 9) + 1}9{(i % 10)}{i % 9999 + 1:04d}"
            draft = Draft(name=f"Pekerja {i}", nik=nik, phone="+6281234567890", desa_code=desa[i % len(desa)],
                          occupation="farmer")
            await services.interest.submit(100000 + i, draft, "id", clock.now())
            clock.advance(dt.timedelta(minutes=1))
        print(f"created {n} requests in {time.perf_counter() - started:.1f} s")
        official = Actor(1, "official", ("64.08.01",))
        times = []
        for page in range(20):
            t0 = time.perf_counter()
            await services.followup.queue(official, "open", page)
            times.append(time.perf_counter() - t0)
        print(f"queue page (6 of {n}, decrypted): median {statistics.median(times) * 1000:.1f} ms")
        t0 = time.perf_counter()
        await services.followup.card(official, n // 2)
        print(f"open card: {(time.perf_counter() - t0) * 1000:.1f} ms")
        t = translator("id")
        t0 = time.perf_counter()
        rows = await services.exports.rows_for(official, None)
        t1 = time.perf_counter()
        xlsx = to_xlsx(rows, t, dt.date(2026, 11, 22), True, "Daftar Minat")
        t2 = time.perf_counter()
        csv_bytes = to_csv(rows, t, dt.date(2026, 11, 22), True)
        t3 = time.perf_counter()
        print(f"export: load+decrypt {len(rows)} rows {t1 - t0:.2f} s, XLSX {t2 - t1:.2f} s ({len(xlsx) // 1024} KiB), "
              f"CSV {t3 - t2:.2f} s ({len(csv_bytes) // 1024} KiB)")
        t0 = time.perf_counter()
        made = services.posters.make(official, desa[0], "jagakerja_bot")
        assert made is not None
        poster = made.poster
        print(f"poster: {(time.perf_counter() - t0) * 1000:.0f} ms, PNG {len(poster.png) // 1024} KiB, "
              f"PDF {len(poster.pdf) // 1024} KiB")
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
