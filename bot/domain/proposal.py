"""The desa's proposal (usulan, issue 12): the requests an official marked *proposed* (📤), as the list a district
asks for (XLSX: NIK, nama, tempat/tanggal lahir, alamat/desa, pekerjaan, no. HP, keterangan) and the *surat
keterangan* the kepala desa signs (PDF, from the editable template `content/surat_usulan.toml`).

The full NIK is only in the XLSX, and only for an official of that desa's area (admins get it masked, as in
/unduh); the letter lists names, work and references only. Every download is recorded in the audit log
("proposal"). Cells go through `bot.domain.spreadsheet` (never a formula; phones and NIKs are text).
Free of Telegram types: the handler (`handlers/proposal.py`) sends the files.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.domain.audit import AuditService
from bot.domain.content import ContentError, load_toml
from bot.domain.followup import occupation_label
from bot.domain.i18n import N_, Translator, translator
from bot.domain.interest import InterestRequestView, view
from bot.domain.privacy import Vault, mask_nik
from bot.domain.regions import region
from bot.domain.roles import Actor
from bot.domain.spreadsheet import append_row
from storage.interest import PROPOSED, InterestRepository

if TYPE_CHECKING:
    from bot.domain.clock import Clock
    from bot.domain.services import Config

MAX_ROWS = 2000  # people on one desa's list
TEMPLATE = "surat_usulan.toml"
PLACEHOLDERS = frozenset({"desa", "kecamatan", "kabupaten", "tanggal", "tahun", "jumlah"})
TEXT_KEYS = ("judul", "nomor", "pembuka", "penutup", "tempat_tanggal", "jabatan", "nama_kosong", "nip_kosong")
# The district's columns: (header msgid, width).
HEADERS: tuple[tuple[str, int], ...] = (
    (N_("No."), 5), (N_("NIK"), 20), (N_("Name"), 28), (N_("Place/date of birth"), 20),
    (N_("Address/desa"), 34), (N_("Work"), 24), (N_("Phone no."), 16), (N_("Remarks"), 24),
)
PHONE_COLUMN, NIK_COLUMN = 7, 2


class ProposalDenied(PermissionError):
    """Not an official, not a desa, or a desa outside the actor's area."""


@dataclass(frozen=True)
class ProposalFile:
    data: bytes
    file_name: str
    rows: int
    full_nik: bool  # the file carries full NIKs (an official's XLSX)


@dataclass(frozen=True)
class DesaCount:
    code: str
    name: str
    proposed: int


@dataclass(frozen=True)
class Place:
    desa: str
    kecamatan: str
    kabupaten: str


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@cache
def template(path: Path | None = None) -> dict[str, Any]:
    """The letter's template, checked: every text present, placeholders only from PLACEHOLDERS."""
    data = load_toml(path) if path else load_toml(TEMPLATE)
    texts = [*data.get("kop", []), *(data.get(key, "") for key in TEXT_KEYS)]
    missing = [key for key in TEXT_KEYS if not isinstance(data.get(key), str)]
    if missing or not isinstance(data.get("kop"), list) or len(data.get("kolom", [])) != 4:
        raise ContentError(f"{TEMPLATE}: missing or wrong keys {missing or ['kop/kolom']}")
    try:
        unknown = set().union(*(_fields(text) for text in texts)) - PLACEHOLDERS
    except ValueError as exc:
        raise ContentError(f"{TEMPLATE}: {exc}") from None
    if unknown:
        raise ContentError(f"{TEMPLATE}: unknown placeholders {sorted(unknown)}; allowed: {sorted(PLACEHOLDERS)}")
    return data


def place_of(desa_code: str) -> Place:
    desa = region(desa_code)
    kecamatan = region(desa.kecamatan_code or "") if desa else None
    kabupaten = region(desa.kabupaten_code) if desa else None
    return Place(desa.name if desa else desa_code, kecamatan.name if kecamatan else "",
                 kabupaten.name if kabupaten else "")


def _row(number: int, r: InterestRequestView, t: Translator, where: Place, full_nik: bool) -> list[object]:
    return [number, r.nik if full_nik else mask_nik(r.nik), r.name, r.birth_date.strftime("%d-%m-%Y"),
            f"{where.desa}, {where.kecamatan}", occupation_label(t, r.occupation), r.phone, r.ref]


