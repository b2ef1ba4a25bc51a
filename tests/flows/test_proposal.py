"""Issue 12 (4): the desa's proposal (usulan): requests marked 📤 Proposed, the list as XLSX in the district's
columns (full NIK for the desa's officials only, never a formula, phones as text) and the surat keterangan PDF
from the editable template; every download audited."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.domain.content import ContentError
from bot.domain.interest import Draft, InterestService
from bot.domain.privacy import Vault
from bot.domain.proposal import ProposalDenied, template
from bot.domain.roles import Actor
from bot.testing.runtime import LocalBot
from storage.db import Database
from storage.interest import InterestRepository
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, DESA_A2, KEC_B, KEC_K, expect_text, make_official, submit

NAMES = ["Siti Aminah", "Budi Santoso", "Ñoman Çakra"]


async def propose_three(local_bot: LocalBot) -> list[int]:
    """Three requests in Senyiur marked proposed (one through its card), one in Kelinjau Ilir, one left new."""
    ids = [(await submit(local_bot, 200001 + i, DESA_A, name=name, nik=f"640801450590000{i + 1}",
                         phone="+628123456789" + str(i))).id for i, name in enumerate(NAMES)]
    other = await submit(local_bot, 200010, DESA_A2, name="Dewi Kelinjau")
    await submit(local_bot, 200011, DESA_A, name="Belum Diusulkan")
    assert local_bot.services is not None
    result = await local_bot.services.followup.change_many(Actor(ADMIN_ID, "admin"), [*ids[1:], other.id], "proposed")
    assert len(result.changed) == 3
    return ids


async def test_proposed_counts_per_desa_and_a_desa_list_in_storage(db: Database, vault: Vault) -> None:
    """The two queries of the proposal, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""
    service = InterestService(InterestRepository(db), vault)
    repo = service.repository
    moment = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    made = []
    for i, desa in enumerate([DESA_A, DESA_A, DESA_A2, DESA_A, "64.08.02.2001"]):
        draft = Draft(name=f"Orang {i}", nik=f"640801450590000{i + 1}", phone="+6281234567890", desa_code=desa,
                      occupation="farmer")
        made.append((await service.submit(300 + i, draft, "id", moment + dt.timedelta(minutes=i))).request)
    for request in made[1:]:
        await repo.set_status(request.id, "proposed", None, moment)
    assert await repo.desa_counts([KEC_K], ("proposed",)) == [(DESA_A, 2), (DESA_A2, 1)]
    assert await repo.desa_counts(None, ("proposed",)) == [(DESA_A, 2), (DESA_A2, 1), ("64.08.02.2001", 1)]
    assert [r.id for r in await repo.list_by_status_in_desa(DESA_A, ("proposed",), 10)] == [made[1].id, made[3].id]


def test_template_refuses_unknown_placeholders(tmp_path: Path) -> None:
    assert "{desa}" in template()["pembuka"]
    broken = tmp_path / "surat.toml"
    text = (Path(__file__).parents[2] / "content" / "surat_usulan.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace("{jumlah}", "{jumlah_orang}"), encoding="utf-8")
    with pytest.raises(ContentError, match="jumlah_orang"):
        template(broken)


async def test_official_downloads_the_list_and_the_letter(local_bot: LocalBot) -> None:
    ids = await propose_three(local_bot)
    official = await make_official(local_bot, 500001, [KEC_K])
    await official.send("/tindaklanjut")
    await expect_text(official, "Follow-up")
    await official.press_index(len(NAMES) + 2)  # the oldest open request of the queue: Siti Aminah (still new)
    card = await official.expect_edit()
    assert "Siti Aminah" in (card.text or "")
    await official.press("📤 Proposed")
    assert "Proposed" in ((await official.expect_edit()).text or "")
    await official.press("◀ Back to list")
    await official.expect_edit()
    await official.press("📤 Desa proposal")
    choice = await official.expect_edit()
    assert [label for row in choice.buttons for label in row][:2] == ["Senyiur (3)", "Kelinjau Ilir (1)"]
    await official.press("Senyiur (3)")
    assert "3 people" in ((await official.expect_edit()).text or "")
    await official.press("📊 List (XLSX)")
    document = await official.expect_reply()
    assert document.kind == "document" and (document.file_name or "").endswith(".xlsx")
    assert "Contains NIK" in (document.text or "")
    workbook = load_workbook(io.BytesIO(document.file_bytes or b""))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("No.", "NIK", "Nama", "Tempat/Tanggal Lahir", "Alamat/Desa", "Pekerjaan", "No. HP",
                       "Keterangan")
    assert sorted(r[2] for r in rows[1:]) == sorted(NAMES) and len(rows) == 4
    assert {r[1] for r in rows[1:]} == {"6408014505900001", "6408014505900002", "6408014505900003"}
    assert all(r[4] == "Senyiur, Muara Ancalong" and str(r[6]).startswith("+62") for r in rows[1:])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # never a formula
    await official.press("📄 Letter (PDF)")
    letter = await official.expect_reply()
    assert (letter.file_name or "").endswith(".pdf")
    pages = PdfReader(io.BytesIO(letter.file_bytes or b"")).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # justified lines: spaces vary
    assert "SENYIUR" in text and "Kepala Desa Senyiur" in text and "Kabupaten Kutai Timur" in text
    assert all(name in text for name in NAMES) and "Belum Diusulkan" not in text and "Dewi" not in text
    assert "6408014505900001" not in text  # the NIK is only in the list
    assert local_bot.services is not None
    entries = [e for e in await local_bot.services.audit.recent() if e.action == "proposal"]
    assert [e.detail for e in entries[:2]] == ["pdf rows=3", "xlsx rows=3 nik"]
    assert entries[0].area_code == DESA_A and entries[0].actor_id == 500001
    assert ids


async def test_admin_gets_masked_nik_and_other_areas_are_refused(local_bot: LocalBot) -> None:
    await propose_three(local_bot)
    assert local_bot.services is not None
    proposals = local_bot.services.proposals
    with pytest.raises(ProposalDenied):
        await proposals.spreadsheet(Actor(500002, "official", (KEC_B,)), DESA_A)
    with pytest.raises(ProposalDenied):
        await proposals.letter(Actor(500001, "official", (KEC_K,)), KEC_K)  # a kecamatan is not a desa
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/usulan")
    await expect_text(admin, "which desa")
    await admin.press("Senyiur (2)")
    await admin.expect_edit()
    await admin.press("📊 List (XLSX)")
    document = await expect_text(admin, "proposed")
    assert "Contains NIK" not in (document.text or "")
    sheet = load_workbook(io.BytesIO(document.file_bytes or b"")).active
    assert sheet is not None
    niks = [r[1] for r in list(sheet.iter_rows(values_only=True))[1:]]
    assert len(niks) == 2 and all(str(n).startswith("6408") and "*" in str(n) for n in niks)
