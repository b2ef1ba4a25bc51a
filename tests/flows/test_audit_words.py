"""Audit everything an admin or official does (issue 12): status changes read in words in the reader's language
(no raw codes), roster imports / undo, proposals and broadcasts are recorded; /audit filters by kind and by person
and pages; entries hold ids and codes only."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.domain.audit import ACTION_LABELS, detail_words, unlabelled
from bot.domain.clock import FixedClock
from bot.domain.i18n import translator
from bot.testing.runtime import LocalBot
from storage.audit import ACTIONS, AuditEntry
from tests.conftest import ADMIN_ID
from tests.flows.test_broadcast import VirtualTimer, admin_of, answered, compose_text, wait_report, worker
from tests.support.officials import DESA_A, expect_text, make_official, submit

NIK, NAME, PHONE = "6408014505900001", "Siti Aminah", "+6281234567890"


@pytest.fixture
async def virtual_timer(local_bot: LocalBot) -> AsyncIterator[VirtualTimer]:
    virtual = VirtualTimer()
    assert local_bot.services is not None
    local_bot.services.broadcasts.timer = virtual
    yield virtual
    virtual.gate.set()


def labels(message: object) -> list[str]:
    return [label for row in message.buttons for label in row]  # type: ignore[attr-defined]


async def test_a_status_change_reads_in_words_in_indonesian(local_bot: LocalBot) -> None:
    await make_official(local_bot, 500001, [DESA_A])
    request = await submit(local_bot, 200001, DESA_A, name=NAME, nik=NIK, phone=PHONE)
    assert local_bot.services is not None
    official = await local_bot.services.roles.actor(500001)
    await local_bot.services.followup.change_status(official, request.id, "not_eligible", "reason:member")
    await local_bot.services.followup.change_status(official, request.id, "contacted", "Nomor salah, kata istri")
    admin = local_bot.user(ADMIN_ID)  # Indonesian
    await admin.send("/audit")
    page = await expect_text(admin, "Log audit")
    text = page.text or ""
    assert f"👤 500001 · mengubah status · {request.ref} · Senyiur · Baru → Tidak memenuhi syarat (Sudah jadi " \
           "peserta BPJS Ketenagakerjaan)" in text
    assert f"mengubah status · {request.ref} · Senyiur · Tidak memenuhi syarat → Sudah dihubungi" in text
    assert "not_eligible" not in text and "reason:" not in text and "→not" not in text
    assert "petugas · Senyiur (Muara Ancalong)" not in text  # invite details read in words too:
    assert "membuat undangan · invite#1 · petugas, Senyiur" in text
    entries = await local_bot.services.audit.all()  # ids and codes only: the typed reason is not in the log
    assert not any(secret in repr(entries) for secret in (NIK, NAME, PHONE, "Nomor salah", "Siti"))


async def test_audit_filters_by_kind_and_person_and_pages(local_bot: LocalBot, clock: FixedClock) -> None:
    assert local_bot.services is not None
    audit = local_bot.services.audit
    await audit.record(actor_id=ADMIN_ID, action="roster_import", target="batch#7", area_code="64.08",
                       detail="rows=57 new=3 updated=50 ended=4 mode=replace")
    await audit.record(actor_id=ADMIN_ID, action="roster_undo", target="batch#7", area_code="64.08",
                       detail="restored=57")
    for i in range(20):
        clock.advance(dt.timedelta(minutes=1))
        await audit.record(actor_id=500001, action="nik_view", target=f"JK-AAA{i:02d}", area_code=DESA_A)
    await audit.record(actor_id=500002, action="proposal", area_code=DESA_A, detail="marked=3")
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/start")
    await admin.expect_reply()
    await admin.send("/audit")
    first = await expect_text(admin, "Audit log")
    assert "Page 1/2" in (first.text or "") and "2/2 ▶️" in labels(first)
    assert "proposed workers (usulan) · Senyiur · requests: 3" in (first.text or "")
    await admin.press("Roster")
    roster = await admin.expect_edit()
    text = roster.text or ""
    assert "Audit log · Roster" in text and "Page 1/1" in text and "nik_view" not in text and "NIK" not in text
    assert "imported a roster · batch#7 · Kabupaten Kutai Timur · rows: 57, new: 3, updated: 50, ended: 4, " \
           "mode: replace the region" in text
    assert "undid a roster import · batch#7 · Kabupaten Kutai Timur · restored: 57" in text
    assert "• Roster" in labels(roster)
    await admin.press("👤 One person")
    people = await admin.expect_edit()
    assert labels(people)[:3] == ["👤 500002", "👤 500001", f"👤 {ADMIN_ID}"]  # who acted last first
    await admin.press("👤 500001")
    nobody = await admin.expect_edit()
    assert "person 500001" in (nobody.text or "") and "Nothing here." in (nobody.text or "")  # no roster by them
    await admin.press("All")
    theirs = await admin.expect_edit()
    assert "Page 1/2" in (theirs.text or "") and "imported a roster" not in (theirs.text or "")
    await admin.press("2/2 ▶️")
    last = await admin.expect_edit()
    assert "JK-AAA00" in (last.text or "") and "proposed" not in (last.text or "")
    await admin.send("/audit @500002")
    one = await expect_text(admin, "person 500002")
    assert "proposed workers" in (one.text or "") and "viewed full NIK" not in (one.text or "")
    await admin.send("/audit siti")
    assert "Telegram id" in ((await admin.expect_reply()).text or "")


async def test_broadcasts_are_audited_created_sent_paused_resumed_stopped(local_bot: LocalBot,
                                                                          virtual_timer: VirtualTimer) -> None:
    for i in range(3):
        await worker(local_bot, 100001 + i)
    admin = await admin_of(local_bot)
    await compose_text(admin, "Rahasia isi siaran: jangan dicatat.")
    await admin.press("👥 Everyone")
    await admin.expect_replies(3)
    virtual_timer.gate.clear()
    await admin.press("📤 Send")
    progress = await admin.expect_reply()
    await admin.press("⏸ Pause")
    await answered(local_bot, "Paused.")
    virtual_timer.gate.set()
    assert "paused" in ((await admin.expect_edit(progress)).text or "")
    virtual_timer.gate.clear()
    await admin.press("▶️ Resume")
    await answered(local_bot, "Sending again.")
    await admin.press("⏹ Stop")
    await answered(local_bot, "Stopped.")
    virtual_timer.gate.set()
    await wait_report(local_bot, admin)
    assert local_bot.services is not None
    entries = [e for e in await local_bot.services.audit.all() if e.action.startswith("broadcast_")]
    assert [e.action for e in entries] == ["broadcast_created", "broadcast_sent", "broadcast_paused",
                                           "broadcast_resumed", "broadcast_stopped"]
    assert {e.actor_id for e in entries} == {ADMIN_ID} and len({e.target for e in entries}) == 1
    assert entries[0].detail == "text audience=everyone" and entries[1].detail == "recipients=4"
    assert "Rahasia" not in repr(entries)
    await admin.send("/audit")
    await expect_text(admin, "Audit log")
    await admin.press("Broadcasts")
    shown = (await admin.expect_edit()).text or ""
    assert "stopped a broadcast" in shown and "created a broadcast · broadcast#" in shown
    assert "started sending a broadcast" in shown and "recipients: 4" in shown and "audience: 👥 Everyone" in shown


def test_every_action_has_words_and_a_kind() -> None:
    assert unlabelled() == set()
    assert {"roster_import", "roster_undo", "proposal", "broadcast_created", "broadcast_sent", "broadcast_paused",
            "broadcast_stopped"} <= set(ACTIONS) <= set(ACTION_LABELS)


def test_details_in_words_and_unknown_text_as_stored() -> None:
    t = translator("id")

    def entry(action: str, detail: str) -> AuditEntry:
        return AuditEntry(1, dt.datetime(2026, 11, 30, tzinfo=dt.UTC), 5, action, None, None, detail)

    proposed = detail_words(t, entry("status_change", "new→proposed")) or ""
    assert proposed.startswith("Baru → ") and "proposed" not in proposed
    assert detail_words(t, entry("status_change", "contacted→registered")) == "Sudah dihubungi → Sudah didaftarkan"
    withdrawn = detail_words(t, entry("withdraw", "contacted→withdrawn")) or ""
    assert withdrawn.startswith("Sudah dihubungi → ") and "withdrawn" not in withdrawn
    assert detail_words(t, entry("export", "xlsx rows=12 nik")) == "XLSX, baris: 12, dengan NIK lengkap"
    assert detail_words(t, entry("invite", "official 64.08.01.2001,64.08.01.2002")) == \
        "petugas, Senyiur, Kelinjau Ilir"
    assert detail_words(t, entry("worker_edit", "desa 64.08.01.2001→64.08.01.2002")) == \
        "desa Senyiur → Kelinjau Ilir"
    assert detail_words(t, entry("question_answer", "not delivered")) == "pekerja tidak bisa diberi tahu"
    assert detail_words(t, entry("roster_import", "replace daftar kutim.csv: +3 ~50 -4")) == \
        "mode: ganti daftar wilayah, baru: 3, diperbarui: 50, berakhir: 4"
    assert detail_words(t, entry("roster_import", "upsert a.xlsx: +1200 ~0 -0")) == \
        "mode: tambah dan perbarui, baru: 1.200, diperbarui: 0, berakhir: 0"
    assert detail_words(t, entry("roster_undo", "daftar.csv: -3 ~50 +4")) == \
        "dihapus: 3, dipulihkan: 50, kembali aktif: 4"
    assert detail_words(t, entry("export", "Umur < 18")) == "Umur < 18"  # not codes: as stored (escaped later)
