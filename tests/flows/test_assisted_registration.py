"""Assisted registration (issue 12, item 5): an official registers a worker who has no Telegram, at the balai desa,
with the paper consent form; the request is listed with the marker, decisions never try to message a worker who
does not exist, the official can erase it on the worker's request, and officials stay inside their area."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.clock import FixedClock
from bot.domain.consent import CONSENT_VERSION
from bot.domain.interest import Draft, InterestService, notify_target
from bot.domain.privacy import Vault
from bot.domain.roles import Actor
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.assisted_views import AstArea
from storage.audit import AuditRepository
from storage.db import Database
from storage.interest import InterestRepository, interest_requests
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, DESA_B, KEC_K, expect_text, make_official, submit, texts

NIK = "6408014505900001"
FORM = "045/BD/2026"


def buttons(message: object) -> list[str]:
    return [label for row in message.buttons for label in row]  # type: ignore[attr-defined]


async def register_worker(official: TelegramUser, *, nik: str = NIK, desa_typed: str | None = "Senyiur") -> str:
    """Through the bot: /daftarkan → desa → name → NIK → phone → work → form number → ✅. Returns the last text."""
    await official.send("/daftarkan")
    await expect_text(official, "Register a worker without Telegram")
    if desa_typed:
        await official.send(desa_typed)
    await expect_text(official, "full name")
    await official.send("Siti Aminah")
    await expect_text(official, "NIK")
    await official.send(nik)
    reply = await official.expect_reply()
    if "phone number" not in (reply.text or ""):
        return reply.text or ""
    await official.send("0812 3456 7890")
    await expect_text(official, "main work")
    await official.press("Ojek / ojol driver")
    await expect_text(official, "Paper consent")
    await official.send(FORM)
    summary = await expect_text(official, "Please check with the worker")
    assert "Siti Aminah" in (summary.text or "") and "6408********0001" in (summary.text or "")
    await official.press(f"✅ The worker signed form #{FORM}: register")
    return (await expect_text(official, "Registered")).text or ""


async def test_official_registers_a_worker_without_telegram_end_to_end(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [KEC_K])
    done = await register_worker(official)
    assert local_bot.services is not None
    services = local_bot.services
    request = (await services.followup.queue(Actor(500001, "official", (KEC_K,)), "open", 0)).items[0]
    assert request.ref in done and "Senyiur" in done
    # stored like a worker's request, but owned by nobody on Telegram, with the paper consent
    record = await services.interest.repository.get(request.id)
    assert record is not None and record.user_id is None and record.assisted_by == 500001
    assert record.consent_form == FORM and record.consent_at is not None and NIK not in repr(record)
    assert record.desa_code == DESA_A and record.occupation == "ojek"
    assert notify_target(request) is not None and notify_target(request) == notify_target(record)
    assert notify_target(record).user_id == 500001 and not notify_target(record).is_worker  # type: ignore[union-attr]
    entry = next(e for e in await services.audit.recent() if e.action == "assisted_registration")
    assert entry.actor_id == 500001 and entry.target == request.ref and entry.area_code == DESA_A
    assert f"paper consent witnessed by 500001, form #{FORM}" in (entry.detail or "") and NIK not in repr(entry)
    # the typed NIK did not stay in the chat
    assert any(chat == official.chat_id for chat, _id in local_bot.double.deleted_user_messages)
    # listed in the follow-up queue; the card carries the paper-consent marker and the erase button
    await official.send("/tindaklanjut")
    queue = await expect_text(official, "Follow-up")
    assert any("Siti Aminah" in b for b in buttons(queue))
    await official.press(next(b for b in buttons(queue) if "Siti Aminah" in b))
    card = await official.expect_edit()
    assert f"📋 Registered by official 500001, paper consent form #{FORM}" in (card.text or "")
    assert "🗑 Erase data (the worker asked)" in buttons(card)
    # decisions: nobody to message but the official; nothing fails
    sent_before = len(local_bot.double.calls_to("sendMessage"))
    await official.press("📞 Contacted")
    assert "Contacted" in ((await official.expect_edit()).text or "")
    await official.press("✅ Registered")
    confirm = await official.expect_edit()
    assert "has no Telegram" in (confirm.text or "")
    await official.press("✅ Yes, registered")
    decided = await official.expect_edit()
    assert "Registered" in (decided.text or "")
    assert (await services.interest.repository.get(request.id)).status == "registered"  # type: ignore[union-attr]
    assert len(local_bot.double.calls_to("sendMessage")) == sent_before  # no message to a worker who does not exist
    assert not any("went wrong" in text for text in texts(official))


async def test_official_erases_an_assisted_request_on_the_workers_request(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500001, [KEC_K])
    await register_worker(official)
    assert local_bot.services is not None
    services = local_bot.services
    request = (await services.followup.queue(Actor(500001, "official", (KEC_K,)), "open", 0)).items[0]
    await services.followup.add_note(Actor(500001, "official", (KEC_K,)), request.id, "Datang ke balai desa")
    await official.send("/tindaklanjut")
    queue = await expect_text(official, "Follow-up")
    await official.press(next(b for b in buttons(queue) if "Siti Aminah" in b))
    await official.expect_edit()
    await official.press("🗑 Erase data (the worker asked)")
    ask = await official.expect_edit()
    assert "cannot be undone" in (ask.text or "")
    await official.press("🗑 Yes, erase")
    erased = await official.expect_edit()
    assert f"{request.ref} and the notes about it are erased" in (erased.text or "")
    assert await services.interest.repository.get(request.id) is None
    assert await services.followup.notes(request.id) == []
    entry = next(e for e in await services.audit.recent() if e.action == "assisted_erase")
    assert entry.actor_id == 500001 and entry.target == request.ref
    # a worker's own request has no such button, and the erase cannot be forged onto it
    own = await submit(local_bot, 200001, DESA_A, nik="6408011203850002")
    assert await services.interest.erase_assisted(Actor(500001, "official", (KEC_K,)), own.id) is None
    assert await services.interest.repository.get(own.id) is not None


async def test_official_of_desa_a_cannot_register_in_desa_b(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500002, [DESA_A])
    await official.send("/daftarkan")
    first = await expect_text(official, "Register a worker without Telegram")
    assert "Senyiur" in (first.text or "")  # one desa: no picker, that desa
    await official.press_data(first.message_id, AstArea(DESA_B).pack())  # a forged desa of another kecamatan
    again = await official.expect_reply()
    assert "full name" in (again.text or "") and "Senyiur" in (again.text or "")  # ignored: still desa A
    kecamatan = await make_official(local_bot, 500001, [KEC_K])
    await kecamatan.send("/daftarkan")
    picker = await expect_text(kecamatan, "Which desa/kelurahan in Muara Ancalong")
    await kecamatan.press_data(picker.message_id, AstArea(DESA_B).pack())
    refused = await expect_text(kecamatan, "own area only")
    assert "Which desa/kelurahan in Muara Ancalong" in (refused.text or "")  # asked again, in its own kecamatan
    assert local_bot.services is not None
    interest = local_bot.services.interest
    actor = Actor(500002, "official", (DESA_A,))
    draft = Draft(name="Siti Aminah", nik=NIK, phone="+6281234567890", desa_code=DESA_B, occupation="ojek")
    outside = await interest.submit_assisted(actor, draft, "12", "id")
    assert outside.outcome == "outside" and outside.request is None
    assert await interest.repository.open_with_nik(interest.vault.hash_nik(NIK)) is None
    assert interest.assisted_children(actor, "64.08.02") is None and not interest.may_register_in(actor, DESA_B)
    # a worker (no role) is refused
    worker = local_bot.user(200009)
    await worker.send("/daftarkan")
    assert "Register a worker" not in ((await worker.expect_reply()).text or "")


async def test_same_nik_as_an_open_request_is_refused_naming_it_in_the_own_area(local_bot: LocalBot) -> None:
    existing = await submit(local_bot, 200001, DESA_A, nik=NIK)
    official = await make_official(local_bot, 500001, [KEC_K])
    text = await register_worker(official)
    assert "already has an open request" in text and existing.ref in text
    other = await make_official(local_bot, 500003, ["64.08.02"])
    text = await register_worker(other, desa_typed="Jak Luay")
    assert "another area" in text and existing.ref not in text  # not revealed outside its area


async def test_admin_registers_anywhere_through_the_picker(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/daftarkan")
    await expect_text(admin, "Where does the worker live?")
    await admin.press("Kutai Timur")
    await expect_text(admin, "Which kecamatan in Kutai Timur?")
    await admin.press("Muara Wahau")
    await expect_text(admin, "Which desa/kelurahan in Muara Wahau?")
    await admin.press("Jak Luay")
    await expect_text(admin, "full name")
    await admin.send("/batal")
    await expect_text(admin, "stopped")
    assert local_bot.services is not None
    admin_actor = Actor(ADMIN_ID, "admin")
    draft = Draft(name="Siti Aminah", nik=NIK, phone="+6281234567890", desa_code=DESA_B, occupation="ojek")
    done = await local_bot.services.interest.submit_assisted(admin_actor, draft, "#7", "id")
    assert done.outcome == "created" and done.request is not None and done.request.consent_form == "7"
    again = await local_bot.services.interest.submit_assisted(admin_actor, draft, "8", "id")
    assert again.outcome == "duplicate" and again.request is not None and again.request.ref == done.request.ref


async def test_assisted_request_in_storage_on_both_backends(db: Database, vault: Vault) -> None:
    """The repository side on SQLite and PostgreSQL: user_id NULL, paper consent columns, audit in the same
    transaction, duplicate NIK refused, the worker's /hapusdata path untouched, erase with its notes."""
    now = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    service = InterestService(InterestRepository(db), vault, clock=FixedClock(now))
    official = Actor(500001, "official", (KEC_K,))
    draft = Draft(name="Siti Aminah", nik=NIK, phone="+6281234567890", desa_code=DESA_A, occupation="farmer")
    done = await service.submit_assisted(official, draft, "12", "id")
    assert done.outcome == "created" and done.request is not None
    request = done.request
    assert request.user_id is None and request.assisted_by == 500001 and request.consent_form == "12"
    assert request.consent_at == now and request.name == "Siti Aminah" and request.is_assisted
    assert (await service.submit_assisted(official, draft, "13", "id")).outcome == "duplicate"
    assert await service.repository.erase_user(0) == 0 and await service.repository.get(request.id) is not None
    entries = await AuditRepository(db).recent(10)
    assert [e.action for e in entries] == ["assisted_registration"] and entries[0].target == request.ref
    assert entries[0].detail == "paper consent witnessed by 500001, form #12, version " + CONSENT_VERSION
    async with db.read() as conn:
        stored = " ".join(str(v) for v in (await conn.execute(sa.select(interest_requests))).one()._mapping.values())
    assert NIK not in stored and "Siti" not in stored
    erased = await service.erase_assisted(official, request.id)
    assert erased is not None and erased.ref == request.ref
    assert await service.repository.get(request.id) is None
    assert await service.erase_assisted(official, request.id) is None  # once
    assert (await AuditRepository(db).recent(10))[0].action == "assisted_erase"
