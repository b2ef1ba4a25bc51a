"""Roster import: map the columns, validate every row, then write all of it in one transaction or nothing.

Every row is validated (NIK with lokal-id, birth date consistent with the NIK, desa code known to
Kemendagri, dates valid and `mulai ≤ berakhir`, no NIK twice). The file is read once, streaming: valid rows
are written in batches inside ONE transaction while they are validated; the first bad row stops the writing,
the rest is still validated for the report, and the transaction rolls back — any bad row means nothing is
imported, and the report lists every bad row (row number, column, reason). Memory stays bounded (the
current batch plus one integer per NIK for the duplicate check). `dry_run` validates only.
Free of Telegram types: the CLI and the chat upload both call `RosterService.import_file`.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.i18n import N_, Translator
from bot.domain.nik import Nik, NikProblem
from bot.domain.privacy import Vault
from bot.domain.regions import is_desa, normalize_code
from bot.domain.roster_files import Cell, RosterFileError, open_roster
from storage.roster import ImportRecord, RosterRepository, RosterWriter

Mode = Literal["upsert", "replace"]
MODES: tuple[Mode, ...] = ("upsert", "replace")
BATCH_SIZE = 2_000
MAX_ERRORS = 10_000  # errors kept for the report; beyond that only counted

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
    "missing_column": N_("required column is missing"),
    "duplicate_column": N_("this column appears twice"),
    "empty": N_("empty"),
    "nik_digits": N_("a NIK has 16 digits"),
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
    "file_encoding": N_("the file is not UTF-8 text"),
    "file_empty": N_("the file has no header row"),
    "no_rows": N_("the file has no data rows"),
}
COLUMN_LABELS = {"nik": "nik", "nama": "nama", "tanggal_lahir": "tanggal_lahir", "kode_desa": "kode_desa",
                 "program": "program", "sumber_dana": "sumber_dana", "mulai": "mulai", "berakhir": "berakhir",
                 "kpj": "kpj", "": "-"}
SUMBER_DANA = ("APBD", "APBD_PROVINSI", "APBN", "CSR", "DANA_DESA", "MANDIRI", "BAZNAS", "LAINNYA")
_SUMBER_PATTERN = re.compile(r"^[A-Z][A-Z_]{1,23}$")
_KPJ_PATTERN = re.compile(r"^[A-Z0-9]{5,20}$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")
_DMY_DATE = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})")
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


@dataclass
class ImportResult:
    status: Literal["imported", "rejected", "validated"]
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
    errors += [RowError(1, column, "missing_column") for column in REQUIRED if column not in mapping]
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


def _roster_nik(text: str, today: dt.date) -> tuple[Nik | None, str | None]:
    """The row's NIK, or the row error code: the one NIK parser (bot/domain/nik.py), any region code accepted
    (a NIK issued before a pemekaran keeps its old one)."""
    try:
        return Nik.parse(text, today), None
    except NikProblem as problem:
        if problem.reason == "no_digits":
            return None, "nik_digits" if text.strip() else "empty"
        return None, "nik_digits" if problem.reason in ("letters", "length") else "nik_invalid"


def validate_row(cells: list[Cell], mapping: dict[str, int], number: int, today: dt.date,
                 region: str | None = None) -> tuple[RosterRow | None, list[RowError]]:
    def get(column: str) -> Cell:
        index = mapping.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    errors: list[RowError] = []

    def fail(column: str, code: str, **params: str) -> None:
        errors.append(RowError(number, column, code, tuple(params.items())))

    nik, nik_error = _roster_nik(_text(get("nik")), today)
    if nik_error:
        fail("nik", nik_error)
    nama = _SPACES.sub(" ", _text(get("nama")))
    if not nama:
        fail("nama", "empty")
    elif len(nama) > 100:
        fail("nama", "name_long")
    born = parse_date(get("tanggal_lahir"))
    if born is None:
        fail("tanggal_lahir", "empty" if not _text(get("tanggal_lahir")) else "date_invalid")
    elif born > today:
        fail("tanggal_lahir", "birth_future")
    elif nik is not None and not nik.matches_birth_date(born):
        fail("tanggal_lahir", "birth_mismatch")
    desa_text = _text(get("kode_desa"))
    desa = _desa_code(desa_text) if desa_text else None
    if not desa_text:
        fail("kode_desa", "empty")
    elif desa is None:
        fail("kode_desa", "desa_unknown")
    elif region and not (desa == region or desa.startswith(region + ".")):
        fail("kode_desa", "desa_outside", region=region)
    program = _program(_text(get("program")))
    if program is None:
        fail("program", "empty" if not _text(get("program")) else "program_invalid")
    sumber = _SUMBER_SEPARATORS.sub("_", _text(get("sumber_dana")).upper())
    if not sumber:
        fail("sumber_dana", "empty")
    elif not _SUMBER_PATTERN.match(sumber):
        fail("sumber_dana", "sumber_invalid")
    mulai, berakhir = parse_date(get("mulai")), parse_date(get("berakhir"))
    for column, value in (("mulai", mulai), ("berakhir", berakhir)):
        if value is None:
            fail(column, "empty" if not _text(get(column)) else "date_invalid")
    if mulai is not None and berakhir is not None and berakhir < mulai:
        fail("berakhir", "period_order")
    kpj = _KPJ_SEPARATORS.sub("", _text(get("kpj"))).upper() or None
    if kpj is not None and not _KPJ_PATTERN.match(kpj):
        fail("kpj", "kpj_invalid")
    if errors:
        return None, errors
    assert nik is not None and born is not None and desa is not None and program is not None and mulai and berakhir
    return RosterRow(number, nik.digits, nama, born, desa, program, sumber, mulai, berakhir, kpj), []


def _is_blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


class RosterImporter:
    """Imports a roster file: every row valid and written in one transaction, or nothing."""

    def __init__(self, repository: RosterRepository, vault: Vault) -> None:
        self.repository = repository
        self.vault = vault

    def member_values(self, row: RosterRow, import_id: int, now: dt.datetime) -> dict[str, Any]:
        vault = self.vault
        return {
            "nik_hash": vault.hash_nik(row.nik),
            "nik_enc": vault.encrypt(row.nik, context="roster_members.nik"),
            "verify_hash": verify_hash(vault, row.nik, row.tanggal_lahir),
            "nama_enc": vault.encrypt(row.nama, context="roster_members.nama"),
            "kpj_enc": vault.encrypt_optional(row.kpj, context="roster_members.kpj"),
            "kode_desa": row.kode_desa, "kode_kecamatan": row.kode_kecamatan, "kode_kabupaten": row.kode_kabupaten,
            "program": row.program, "sumber_dana": row.sumber_dana, "mulai": row.mulai, "berakhir": row.berakhir,
            "import_id": import_id, "updated_at": now, "removed_on": None,
        }

    async def run(
        self, path: Path, *, file_name: str, mode: Mode = "upsert", dry_run: bool = False,
        imported_by: str, admin_id: int | None = None, now: dt.datetime, today: dt.date,
        region: str | None = None, progress: Progress | None = None,
    ) -> ImportResult:
        """Validate every row; unless `dry_run`, write the valid file in ONE transaction (rows are written in
        batches while they are validated; the first bad row stops the writing and everything rolls back)."""
        result = ImportResult(status="validated" if dry_run else "imported", mode=mode, file_name=file_name)
        import_id = await self.repository.start_import(
            imported_by=imported_by, admin_id=admin_id, file_name=file_name, mode=mode, now=now)
        result.import_id = import_id
        if not dry_run:
            try:
                async with self.repository.writer(import_id) as writer:
                    await self._scan(path, result, today, region, progress, writer, now)
                    if result.error_count:
                        raise _Rejected
                    if mode == "replace":
                        result.ended = await writer.end_missing(result.regions, today)
                    await self.repository.finish_import(
                        import_id, status="imported", regions=result.regions, rows_total=result.rows,
                        inserted=result.inserted, updated=result.updated, ended=result.ended, now=now,
                        conn=writer.conn)
                    return result
            except _Rejected:
                result.inserted = result.updated = result.ended = 0
        else:
            await self._scan(path, result, today, region, progress, None, now)
        if result.error_count:
            result.status = "rejected"
        await self.repository.finish_import(
            import_id, status=result.status, regions=result.regions, rows_total=result.rows,
            errors=result.error_count, now=now)
        return result

    async def _scan(self, path: Path, result: ImportResult, today: dt.date, region: str | None,
                    progress: Progress | None, writer: RosterWriter | None, now: dt.datetime) -> None:
        """One read of the file: validate each row and, while no row has failed, write it in batches."""
        kabupaten: set[str] = set()
        seen: set[int] = set()
        duplicates: dict[int, list[int]] = {}
        batch: list[dict[str, Any]] = []
        phase = "write" if writer is not None else "validate"
        import_id = result.import_id or 0
        try:
            with open_roster(path) as source:
                mapping, header_errors = map_header(source.header)
                if header_errors:
                    self._add_errors(result, header_errors)
                    return
                for number, cells in source.rows:
                    if _is_blank(cells):
                        continue
                    result.rows += 1
                    row, errors = validate_row(cells, mapping, number, today, region)
                    if row is None:
                        self._add_errors(result, errors)
                        batch.clear()
                    else:
                        kabupaten.add(row.kode_kabupaten)
                        key = int(row.nik)
                        if key in seen:
                            duplicates.setdefault(key, []).append(number)
                            result.error_count += 1  # reported with the first row's number below
                        else:
                            seen.add(key)
                            if writer is not None and not result.error_count:
                                batch.append(self.member_values(row, import_id, now))
                    if result.rows % BATCH_SIZE == 0:
                        if batch and writer is not None:
                            await self._flush(writer, batch, result)
                        if progress is not None:
                            await progress(phase, result.rows, source.total_hint)
                        await asyncio.sleep(0)  # let the bot serve others during a long file
                if batch and writer is not None and not result.error_count:
                    await self._flush(writer, batch, result)
                if progress is not None:
                    await progress(phase, result.rows, result.rows)
        except RosterFileError as exc:
            self._add_errors(result, [RowError(0, "", "file_" + exc.code)])
            return
        finally:
            result.regions = sorted({region} if region else kabupaten)
        del seen
        if duplicates:
            result.error_count -= sum(len(v) for v in duplicates.values())
            await self._report_duplicates(path, duplicates, result)
        if result.rows == 0 and not result.error_count:
            self._add_errors(result, [RowError(0, "", "no_rows")])

    async def _report_duplicates(self, path: Path, duplicates: dict[int, list[int]], result: ImportResult) -> None:
        """Find the first row of each repeated NIK (a second, cheap read of the NIK column only)."""
        first: dict[int, int] = {}
        with open_roster(path) as source:
            mapping, _ = map_header(source.header)
            column = mapping["nik"]
            for number, cells in source.rows:
                if column < len(cells):
                    digits = re.sub(r"\D", "", _text(cells[column]))
                    if digits and int(digits) in duplicates and int(digits) not in first:
                        first[int(digits)] = number
        errors = [RowError(number, "nik", "nik_duplicate", (("row", str(first[key])),))
                  for key, numbers in duplicates.items() for number in numbers]
        self._add_errors(result, errors)
        result.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))

    @staticmethod
    def _add_errors(result: ImportResult, errors: list[RowError]) -> None:
        room = MAX_ERRORS - len(result.errors)
        result.errors.extend(errors[:max(room, 0)])
        result.error_count += len(errors)

    @staticmethod
    async def _flush(writer: RosterWriter, batch: list[dict[str, Any]], result: ImportResult) -> None:
        inserted, updated = await writer.write_batch(batch)
        result.inserted += inserted
        result.updated += updated
        batch.clear()


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back when a row is bad."""


