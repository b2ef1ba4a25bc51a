"""Shared helpers for the roster, status-check and reminder tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.domain.roster import ImportResult, Mode
from bot.domain.roster_files import SAMPLE_HEADER, SampleRow, csv_bytes
from bot.runtime.services import Services

# A woman born 17 Aug 1985 (day + 40 in the NIK) in Sangatta Utara, Kutai Timur.
SITI = SampleRow(
    nik="6408045708850003", nama="Siti Aminah", tanggal_lahir=dt.date(1985, 8, 17), kode_desa="64.08.04.2001",
    program="JKK+JKM", sumber_dana="APBD", mulai=dt.date(2026, 1, 1), berakhir=dt.date(2026, 12, 31),
    kpj="26012345678",
)
# A man born 2 Mar 1979 whose cover ended in 2025.
BUDI = SampleRow(
    nik="6408010203790001", nama="Budi Santoso", tanggal_lahir=dt.date(1979, 3, 2), kode_desa="64.08.01.2001",
    program="JKK+JKM", sumber_dana="CSR", mulai=dt.date(2025, 1, 1), berakhir=dt.date(2025, 12, 31), kpj="",
)
NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)  # the `clock` fixture: 22 Nov 2026 09:00 WITA


def roster_csv(rows: list[SampleRow], delimiter: str = ",", bom: bool = False) -> bytes:
    return csv_bytes(SAMPLE_HEADER, [r.cells() for r in rows], delimiter=delimiter, bom=bom)


async def import_rows(services: Services, tmp_path: Path, rows: list[SampleRow], mode: Mode = "upsert",
                      name: str = "roster.csv", now: dt.datetime | None = None) -> ImportResult:
    path = tmp_path / name
    path.write_bytes(roster_csv(rows))
    return await services.roster.import_file(path, file_name=name, mode=mode, imported_by="test", now=now)
