"""Issue 14, item 2: no file the bot writes carries a formula. Worker- and staff-typed texts that start with
= + - @ tab or CR come out as text: XLSX string cells (quote-prefixed), CSV cells with a leading quote (OWASP).
Each file is fetched through the chat (/unduh, /audit) from the Bot API double and opened with openpyxl / csv."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import Workbook, load_workbook

from bot.domain.roles import Actor
from bot.domain.spreadsheet import FORMULA_STARTS, append_row, csv_bytes, safe_cell, safe_row
from bot.testing.runtime import LocalBot
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, expect_text, make_official, submit

HYPERLINK = '=HYPERLINK("http://x.example/steal","klik")'
PAYLOADS = {
    "name": "\t=1+1",
    "note": HYPERLINK,
    "reason": "@SUM(1)",
    "phone": "+6281234567890",
}


def assert_no_formula_xlsx(data: bytes) -> list[tuple[object, ...]]:
    """Every cell of every sheet is a plain value (no formula cell), and the XML holds no <f> element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = load_workbook(io.BytesIO(data))
    rows: list[tuple[object, ...]] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
            rows.append(tuple(c.value for c in row))
    return rows


def assert_no_formula_csv(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value
    return rows


async def _world(local_bot: LocalBot) -> None:
    """A request whose name, note and phone are attacks, declined with a typed reason that is one too."""
    await make_official(local_bot, 500001, [DESA_A])
    request = await submit(local_bot, 200001, DESA_A, name=PAYLOADS["name"], note=PAYLOADS["note"],
                           phone=PAYLOADS["phone"])
    assert local_bot.services is not None
    who = await local_bot.services.roles.actor(500001)
    await local_bot.services.followup.change_status(who, request.id, "not_eligible", PAYLOADS["reason"])
    await local_bot.services.followup.add_note(who, request.id, "-1+2")


async def _download(local_bot: LocalBot, user_id: int, label: str) -> bytes:
    user = local_bot.user(user_id, language_code="en")
    await user.send("/unduh")
    if user_id == ADMIN_ID:
        await user.expect_reply()
        await user.press("All my areas")
        await user.expect_edit()
    else:
        await expect_text(user, "Which file?")
    await user.press(label)
    document = await user.expect_reply()
    assert document.kind == "document"
    return document.file_bytes or b""


async def test_official_xlsx_export_holds_no_formula(local_bot: LocalBot) -> None:
    await _world(local_bot)
    rows = assert_no_formula_xlsx(await _download(local_bot, 500001, "📊 Excel (XLSX)"))
    row = dict(zip(rows[0], rows[1], strict=True))
    # the values are kept as typed: only their type says "text"
    assert row["Nama"] == PAYLOADS["name"] and row["Catatan pekerja"] == HYPERLINK
    assert row["No. HP"] == PAYLOADS["phone"] and row["Alasan"] == PAYLOADS["reason"]


async def test_admin_csv_export_holds_no_formula(local_bot: LocalBot) -> None:
    await _world(local_bot)
    rows = assert_no_formula_csv(await _download(local_bot, ADMIN_ID, "📄 CSV"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Nama"] == "'" + PAYLOADS["name"] and row["Catatan pekerja"] == "'" + HYPERLINK
    assert row["No. HP"] == "'+6281234567890" and row["Alasan"] == "'@SUM(1)"


async def test_audit_csv_holds_no_formula(local_bot: LocalBot) -> None:
    assert local_bot.services is not None
    await local_bot.services.audit.record(actor_id=ADMIN_ID, action="export", detail=HYPERLINK, target="-2+3",
                                          area_code="@x")
    await local_bot.services.officials.create_invite(Actor(ADMIN_ID, "admin"), "official", [DESA_A])
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/audit")
    await admin.expect_reply()
    await admin.press("📄 Whole log as a file")
    document = await admin.expect_reply()
    rows = assert_no_formula_csv(document.file_bytes or b"")
    exported = next(r for r in rows if r[3] == "export")
    assert exported[4:7] == ["'@x", "'-2+3", "'" + HYPERLINK]  # then the entry in words (issue 12)


def test_helper_api_for_other_writers() -> None:
    """The API other files use (the roster error report): safe_cell / safe_row / csv_bytes / append_row."""
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("\r=1") == "'\r=1" and safe_cell("＝1+1") == "'＝1+1"
    assert safe_cell("Siti") == "Siti" and safe_cell(-5) == -5 and safe_cell(None) is None
    assert safe_row(["+62", "ok", 3]) == ["'+62", "ok", 3]
    assert_no_formula_csv(csv_bytes([["a", "b"], ["@SUM(1)", "-"]]))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, ["=1+1", "#N/A", 7, None])
    out = io.BytesIO()
    book.save(out)
    rows = assert_no_formula_xlsx(out.getvalue())
    assert rows[0][:3] == ("=1+1", "#N/A", 7)