def verify_hash(vault: Vault, nik: str, born: dt.date) -> str:
    """Keyed hash of (NIK, birth date): a status check proves both without the birth date being stored."""
    return vault.lookup_hash("nik-birth", f"{nik}|{born.isoformat()}")


def error_report_csv(errors: Iterable[RowError], t: Translator, extra: int = 0) -> bytes:
    """The report sent back to the admin: one line per problem (row, column, reason)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    _ = t.gettext
    writer.writerow([_("row"), _("column"), _("reason")])
    for error in errors:
        writer.writerow([error.row or "-", COLUMN_LABELS.get(error.column, error.column), error.reason(t)])
    if extra:
        writer.writerow(["…", "", _("{count} more problems not listed").format(count=t.number(extra))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def error_lines(errors: Iterable[RowError], t: Translator) -> list[str]:
    _ = t.gettext
    return [
        (_("row {row}").format(row=error.row) if error.row else _("file")) + ", "
        + COLUMN_LABELS.get(error.column, error.column) + ": " + error.reason(t)
        for error in errors
    ]


class RosterService:
    """The district roster: imports (the chat upload and the CLI alike) and how many people it lists."""

    def __init__(self, repository: RosterRepository, vault: Vault, clock: Clock, tz: ZoneInfo) -> None:
        self.repository = repository
        self.vault = vault
        self.clock = clock
        self.tz = tz

    async def import_file(
        self, path: Path, *, file_name: str, mode: Mode = "upsert", dry_run: bool = False, imported_by: str,
        admin_id: int | None = None, region: str | None = None, progress: Progress | None = None,
        now: dt.datetime | None = None,
    ) -> ImportResult:
        """Validate every row and, unless `dry_run`, import the whole file in one transaction (or nothing).
        `mode` "replace" ends everyone of the file's region who is not in it (today, local time)."""
        moment = now or self.clock.now()
        return await RosterImporter(self.repository, self.vault).run(
            path, file_name=file_name, mode=mode, dry_run=dry_run, imported_by=imported_by, admin_id=admin_id,
            now=moment, today=moment.astimezone(self.tz).date(), region=region, progress=progress)

    @staticmethod
    def error_report(result: ImportResult, t: Translator) -> bytes:
        """The CSV report of a rejected file: every problem kept, and a line counting those beyond."""
        return error_report_csv(result.errors, t, extra=result.error_count - len(result.errors))

    async def count_by_area(self, prefix: str = "") -> int:
        """People on the roster (not ended) in an area (a region code prefix; "" for all)."""
        return await self.repository.count_by_area(prefix)

    async def imports(self, limit: int = 20) -> list[ImportRecord]:
        """The latest imports and dry runs, newest first."""
        return await self.repository.imports(limit)