def to_xlsx(rows: list[InterestRequestView], t: Translator, where: Place, full_nik: bool) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Usulan"
    append_row(ws, [t.gettext(header) for header, _width in HEADERS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, request in enumerate(rows, start=1):
        append_row(ws, _row(number, request, t, where, full_nik))
    for index, (_header, width) in enumerate(HEADERS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = width
        if index in (PHONE_COLUMN, NIK_COLUMN):
            for cell in ws[letter][1:]:
                cell.number_format = "@"  # text: leading digits and + stay
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _font_dir() -> Path:
    import matplotlib  # its bundled DejaVu fonts cover every character of Indonesian names

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def to_pdf(rows: list[InterestRequestView], t: Translator, where: Place, today: dt.date) -> bytes:
    """The surat keterangan: letterhead, number, text, the table of names, the signature block."""
    from fpdf import FPDF

    tpl = template()
    values = {"desa": where.desa, "kecamatan": where.kecamatan, "kabupaten": where.kabupaten,
              "tanggal": t.date(today), "tahun": str(today.year), "jumlah": str(len(rows))}
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 20)
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    for line in tpl["kop"]:
        pdf.cell(0, 6, line.format(**values).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(20, pdf.get_y() + 2, 190, pdf.get_y() + 2)
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 6, tpl["judul"].format(**values), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, tpl["nomor"].format(**values), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 5.5, tpl["pembuka"].format(**values), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(10, 70, 50, 40), text_align=("CENTER", "LEFT", "LEFT", "LEFT")) as table:
        table.row(list(tpl["kolom"]))
        for number, r in enumerate(rows, start=1):
            table.row([str(number), r.name, occupation_label(t, r.occupation), r.ref])
    pdf.set_font("DejaVu", "", 10)
    pdf.ln(4)
    pdf.multi_cell(0, 5.5, tpl["penutup"].format(**values), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    for key, gap in (("tempat_tanggal", 0), ("jabatan", 22), ("nama_kosong", 0), ("nip_kosong", 0)):
        pdf.set_x(110)
        pdf.cell(80, 6, tpl[key].format(**values), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)
    return bytes(pdf.output())


def file_name(kind: str, where: Place, now: dt.datetime, t: Translator, extension: str) -> str:
    stamp = now.astimezone(t.tz).strftime("%Y%m%d")
    safe = "".join(ch if ch.isalnum() else "-" for ch in where.desa).strip("-")[:40] or "desa"
    return f"{kind}-{safe}-{stamp}.{extension}"


class ProposalService:
    """A desa's proposal list and letter, for officials of that area and admins."""

    def __init__(self, requests: InterestRepository, audit: AuditService, vault: Vault, clock: Clock,
                 config: Config) -> None:
        self.requests = requests
        self.audit = audit
        self.vault = vault
        self.clock = clock
        self.config = config

    async def desa_list(self, actor: Actor) -> list[DesaCount]:
        """The desa in the actor's area with proposed requests (admins: everywhere)."""
        if not actor.is_staff:
            raise ProposalDenied("not an official")
        scope = None if actor.is_admin else list(actor.areas)
        counts = await self.requests.desa_counts(scope, (PROPOSED,))
        return [DesaCount(code, place_of(code).desa, n) for code, n in counts if actor.can_access(code)]

    async def _rows(self, actor: Actor, desa_code: str) -> list[InterestRequestView]:
        found = region(desa_code)
        if not actor.is_staff or found is None or found.level != 4 or not actor.can_access(desa_code):
            raise ProposalDenied(desa_code)
        records = await self.requests.list_by_status_in_desa(desa_code, (PROPOSED,), MAX_ROWS)
        return [view(self.vault, r) for r in records]

    async def spreadsheet(self, actor: Actor, desa_code: str) -> ProposalFile:
        """The proposal list (XLSX); full NIKs for officials, masked for admins."""
        rows = await self._rows(actor, desa_code)
        t = translator("id", self.config.tz)  # the district works in Indonesian
        where, now, full_nik = place_of(desa_code), self.clock.now(), not actor.is_admin
        data = await asyncio.to_thread(to_xlsx, rows, t, where, full_nik)  # the bot keeps answering meanwhile
        await self.audit.record(actor_id=actor.user_id, action="proposal", now=now, area_code=desa_code,
                                detail=f"xlsx rows={len(rows)}" + (" nik" if full_nik else ""))
        return ProposalFile(data, file_name("usulan", where, now, t, "xlsx"), len(rows), full_nik)

    async def letter(self, actor: Actor, desa_code: str) -> ProposalFile:
        """The surat keterangan (PDF) for the kepala desa to sign."""
        rows = await self._rows(actor, desa_code)
        t = translator("id", self.config.tz)
        where, now = place_of(desa_code), self.clock.now()
        data = await asyncio.to_thread(to_pdf, rows, t, where, now.astimezone(t.tz).date())  # ~1 s per 200 rows
        await self.audit.record(actor_id=actor.user_id, action="proposal", now=now, area_code=desa_code,
                                detail=f"pdf rows={len(rows)}")
        return ProposalFile(data, file_name("surat-usulan", where, now, t, "pdf"), len(rows), False)
