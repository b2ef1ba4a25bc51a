"""The follow-up queue: list, card, NIK reveal, status changes that reach the worker, notes, notices, digest."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from types import FrameType
from typing import Any
from unittest.mock import patch

import pytest
from sqlalchemy import event as sa_event

from bot.domain.clock import FixedClock
from bot.testing.runtime import LocalBot
from handlers.followup_jobs import run_daily_digest, send_notice_digests
from tests.support.officials import DESA_A, DESA_A2, DESA_B, KEC_K, expect_text, make_official, submit


def buttons(message: object) -> list[str]:
    return [label for row in message.buttons for label in row]  # type: ignore[attr-defined]


async def test_queue_lists_own_area_newest_first_with_filters_and_pages(local_bot: LocalBot, clock: FixedClock) -> None:
    official = await make_official(local_bot, 500001, [KEC_K])
    names = ["Ani Lestari", "Budi Santoso", "Citra Dewi", "Dedi Kurnia", "Eka Putri", "Fajar Hadi", "Gita Sari"]
    for i, name in enumerate(names):
        await submit(local_bot, 200001 + i, DESA_A if i % 2 else DESA_A2, name=name)
        clock.advance(dt.timedelta(hours=1))
    await submit(local_bot, 200100, DESA_B, name="Orang Lain")
    await official.send("/tindaklanjut")
    first = await expect_text(official, "Follow-up")
    assert "Open: 7" in (first.text or "")
    labels = buttons(first)
    assert labels[0].startswith("🆕 Gita Sari") and labels[5].startswith("🆕 Budi Santoso")  # newest first, 6 a page
    assert not any("Orang Lain" in b for b in labels)
    assert "1/2" in labels
    await official.press("▶")
    second = await official.expect_edit()
    assert any(b.startswith("🆕 Ani Lestari") for b in buttons(second))
    await official.press("Registered")
    empty = await official.expect_edit()
    assert "Registered: 0" in (empty.text or "") and "Nothing here" in (empty.text or "")


async def test_card_masks_nik_until_tapped_and_reveal_is_audited(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    request = await submit(local_bot, 200001, DESA_A, name="Siti Aminah", nik="6408014505900001",
                           phone="+6281234567890", note="Bisa ditelepon sore")
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    card = await official.expect_edit()
    text = card.text or ""
    assert request.ref in text and "Siti Aminah, 36 years" in text and "Senyiur, Muara Ancalong" in text
    assert "6408********0001" in text and "6408014505900001" not in text
    assert "+6281234567890" in text and "Bisa ditelepon sore" in text and "Ojek" in text
    assert any(e.get("url") == "https://wa.me/6281234567890" for e in card.entities)
    assert local_bot.services is not None
    assert await local_bot.services.audit.count("nik_view") == 0
    await official.press("👁 Show full NIK")
    revealed = await official.expect_edit()
    assert "6408014505900001" in (revealed.text or "")
    entries = await local_bot.services.audit.recent()
    assert entries[0].action == "nik_view" and entries[0].actor_id == 500001 and entries[0].target == request.ref
    assert "6408014505900001" not in repr(entries)


async def test_registered_reaches_the_worker_in_their_language(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    request = await submit(local_bot, 200001, DESA_A, language="en")
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    await official.expect_edit()
    await official.press("📞 Contacted")
    contacted = await official.expect_edit()
    assert "Contacted" in (contacted.text or "")
    await official.press("✅ Registered")
    confirm = await official.expect_edit()
    assert "will get a message" in (confirm.text or "")
    await official.press("✅ Yes, registered")
    await official.expect_edit()
    message = await worker.expect_reply()
    assert "Good news" in (message.text or "") and request.ref in (message.text or "")
    assert local_bot.services is not None
    stored = await local_bot.services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "registered" and stored.first_action_at is not None
    assert await local_bot.services.audit.count("status_change") == 2


async def test_not_eligible_with_preset_reason_tells_worker_reason_and_bpu_price(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A], language_code="id")
    worker = local_bot.user(200001, language_code="id")
    request = await submit(local_bot, 200001, DESA_A, language="id", occupation="farmer")
    await official.send("/tindaklanjut")
    await expect_text(official, "Tindak lanjut")
    await official.press_index(1)
    await official.expect_edit()
    await official.press("⛔ Tidak memenuhi syarat")
    await official.expect_edit()
    await official.press("Sudah jadi peserta BPJS Ketenagakerjaan")
    card = await official.expect_edit()
    assert "Tidak memenuhi syarat" in (card.text or "")
    message = await worker.expect_reply()
    text = message.text or ""
    assert request.ref in text and "Alasan: Sudah jadi peserta BPJS Ketenagakerjaan" in text
    # 22 Nov 2026, sector "other": PP 50/2025 halves JKK + JKM (Rp16.800 → Rp8.400).
    assert "Rp8.400" in text


async def test_typed_reason_survives_restart_and_bad_input_keeps_state(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    request = await submit(local_bot, 200001, DESA_A, language="en")
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    await official.expect_edit()
    await official.press("⛔ Not eligible")
    await official.expect_edit()
    await official.press("✍️ Other reason (type it)")
    assert "Type the reason" in ((await official.expect_reply()).text or "")
    await local_bot.restart()
    await official.send("x" * 250)
    assert "under 200 characters" in ((await official.expect_reply()).text or "")
    await official.send("Sudah terdaftar lewat perusahaan sawit")
    assert "Saved" in ((await official.expect_reply()).text or "")
    card = await official.expect_reply()
    assert "Sudah terdaftar lewat perusahaan sawit" in (card.text or "")
    told = await worker.expect_reply()
    assert "Reason: Sudah terdaftar lewat perusahaan sawit" in (told.text or "") and request.ref in (told.text or "")


async def test_note_is_kept_encrypted_and_batal_leaves(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    await submit(local_bot, 200001, DESA_A)
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    await official.expect_edit()
    await official.press("📝 Add a note")
    await official.expect_reply()
    await official.send("/batal")
    await official.expect_reply()
    await official.send("Ditelepon, minta datang Senin")  # not a note any more: nothing saved
    await official.expect_reply()
    assert local_bot.services is not None and local_bot.db is not None
    assert await local_bot.services.audit.count("note") == 0
    await official.press("📝 Add a note")
    await official.expect_reply()
    await official.send("Ditelepon, minta datang Senin")
    await official.expect_reply()
    card = await official.expect_reply()
    assert "Ditelepon, minta datang Senin" in (card.text or "")
    from storage.officials import followup_notes

    async with local_bot.db.read() as conn:
        stored = (await conn.execute(followup_notes.select())).all()
    assert len(stored) == 1 and "Senin" not in stored[0].text_enc


async def test_new_request_notifies_officials_of_that_desa_and_groups_bursts(local_bot: LocalBot,
                                                                              clock: FixedClock) -> None:
    desa_official = await make_official(local_bot, 500001, [DESA_A])
    kec_official = await make_official(local_bot, 500002, [KEC_K])
    other_official = await make_official(local_bot, 500003, [DESA_A2])
    assert local_bot.services is not None and local_bot.app is not None
    first = await submit(local_bot, 200001, DESA_A, name="Siti Aminah")
    notice = await desa_official.expect_reply()
    assert first.ref in (notice.text or "") and "Siti Aminah" in (notice.text or "")
    # issue 12: the desa's own officials follow it up; its kecamatan's only when it has none
    # (tests/flows/test_request_routing.py); the kecamatan official still sees it in /tindaklanjut
    for i in range(1, 8):  # 8 requests within 10 minutes
        clock.advance(dt.timedelta(minutes=1))
        await submit(local_bot, 200001 + i, DESA_A, name=f"Pekerja Nomor {chr(65 + i)}")
    singles = await desa_official.expect_replies(4)
    assert all("New request" in (m.text or "") for m in singles)
    received = local_bot.double.messages_to(desa_official.chat_id)
    assert len([m for m in received if "🆕 New request" in (m.text or "")]) == 5
    for bystander in (kec_official, other_official):
        assert not any("🆕 New request" in (m.text or "") for m in local_bot.double.messages_to(bystander.chat_id))
    assert await send_notice_digests(local_bot.services, local_bot.app.bot) == 0  # window still open
    clock.advance(dt.timedelta(minutes=10))
    assert await send_notice_digests(local_bot.services, local_bot.app.bot) == 1  # the desa official only
    digest = await desa_official.expect_reply()
    assert "3 more new requests" in (digest.text or "") and "Pekerja Nomor H" in (digest.text or "")
    assert await send_notice_digests(local_bot.services, local_bot.app.bot) == 0  # sent once


async def test_daily_digest_lists_requests_untouched_for_three_days(local_bot: LocalBot, clock: FixedClock) -> None:
    official = await make_official(local_bot, 500001, [DESA_A])
    old = await submit(local_bot, 200001, DESA_A, name="Lama Sekali")
    touched = await submit(local_bot, 200002, DESA_A, name="Sudah Ditelepon")
    await official.expect_replies(2)
    assert local_bot.services is not None and local_bot.app is not None
    await local_bot.services.interest.repository.set_status(touched.id, "contacted", None, clock.now())
    clock.advance(dt.timedelta(days=2))
    fresh = await submit(local_bot, 200003, DESA_A, name="Baru Saja")
    await official.expect_reply()
    clock.set(dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC))  # 08:00 WITA, 3 days 23 h after the first
    assert await run_daily_digest(local_bot.services, local_bot.app.bot) == 1
    digest = await official.expect_reply()
    text = digest.text or ""
    assert "1 request has waited 3 days" in text and old.ref in text
    assert touched.ref not in text and fresh.ref not in text
    await official.press("Open the queue")
    assert "New" in ((await official.expect_edit()).text or "")


async def test_daily_digest_job_is_scheduled_at_eight_wita(local_bot: LocalBot) -> None:
    assert local_bot.app is not None and local_bot.app.job_queue is not None
    jobs = local_bot.app.job_queue.get_jobs_by_name("followup-daily-digest")
    assert len(jobs) == 1
    next_run = jobs[0].next_t
    assert next_run is not None
    local = next_run.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert (local.hour, local.minute) == (8, 0)


async def test_worker_erasure_removes_notes(local_bot: LocalBot) -> None:
    await make_official(local_bot, 500001, [DESA_A])
    request = await submit(local_bot, 200001, DESA_A)
    assert local_bot.services is not None
    followup = local_bot.services.followup

    who = await local_bot.services.roles.actor(500001)
    await followup.add_note(who, request.id, "catatan")
    assert len(await followup.notes(request.id)) == 1
    await local_bot.services.erase_user(200001)
    assert await followup.notes(request.id) == []


class DatabaseUse:
    """Counts, during a block, the connections a `Database` opens (`transaction()` / `read()`), those opened by
    the per-update pre-processing in group -1 apart, and how often each encrypted column is decrypted."""

    def __init__(self, bot: LocalBot) -> None:
        assert bot.db is not None and bot.services is not None
        self.db, self.vault = bot.db, bot.services.vault
        self.opened: list[tuple[str, bool]] = []  # (kind, from the group -1 pre-processing)
        self.decrypted: Counter[str] = Counter()

    def _counting(self, kind: str, original: Callable[[], Any]) -> Callable[[], Any]:
        def opened() -> Any:
            frames = (f.f_globals.get("__name__") for f in _frames())
            self.opened.append((kind, "handlers.preprocess" in frames))
            return original()

        return opened

    def _checked_out(self, *_args: object) -> None:
        self.checkouts += 1

    def __enter__(self) -> DatabaseUse:
        decrypt = self.vault.decrypt
        self.checkouts = 0  # real connections taken from the pool during the block, group -1 included
        sa_event.listen(self.db.engine.sync_engine, "checkout", self._checked_out)

        def counting_decrypt(token: str, *, context: str = "") -> str:
            self.decrypted[context] += 1
            return decrypt(token, context=context)

        self._patches = ExitStack()
        self._patches.enter_context(patch.object(self.db, "transaction", self._counting("transaction",
                                                                                        self.db.transaction)))
        self._patches.enter_context(patch.object(self.db, "read", self._counting("read", self.db.read)))
        self._patches.enter_context(patch.object(self.vault, "decrypt", counting_decrypt))
        return self

    def __exit__(self, *exc: object) -> None:
        self._patches.close()
        sa_event.remove(self.db.engine.sync_engine, "checkout", self._checked_out)

    @property
    def transactions(self) -> int:
        return sum(kind == "transaction" for kind, _pre in self.opened)

    @property
    def by_the_handler(self) -> int:
        return sum(not pre for _kind, pre in self.opened)


def _frames() -> Iterator[FrameType]:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back


async def test_confirming_registered_opens_at_most_two_connections_and_decrypts_once(local_bot: LocalBot) -> None:
    """Issue 10: the "✅ Yes, registered" press opened 7 connections (2 of them transactions: the status, then
    its audit entry) and decrypted the request 3 times. Now: the request with its notes in one read, the status
    and its audit entry in one transaction (group -1 adds its own reads: the user and the actor)."""
    official = await make_official(local_bot, 500001, [DESA_A])
    worker = local_bot.user(200001, language_code="en")
    await submit(local_bot, 200001, DESA_A, language="en", note="Bisa ditelepon sore")
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    await official.expect_edit()
    with DatabaseUse(local_bot) as first:
        await local_bot.settle(await official.press("✅ Registered"))
    await official.expect_edit()
    with DatabaseUse(local_bot) as confirm:
        await local_bot.settle(await official.press("✅ Yes, registered"))
    await official.expect_edit()
    assert "Good news" in ((await worker.expect_reply()).text or "")
    assert first.by_the_handler <= 1 and first.transactions == 0
    assert confirm.by_the_handler <= 2 and confirm.transactions <= 1
    assert confirm.checkouts <= 3, confirm.checkouts  # the whole press: group -1 shares one read connection
    assert confirm.decrypted and max(confirm.decrypted.values()) == 1, confirm.decrypted
    assert local_bot.services is not None
    entry = (await local_bot.services.audit.recent())[0]
    assert entry.action == "status_change" and entry.detail == "new→registered"


async def test_status_change_and_its_audit_entry_commit_together_and_only_once(local_bot: LocalBot) -> None:
    """One transaction: an audit entry that cannot be written takes the status change back with it; and a
    decision made on a stale view (another official decided meanwhile) writes nothing and tells nobody."""
    from storage.audit import NewAuditEntry

    await make_official(local_bot, 500001, [DESA_A])
    request = await submit(local_bot, 200001, DESA_A)
    assert local_bot.services is not None
    repository, now = local_bot.services.interest.repository, local_bot.services.clock.now()
    seen = await repository.get(request.id)
    assert seen is not None
    with pytest.raises(ValueError):
        await repository.change_status(seen, "contacted", None, now, NewAuditEntry(500001, "no_such_action"))
    stored = await repository.get(request.id)
    assert stored is not None and stored.status == "new" and stored.first_action_at is None
    entry = NewAuditEntry(500001, "status_change", DESA_A, request.ref, "new→contacted")
    assert (await repository.change_status(seen, "contacted", None, now, entry))[1] is True
    after, changed = await repository.change_status(seen, "unreachable", None, now, entry)  # `seen` is stale
    assert not changed and after.status == "contacted"
    assert await local_bot.services.audit.count("status_change") == 1


async def test_contacted_is_not_offered_again_once_used(local_bot: LocalBot) -> None:
    """Issue 13: "📞 Sudah dihubungi" stayed on the card after it was pressed; the card offers the next steps."""
    official = await make_official(local_bot, 500001, [DESA_A], language_code="id")
    await submit(local_bot, 200001, DESA_A)
    await official.send("/tindaklanjut")
    await expect_text(official, "Tindak lanjut")
    await official.press_index(1)
    card = await official.expect_edit()
    assert "📞 Sudah dihubungi" in buttons(card)
    await official.press("📞 Sudah dihubungi")
    contacted = await official.expect_edit()
    labels = buttons(contacted)
    assert "📞 Sudah dihubungi" not in labels
    assert {"✅ Sudah didaftarkan", "⛔ Tidak memenuhi syarat", "📵 Tidak bisa dihubungi"} <= set(labels)
    await official.press("📵 Tidak bisa dihubungi")
    unreachable = buttons(await official.expect_edit())
    assert "📵 Tidak bisa dihubungi" not in unreachable and "📞 Sudah dihubungi" in unreachable
