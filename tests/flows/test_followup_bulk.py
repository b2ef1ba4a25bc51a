"""Issue 12 (6): find requests (reference, name, NIK's last 4 digits) within the official's area, tick several,
change their status together (each through change_status: workers told, each change audited)."""

from __future__ import annotations

from bot.domain.followup import name_found, search_kind
from bot.domain.roles import Actor
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.support.officials import DESA_A, DESA_A2, DESA_B, KEC_K, expect_text, make_official, submit


def labels(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def open_selection(official: TelegramUser) -> BotMessage:
    await official.send("/tindaklanjut")
    await expect_text(official, "Follow-up")
    await official.press("☑️ Select several")
    return await official.expect_edit()


def test_search_kinds_and_name_matching() -> None:
    assert search_kind("JK-7F3Q2") == search_kind("jk 7f3q2") == search_kind("#7F3Q2") == "ref"
    assert search_kind("0001") == search_kind("*0001") == "nik"
    assert search_kind("aminah") == "name" and search_kind("a") is None and search_kind("12345") is None
    assert name_found("aminah", "Siti Aminah") and name_found("Hj. Siti Aminah", "Siti Aminah")
    assert name_found("Budi", "Budi Santoso") and not name_found("Budi", "Siti Aminah")


async def test_select_all_and_propose_changes_each_and_skips_the_decided(local_bot: LocalBot) -> None:
    worker = local_bot.user(200001, language_code="en")
    names = ["Ani Lestari", "Budi Santoso", "Citra Dewi", "Dedi Kurnia", "Eka Putri", "Fajar Hadi"]
    requests = [await submit(local_bot, 200001 + i, DESA_A if i % 2 else DESA_A2, name=name, language="en")
                for i, name in enumerate(names)]
    await submit(local_bot, 200100, DESA_B, name="Orang Lain")
    official = await make_official(local_bot, 500001, [KEC_K])
    listing = await open_selection(official)
    assert "0 of 6 selected" in (listing.text or "")
    assert sum(label.startswith("☐") for label in labels(listing)) == 6
    assert not any("Orang Lain" in label for label in labels(listing))
    await official.press("☑ Select all")
    ticked = await official.expect_edit()
    assert "6 of 6 selected" in (ticked.text or "")
    await official.press("📤 Proposed")
    confirm = await official.expect_edit()
    assert "Set 6 requests to 📤 Proposed?" in (confirm.text or "")
    assert local_bot.services is not None
    # meanwhile another official registers one of them: it is skipped, not changed back
    await local_bot.services.followup.change_status(Actor(500009, "admin"), requests[5].id, "registered", None)
    before = await local_bot.services.audit.count("status_change")
    await official.press("✅ Yes, change them")
    done = await official.expect_edit()
    assert "5 changed, 1 skipped" in (done.text or "")
    statuses = [(await local_bot.services.interest.repository.get(r.id)).status for r in requests]  # type: ignore[union-attr]
    assert statuses == ["proposed"] * 5 + ["registered"]
    assert await local_bot.services.audit.count("status_change") == before + 5
    assert await local_bot.services.audit.count("proposal") == 1
    message = await worker.expect_reply()
    assert "proposal list" in (message.text or "") and requests[0].ref in (message.text or "")
    await official.press("📤 Proposed")  # nothing ticked any more
    answer = await official.double.wait_for(
        lambda: next((a for a in official.double.callback_answers if "Tick one" in str(a.get("text"))), None))
    assert answer.get("show_alert")


async def test_selection_survives_a_restart(local_bot: LocalBot) -> None:
    first = await submit(local_bot, 200001, DESA_A, name="Ani Lestari")
    second = await submit(local_bot, 200002, DESA_A, name="Budi Santoso")
    official = await make_official(local_bot, 500001, [DESA_A])
    listing = await open_selection(official)
    await official.press(next(label for label in labels(listing) if "Budi Santoso" in label))
    ticked = await official.expect_edit()
    assert "1 of 2 selected" in (ticked.text or "") and any(label.startswith("☑") for label in labels(ticked))
    await local_bot.restart()
    await official.press("📞 Contacted")
    await official.expect_edit()
    await official.press("✅ Yes, change them")
    done = await official.expect_edit()
    assert "1 changed" in (done.text or "") and "skipped" not in (done.text or "")
    assert local_bot.services is not None
    repository = local_bot.services.interest.repository
    assert (await repository.get(second.id)).status == "contacted"  # type: ignore[union-attr]
    assert (await repository.get(first.id)).status == "new"  # type: ignore[union-attr]


async def test_search_by_name_nik_and_reference_stays_in_the_area(local_bot: LocalBot) -> None:
    mine = await submit(local_bot, 200001, DESA_A, name="Siti Aminah", nik="6408014505900001")
    await submit(local_bot, 200002, DESA_A2, name="Budi Santoso", nik="6408011203850002")
    other = await submit(local_bot, 200003, DESA_B, name="Siti Aminah Lain", nik="6408022507920001")
    official = await make_official(local_bot, 500001, [KEC_K])
    await official.send("/cari aminah")
    found = await expect_text(official, "found")
    assert "1 request found" in (found.text or "")
    assert any("Siti Aminah" in label for label in labels(found)) and not any("Lain" in lb for lb in labels(found))
    await official.send("/cari 0001")
    by_nik = await expect_text(official, "found")
    assert "1 request found" in (by_nik.text or "")
    await official.send(f"/cari {other.ref}")  # another kecamatan's request: not revealed
    assert "Nothing found" in ((await official.expect_reply()).text or "")
    await official.send("/tindaklanjut")
    await expect_text(official, "Follow-up")
    await official.press("🔎 Search")
    assert "last 4 digits" in ((await official.expect_reply()).text or "")
    await official.send(mine.ref.lower().replace("-", " "))
    by_ref = await expect_text(official, "found")
    assert "1 request found" in (by_ref.text or "")
    await official.press("›")
    card = await official.expect_edit()
    assert mine.ref in (card.text or "")
