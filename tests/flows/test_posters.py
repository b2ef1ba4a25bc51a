"""/poster: a PNG and a PDF with a QR code of t.me/<bot>?start=desa_<code>, the desa name and two lines."""

from __future__ import annotations

import io

from PIL import Image

from bot.domain.deeplink import parse_payload
from bot.domain.posters import qr_matrix
from bot.testing.runtime import LocalBot
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, KEC_K, make_official


def qr_modules(png: bytes, origin: tuple[int, int], box: int, size: int) -> list[list[bool]]:
    """Read the QR back from the poster by sampling the centre of every module."""
    image = Image.open(io.BytesIO(png)).convert("L")
    x0, y0 = origin
    return [[image.getpixel((x0 + c * box + box // 2, y0 + r * box + box // 2)) < 128 for c in range(size)]
            for r in range(size)]


def find_qr_origin(png: bytes) -> tuple[int, int]:
    """The top-left dark pixel of the QR finder pattern (the first dark pixel below the heading area)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    for y in range(400, height):
        for x in range(width):
            if image.getpixel((x, y)) < 128:
                return x, y
    raise AssertionError("no QR found")


async def test_official_of_one_desa_gets_poster_png_and_pdf(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    await official.send("/poster")
    png, pdf = await official.expect_replies(2)
    assert (png.file_name or "") == "poster-6408012001.png" and "Senyiur" in (png.text or "")
    assert (pdf.file_bytes or b"").startswith(b"%PDF")
    data = png.file_bytes or b""
    image = Image.open(io.BytesIO(data))
    assert image.size == (1240, 1754)
    link = "https://t.me/jagakerja_bot?start=desa_6408012001"
    expected = qr_matrix(link)
    border = 4
    box = 20
    x, y = find_qr_origin(data)  # first dark module is at (border, border) of the matrix
    modules = qr_modules(data, (x - border * box, y - border * box), box, len(expected))
    assert modules == expected
    link_payload = parse_payload(link.split("start=", 1)[1])
    assert link_payload is not None and link_payload.kind == "desa" and link_payload.value == DESA_A


async def test_scanning_the_poster_preselects_the_desa(local_bot: LocalBot) -> None:
    worker = local_bot.user(100001, language_code="id")
    await worker.send("/start desa_6408012001")
    await worker.expect_reply()
    assert local_bot.services is not None
    profile = await local_bot.services.users.get(100001)
    assert profile is not None and profile.region_code == DESA_A


async def test_kecamatan_official_picks_a_desa_and_admin_browses(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500002, [KEC_K])
    await official.send("/poster")
    await official.expect_reply()
    await official.press("Muara Ancalong")
    choose = await official.expect_edit()
    assert "Kelinjau Ilir" in [label for row in choose.buttons for label in row]
    await official.press("Kelinjau Ilir")
    png, _pdf = await official.expect_replies(2)
    assert png.file_name == "poster-6408012002.png"

    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/poster")
    await admin.expect_reply()
    await admin.press("Kutai Timur")
    await admin.expect_edit()
    await admin.press("Muara Wahau")
    await admin.expect_edit()
    await admin.press("Jak Luay")
    png, _pdf = await admin.expect_replies(2)
    assert png.file_name == "poster-6408022001.png"
