"""The coverage files (`/cakupan`, `/unduh cakupan`) and charts (`/statistik`): an XLSX with coverage per
kabupaten, kecamatan and desa and the monthly trend (every cell through `bot.domain.spreadsheet`: text is never a
formula), and a one-page PDF report for the Bupati (fpdf2, DejaVu Sans from matplotlib's fonts for every
Indonesian character: title, date, headline figures, charts, the table of the areas below, the targets'
sources). Labels come through the reader's translator; numbers, shares and dates are Babel-formatted.
CPU-bound: call from a worker thread. No Telegram types here."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain import charts
from bot.domain.coverage import AreaCoverage, CoverageReport, Target, region_name, share_text
from bot.domain.i18n import N_, Translator
from bot.domain.spreadsheet import append_row

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MAX_BARS = 20  # areas in a bar chart (the most members first)
LEVEL_SHEETS = {2: N_("Kabupaten"), 3: N_("Kecamatan"), 4: N_("Desa")}
KIND_LABELS = {"target": N_("target"), "estimate": N_("estimate")}


def area_title(t: Translator, report: CoverageReport) -> str:
    return report.area.name if report.scope else t.gettext("all areas")


def bar_label(t: Translator, area: AreaCoverage) -> str:
    """`1.234 · 12,5%`: members and the share of the target, else of the area above (no share without either)."""
    share = area.share if area.share is not None else area.part
    return t.number(area.active) + (f" · {share_text(t, share)}" if share is not None else "")


def chart_areas(report: CoverageReport) -> list[AreaCoverage]:
    if not report.parts:
        return [report.area] if report.scope else []
    return sorted(report.parts, key=lambda a: -a.active)[:MAX_BARS]


def bars_title(t: Translator, report: CoverageReport) -> str:
    level = report.parts[0].level if report.parts else report.area.level
    return {2: t.gettext("Active members per kabupaten/kota"), 3: t.gettext("Active members per kecamatan"),
            4: t.gettext("Active members per desa")}.get(level, t.gettext("Active members"))


def coverage_chart(t: Translator, report: CoverageReport, size: tuple[float, float] = charts.SIZE) -> bytes:
    areas = chart_areas(report)
    return charts.coverage_bars(bars_title(t, report), [a.name for a in areas], [a.active for a in areas],
                                [bar_label(t, a) for a in areas], t.gettext("No members on the roster yet"),
                                size=size, number=lambda v: t.number(int(v)))


def trend_chart(t: Translator, report: CoverageReport, size: tuple[float, float] = charts.SIZE) -> bytes:
    target = report.area.target
    line = (t.gettext("Target {n}").format(n=t.number(target.value)), target.value) if target else None
    return charts.monthly_trend(t.gettext("Active members at the end of each month"),
                                [t.date(day, "MMM yy") for day, _n in report.trend], [n for _d, n in report.trend],
                                t.gettext("Active members"), line, size=size, number=lambda v: t.number(int(v)))


def target_text(t: Translator, target: Target | None) -> str:
    if target is None:
        return t.gettext("no target")
    return f"{t.number(target.value)} ({t.gettext(KIND_LABELS[target.kind])})"


def source_line(t: Translator, target: Target, name: str) -> str:
    return t.gettext("{area}: {figure} — {source}, from {date}").format(
        area=name, figure=target_text(t, target), source=target.source, date=t.date(target.valid_from))


def file_name(report: CoverageReport, extension: str) -> str:
    return f"cakupan-{report.scope or 'semua'}-{report.day:%Y%m%d}.{extension}"


# --- XLSX ---------------------------------------------------------------------------------------------------

HEADERS = (N_("Code"), N_("Area"), N_("Part of"), N_("Active members"), N_("Target / estimate"), N_("Kind"),
           N_("Coverage of target"), N_("Share of the area above"), N_("Source of the target"), N_("Valid from"))
WIDTHS = (16, 28, 24, 16, 18, 12, 18, 22, 60, 14)


def _header(sheet: Worksheet, values: list[str], widths: tuple[int, ...]) -> None:
    append_row(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="007A3D")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _formats(sheet: Worksheet) -> None:
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"


def _area_row(t: Translator, area: AreaCoverage) -> list[object]:
    target = area.target
    return [area.code, area.name, region_name(area.parent) if area.parent else "", area.active,
            target.value if target else None, t.gettext(KIND_LABELS[target.kind]) if target else "",
            area.share, area.part, target.source if target else "", target.valid_from if target else None]


def _summary(t: Translator, sheet: Worksheet, report: CoverageReport) -> None:
    _ = t.gettext
    _header(sheet, [_("Coverage of pekerja rentan"), area_title(t, report)], (34, 70))
    area = report.area
    rows: list[list[object]] = [
        [_("Active members on"), report.day],
        [_("Active members"), area.active],
        [_("Target / estimate"), area.target.value if area.target else _("no target")],
        [_("Coverage of target"), area.share if area.share is not None else "-"],
    ]
    if area.target:
        rows.append([_("Source of the target"), area.target.source])
    if report.reported:
        rows += [[_("Covered as reported by the Pemda"), report.reported.value],
                 [_("Source"), f"{report.reported.source} ({t.date(report.reported.on)})"]]
    rows.append([_("How it is counted"), _("Roster members whose period covers the day and who were not ended by "
                                            "a replacing import. Expired and ended members are not counted.")])
    for row in rows:
        append_row(sheet, row)
    _formats(sheet)


def sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of `[]:*?/\\`."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Data"


def to_xlsx(t: Translator, report: CoverageReport) -> bytes:
    """Sheets: summary, one per level (kabupaten, kecamatan, desa within the scope), the monthly trend."""
    _ = t.gettext
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = sheet_title(_("Summary"))
    _summary(t, summary, report)
    for level, rows in sorted(report.rows.items()):
        sheet = book.create_sheet(sheet_title(t.gettext(LEVEL_SHEETS[level])))
        _header(sheet, [t.gettext(h) for h in HEADERS], WIDTHS)
        for area in rows:
            append_row(sheet, _area_row(t, area))
        _formats(sheet)
    trend = book.create_sheet(sheet_title(_("Monthly trend")))
    _header(trend, [_("Month end"), _("Active members"), _("Coverage of target")], (14, 16, 18))
    target = report.area.target
    for day, n in report.trend:
        append_row(trend, [day, n, n / target.value if target else None])
    _formats(trend)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    width: float = 210.0
    height: float = 297.0
    margin: float = 14.0

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)  # one page, always: the layout below fits what it shows into it
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(Page.margin, Page.margin, Page.margin)
    pdf.add_page()
    return pdf


def _line(pdf: FPDF, text: str, size: float, bold: bool = False, height: float | None = None) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.cell(0, height or size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _headline(pdf: FPDF, t: Translator, report: CoverageReport) -> None:
    _ = t.gettext
    area = report.area
    boxes = [(_("Active members"), t.number(area.active)),
             (_("Target / estimate"), t.number(area.target.value) if area.target else "–"),
             (_("Coverage"), share_text(t, area.share) if area.share is not None else "–")]
    width = Page().inner / len(boxes)
    top = pdf.get_y()
    for i, (label, value) in enumerate(boxes):
        x = Page.margin + i * width
        pdf.set_fill_color(232, 244, 237)
        pdf.rect(x + 1, top, width - 2, 19, style="F")
        pdf.set_xy(x + 1, top + 2)
        pdf.set_font("DejaVu", "", 8.5)
        pdf.cell(width - 2, 4, label, align="C")
        pdf.set_xy(x + 1, top + 8)
        pdf.set_font("DejaVu", "B", 16)
        pdf.cell(width - 2, 8, value, align="C")
    pdf.set_xy(Page.margin, top + 21)
    if report.reported:
        pdf.set_font("DejaVu", "", 8.5)
        pdf.multi_cell(0, 4, _("Reported by the Pemda: {n} ({date}; {source}).").format(
            n=t.number(report.reported.value), date=t.date(report.reported.on), source=report.reported.source)[:300],
            new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _charts(pdf: FPDF, t: Translator, report: CoverageReport, height: float) -> None:
    inner = Page().inner
    bars = coverage_chart(t, report, size=(5.4, 4.0))
    trend = trend_chart(t, report, size=(4.4, 4.0))
    top = pdf.get_y() + 1
    left_width = inner * 5.4 / 9.8
    pdf.image(io.BytesIO(bars), x=Page.margin, y=top, w=left_width, h=height)
    pdf.image(io.BytesIO(trend), x=Page.margin + left_width, y=top, w=inner - left_width, h=height)
    pdf.set_xy(Page.margin, top + height + 2)


def _table(pdf: FPDF, t: Translator, report: CoverageReport, bottom: float) -> None:
    """The areas just under the scope (Kemendagri order); as many rows as fit above `bottom`."""
    _ = t.gettext
    parts = report.parts
    if not parts:
        return
    above = area_title(t, report)
    with_targets = any(area.target for area in parts)  # else those two columns would only hold dashes
    headers = [t.gettext(LEVEL_SHEETS[parts[0].level]), _("Active members"),
               *([_("Target / estimate"), _("Coverage")] if with_targets else []),
               _("Share of {area}").format(area=above)]
    widths = [62.0, 28.0, *([32.0, 24.0] if with_targets else []), 0.0]
    widths[-1] = Page().inner - sum(widths)
    space = bottom - pdf.get_y()
    row_height = min(5.0, max(3.4, space / (len(parts) + 1)))
    fits = int(space // row_height) - 1
    shown = parts if len(parts) <= fits else parts[: max(fits - 1, 0)]
    pdf.set_fill_color(0, 122, 61)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("DejaVu", "B", 7.5)
    for header, width in zip(headers, widths, strict=True):
        pdf.cell(width, row_height, header[:40], border=0, fill=True, align="C")
    pdf.ln(row_height)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 7.5 if row_height >= 4 else 6.5)
    for i, area in enumerate(shown):
        pdf.set_fill_color(*((245, 245, 245) if i % 2 else (255, 255, 255)))
        values = [area.name[:38], t.number(area.active)]
        if with_targets:
            values += [target_text(t, area.target) if area.target else "–",
                       share_text(t, area.share) if area.share is not None else "–"]
        values.append(share_text(t, area.part) if area.part is not None else "–")
        for j, (value, width) in enumerate(zip(values, widths, strict=True)):
            pdf.cell(width, row_height, value, fill=True, align="L" if j == 0 else "R")
        pdf.ln(row_height)
    if len(shown) < len(parts):
        pdf.cell(0, row_height, _("… and {n} more: see the XLSX file.").format(n=len(parts) - len(shown)),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _sources(pdf: FPDF, t: Translator, report: CoverageReport, top: float) -> None:
    _ = t.gettext
    pdf.set_xy(Page.margin, top)
    pdf.set_font("DejaVu", "B", 8)
    pdf.cell(0, 4, _("Sources of the targets"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 7)
    names = {a.code: a.name for rows in report.rows.values() for a in rows} | {report.area.code: report.area.name}
    lines = [source_line(t, s, names.get(s.region, s.region)) for s in report.sources[:3]]
    if not lines:
        lines = [_("No target is set for this area: shares are of the area above.")]
    for text in lines:
        pdf.multi_cell(0, 3.4, text[:260], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, 3.4, _("Counted: roster members whose period covers {date} and who were not ended by a "
                             "replacing import (expired and ended members are not counted). Made by JagaKerja.")
                   .format(date=t.date(report.day)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


SOURCES_HEIGHT = 30.0  # mm kept at the bottom for the sources and the note


def to_pdf(t: Translator, report: CoverageReport) -> bytes:
    """One A4 page for the Bupati."""
    _ = t.gettext
    pdf = _pdf()
    pdf.set_title(_("Coverage of pekerja rentan: {area}").format(area=area_title(t, report)))
    _line(pdf, _("Coverage of pekerja rentan: {area}").format(area=area_title(t, report)), 15, bold=True, height=8)
    _line(pdf, _("BPJS Ketenagakerjaan, active members on {date}").format(date=t.date(report.day)), 10, height=6)
    pdf.ln(2)
    _headline(pdf, t, report)
    pdf.ln(1)
    _charts(pdf, t, report, height=70 if report.parts else 95)
    bottom = Page.height - Page.margin - SOURCES_HEIGHT
    _table(pdf, t, report, bottom)
    _sources(pdf, t, report, min(pdf.get_y(), bottom) + 4)
    return bytes(pdf.output())


def build_files(t: Translator, report: CoverageReport) -> list[tuple[str, bytes]]:
    """(file name, content) for the XLSX and the PDF."""
    return [(file_name(report, "xlsx"), to_xlsx(t, report)), (file_name(report, "pdf"), to_pdf(t, report))]
