"""Exports of the follow-up queue for the district office: XLSX (openpyxl; Indonesian headers, widths set,
dates in WITA) and CSV (UTF-8 with BOM, so Excel opens it right). The NIK column is included only for
officials; every export is recorded in the audit log. Free of Telegram types: `ExportService` builds the file,
the handler sends it. Texts are written through `bot.domain.spreadsheet`: a typed `=…` is never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.domain.audit import AuditService
from bot.domain.followup import age_on, occupation_label, place, reason_text, status_label
from bot.domain.i18n import N_, Translator, translator
from bot.domain.interest import InterestRequestView, view
from bot.domain.officials import area_names
from bot.domain.privacy import Vault
from bot.domain.regions import HOME_PROVINCE, children, region, short_name
from bot.domain.roles import Actor
from bot.domain.spreadsheet import append_row, csv_bytes
from storage.interest import InterestRepository

if TYPE_CHECKING:
    from bot.domain.clock import Clock
    from bot.domain.services import Config

MAX_ROWS = 50_000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "all"  # the scope "everything the actor may see"
ALL_LABEL = "*"  # the label of ALL when the actor has several areas ("All my areas" on the button)
ExportFormat = Literal["xlsx", "csv"]


@dataclass(frozen=True)
class Column:
    header: str  # msgid; exports use the Indonesian catalog
    width: int
    value: Callable[[InterestRequestView, Translator, dt.date], object]
    nik: bool = False


def _local(t: Translator, moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(t.tz).replace(tzinfo=None, microsecond=0) if moment else None


COLUMNS: tuple[Column, ...] = (
    Column(N_("Reference"), 12, lambda r, t, d: r.ref),
    Column(N_("Requested (WITA)"), 18, lambda r, t, d: _local(t, r.created_at)),
    Column(N_("Name"), 28, lambda r, t, d: r.name),
    Column(N_("NIK"), 20, lambda r, t, d: r.nik, nik=True),
    Column(N_("Birth date"), 12, lambda r, t, d: r.birth_date),
    Column(N_("Age"), 6, lambda r, t, d: age_on(r.birth_date, d)),
    Column(N_("Phone"), 16, lambda r, t, d: r.phone),
    Column(N_("Desa"), 22, lambda r, t, d: place(r.desa_code)),
    Column(N_("Kecamatan"), 20, lambda r, t, d: place(r.kecamatan_code)),
    Column(N_("Kabupaten/Kota"), 22, lambda r, t, d: place(r.kabupaten_code)),
    Column(N_("Desa code"), 14, lambda r, t, d: r.desa_code),
    Column(N_("Work"), 24, lambda r, t, d: occupation_label(t, r.occupation)),
    Column(N_("Worker's note"), 30, lambda r, t, d: r.note or ""),
    Column(N_("Status"), 16, lambda r, t, d: status_label(t, r.status)),
    Column(N_("Reason"), 30, lambda r, t, d: reason_text(t, r.status_reason) or ""),
    Column(N_("Updated (WITA)"), 18, lambda r, t, d: _local(t, r.updated_at)),
)


def columns(include_nik: bool) -> list[Column]:
    return [c for c in COLUMNS if include_nik or not c.nik]


def to_xlsx(rows: list[InterestRequestView], t: Translator, today: dt.date, include_nik: bool, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title[:31] or "Data"
    cols = columns(include_nik)
    append_row(ws, [t.gettext(c.header) for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="007A3D")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for request in rows:
        append_row(ws, [c.value(request, t, today) for c in cols])
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        for cell in ws[letter][1:]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            elif column.nik or column.header == N_("Phone"):
                cell.number_format = "@"  # keep leading digits as text
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(rows: list[InterestRequestView], t: Translator, today: dt.date, include_nik: bool) -> bytes:
    cols = columns(include_nik)

    def cell(value: object) -> object:
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return value.isoformat() if isinstance(value, dt.date) else value

    return csv_bytes([[t.gettext(c.header) for c in cols],
                      *([cell(c.value(request, t, today)) for c in cols] for request in rows)])


def file_name(area_label: str, now: dt.datetime, t: Translator, extension: str) -> str:
    stamp = now.astimezone(t.tz).strftime("%Y%m%d-%H%M")
    safe = "".join(ch if ch.isalnum() else "-" for ch in area_label).strip("-") or "semua"
    return f"jagakerja-{safe[:40]}-{stamp}.{extension}"


class ExportDenied(PermissionError):
    """Not an official, or an area outside the actor's."""


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    file_name: str
    rows: int
    include_nik: bool  # officials' files carry the NIK column (admins' do not)


class ExportService:
    """The requests of an area as a file for the district office (which works in Indonesian)."""

    def __init__(self, requests: InterestRepository, audit: AuditService, vault: Vault, clock: Clock,
                 config: Config) -> None:
        self.requests = requests
        self.audit = audit
        self.vault = vault
        self.clock = clock
        self.config = config

    @staticmethod
    def scopes(actor: Actor) -> list[tuple[str, str]]:
        """(scope, label) the actor may export: ALL (their whole area, label ALL_LABEL when they have several)
        and each of their areas (admins: each kabupaten of the province)."""
        if actor.is_admin:
            return [(ALL, ALL_LABEL), *((r.code, short_name(r)) for r in children(HOME_PROVINCE))]
        if len(actor.areas) == 1:
            return [(ALL, area_names(actor.areas)[0])]
        return [(ALL, ALL_LABEL), *zip(actor.areas, area_names(actor.areas), strict=True)]

    @staticmethod
    def known_scope(scope: str) -> bool:
        return scope == ALL or region(scope) is not None

    async def rows_for(self, actor: Actor, area_codes: list[str] | None) -> list[InterestRequestView]:
        """Requests of these areas the actor may see (officials: only inside their own areas; None = all of
        them)."""
        if not actor.is_staff:
            raise ExportDenied("not an official")
        if area_codes is None:
            scope = None if actor.is_admin else list(actor.areas)
        else:
            if not all(actor.can_access(code) for code in area_codes):
                raise ExportDenied("area outside the actor's")
            scope = area_codes
        records = await self.requests.list_for_areas(scope, None, limit=MAX_ROWS)
        return [view(self.vault, r) for r in records]

    async def export(self, actor: Actor, scope: str, fmt: ExportFormat) -> ExportFile:
        """The file for this scope (a known one: see `known_scope`), recorded in the audit log."""
        area_codes = None if scope == ALL else [scope]
        found = await self.rows_for(actor, area_codes)
        now = self.clock.now()
        t_id = translator("id", self.config.tz)  # the district office works in Indonesian
        today = now.astimezone(t_id.tz).date()
        include_nik = not actor.is_admin
        if fmt == "xlsx":
            data = to_xlsx(found, t_id, today, include_nik, title="Daftar Minat")
        else:
            data = to_csv(found, t_id, today, include_nik)
        await self.audit.record(
            actor_id=actor.user_id, action="export", now=now, area_code=None if area_codes is None else scope,
            detail=f"{fmt} rows={len(found)}" + (" nik" if include_nik else ""))
        label = "semua" if area_codes is None and actor.is_admin else \
            "-".join(area_names(area_codes or list(actor.areas)))
        return ExportFile(data, file_name(label, now, t_id, fmt), len(found), include_nik)
