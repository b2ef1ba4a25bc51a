"""A printable A4 poster for a desa noticeboard: a QR code of `t.me/<bot>?start=desa_<code>`, the desa's
name and two short lines. PNG (Pillow) and PDF (Pillow's PDF writer); no other dependencies than `qrcode`.

`PosterService`: which desa an actor may make a poster for (officials: their own areas; admins: any desa), the
way down the region tree to it, and the poster itself (in Indonesian: it is read on the noticeboard).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from bot.domain.deeplink import desa_payload
from bot.domain.i18n import translator
from bot.domain.officials import bot_link
from bot.domain.regions import HOME_PROVINCE, Region, children, region
from bot.domain.roles import Actor

# A4 at 150 dpi: prints sharp enough, small enough to send over a slow connection.
WIDTH, HEIGHT = 1240, 1754
MARGIN = 90
QR_BOX = 20  # pixels per QR module
QR_BORDER = 4  # modules of quiet zone
GREEN = (0, 122, 61)
DARK = (20, 20, 20)


@dataclass(frozen=True)
class PosterText:
    title: str  # e.g. "Daftar Minat BPJS Ketenagakerjaan"
    place: str  # the desa's name
    area: str  # kecamatan, kabupaten
    line1: str
    line2: str
    footer: str  # the link written out, for those who cannot scan


@dataclass(frozen=True)
class Poster:
    png: bytes
    pdf: bytes
    link: str
    qr_origin: tuple[int, int]  # top-left of the QR image on the page (for checks)
    qr_box: int


def desa_link(bot_username: str | None, desa_code: str) -> str:
    return bot_link(bot_username, desa_payload(desa_code))


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules (with the quiet zone) for `data`."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_BORDER)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, max_width: int) -> Font:
    while size > 18:
        font = _font(size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= max_width:
            return font
        size -= 4
    return _font(size)


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill: tuple[int, int, int]) -> int:
    font = _fit(draw, text, size, WIDTH - 2 * MARGIN)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2 - left, y - top), text, font=font, fill=fill)
    return int(y + (bottom - top))


def render(link: str, text: PosterText) -> Poster:
    page = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, WIDTH, 150), fill=GREEN)
    _centered(draw, 45, text.title, 56, (255, 255, 255))
    y = _centered(draw, 220, text.place, 96, DARK)
    y = _centered(draw, y + 30, text.area, 40, (90, 90, 90))

    matrix = qr_matrix(link)
    size = len(matrix) * QR_BOX
    box = QR_BOX
    if size > WIDTH - 2 * MARGIN:  # very long links: smaller modules
        box = (WIDTH - 2 * MARGIN) // len(matrix)
        size = len(matrix) * box
    qr = Image.new("1", (len(matrix), len(matrix)), 1)
    qr.putdata([0 if dark else 1 for row in matrix for dark in row])
    qr_image = qr.resize((size, size), Image.Resampling.NEAREST)
    origin = ((WIDTH - size) // 2, y + 60)
    page.paste(qr_image.convert("RGB"), origin)

    y = origin[1] + size + 50
    y = _centered(draw, y, text.line1, 52, DARK)
    y = _centered(draw, y + 24, text.line2, 40, DARK)
    _centered(draw, HEIGHT - 110, text.footer, 32, (90, 90, 90))

    png = io.BytesIO()
    page.save(png, "PNG", optimize=True, dpi=(150, 150))
    pdf = io.BytesIO()
    page.save(pdf, "PDF", resolution=150.0)
    return Poster(png.getvalue(), pdf.getvalue(), link, origin, box)


POSTER_LANGUAGE = "id"  # the noticeboard is read in Indonesian


@dataclass(frozen=True)
class PosterStart:
    """What /poster offers an actor: one desa's poster at once, a region to browse down from, or a choice."""

    desa: str | None = None  # an official of exactly one desa: their poster straight away
    browse: str | None = None  # admins: browse down from the province
    areas: list[Region] = field(default_factory=list)  # an official's areas to choose from


@dataclass(frozen=True)
class DesaPoster:
    desa: Region
    poster: Poster

    @property
    def file_base(self) -> str:
        return "poster-" + self.desa.code.replace(".", "")


class PosterService:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def start(self, actor: Actor) -> PosterStart:
        if actor.is_admin:
            return PosterStart(browse=HOME_PROVINCE)
        desa = [code for code in actor.areas if (r := region(code)) is not None and r.level == 4]
        if len(actor.areas) == 1 and desa:
            return PosterStart(desa=desa[0])
        return PosterStart(areas=[r for code in actor.areas if (r := region(code)) is not None])

    @staticmethod
    def may_browse(actor: Actor, code: str) -> bool:
        """An admin anywhere; an official inside their areas or on the way down to them."""
        return actor.is_admin or actor.can_access(code) or any(area.startswith(code + ".") for area in actor.areas)

    def browse(self, actor: Actor, code: str) -> tuple[Region, list[Region]] | None:
        """The area and the regions under it the actor may go on to; None when not theirs (or a desa)."""
        found = region(code)
        if found is None or found.level >= 4 or not self.may_browse(actor, code):
            return None
        return found, [child for child in children(code) if self.may_browse(actor, child.code)]

    @staticmethod
    def may_make(actor: Actor, desa_code: str) -> bool:
        return actor.can_access(desa_code)

    def text(self, desa_code: str, link: str) -> PosterText:
        _ = translator(POSTER_LANGUAGE, self.tz).gettext
        desa = region(desa_code)
        assert desa is not None and desa.kecamatan_code is not None
        kecamatan = region(desa.kecamatan_code)
        kabupaten = region(desa.kabupaten_code)
        area = ", ".join(r.name for r in (kecamatan, kabupaten) if r is not None)
        return PosterText(
            title=_("BPJS Ketenagakerjaan sign-up"),
            place=desa.name,
            area=area,
            line1=_("Working on your own? Scan this code with your phone."),
            line2=_("Check if you qualify and sign up with the help of the desa officials."),
            footer=link,
        )

    def make(self, actor: Actor, desa_code: str, bot_username: str | None) -> DesaPoster | None:
        """The poster for a desa in the actor's area; None for anything else."""
        found = region(desa_code)
        if found is None or found.level != 4 or not self.may_make(actor, desa_code):
            return None
        link = desa_link(bot_username, desa_code)
        return DesaPoster(found, render(link, self.text(desa_code, link)))
