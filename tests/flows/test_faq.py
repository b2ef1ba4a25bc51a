"""Tanya Jawab and Manfaat & Iuran through the real Application and the Bot API double; the questions
repository on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.privacy import Vault
from bot.testing.runtime import LocalBot
from storage.db import Database
from storage.questions import QuestionRepository, faq_questions
from tests.support.flows import MENU_ID, onboard


def labels(rows: list[list[str]]) -> list[str]:
    return [label for row in rows for label in row]


async def test_benefits_pages_show_todays_figures(local_bot: LocalBot) -> None:
    user = local_bot.user(320001)
    await onboard(local_bot, user)
    await user.press("💰 Manfaat & Iuran")
    menu = await user.expect_reply()
    assert labels(menu.buttons) == [
        "JKK: kecelakaan kerja", "JKM: santunan kematian", "Beasiswa anak", "JHT (tidak wajib)",
        "Siapa yang bayar iuran?", "Kalau berhenti bayar?", "Cek status resmi", "Cara klaim",
        "🧮 Hitung iuran", "🏠 Menu utama"]
    expected = {
        "JKK: kecelakaan kerja": ["tanpa batas biaya", "PLKK", "Rp5.000.000", "Rp10.000.000", "100%", "50%"],
        "JKM: santunan kematian": ["Rp42.000.000", "Rp20.000.000", "Rp12.000.000", "Rp10.000.000"],
        "Beasiswa anak": ["Rp174.000.000", "Rp1.500.000", "Rp2.000.000", "Rp3.000.000", "Rp12.000.000", "3 tahun"],
        "JHT (tidak wajib)": ["tidak wajib", "2%", "Rp28.400", "tidak membayar JHT"],  # today's, with the discount
        "Siapa yang bayar iuran?": ["Inpres 2/2021", "APBD", "CSR", "Dana desa", "JKK + JKM"],
        "Kalau berhenti bayar?": ["Tidak ada denda", "3 bulan", "nonaktif"],
        "Cek status resmi": ["JMO", "175", "Kantor Cabang", "Jangan pakai Mobile JKN"],
        "Cara klaim": ["PLKK", "2 × 24 jam", "akta kematian", "Rp50.000.000"],
    }
    for button, parts in expected.items():
        await user.press(button)
        page = await user.expect_reply()
        for part in parts:
            assert part in (page.text or ""), (button, part)
        assert labels(page.buttons) == ["⬅️ Manfaat & Iuran", "🧮 Hitung iuran", "🏠 Menu utama"]
        await user.press("⬅️ Manfaat & Iuran")
        await user.expect_reply()


async def test_fee_answer_follows_the_date(local_bot: LocalBot) -> None:
    user = local_bot.user(320002)
    await onboard(local_bot, user)
    await user.send("brp iuran sebulan?")
    answer = await user.expect_reply()
    today = answer.text or ""
    assert "22 November 2026" in today and "Rp16.800" in today  # the full rate, said to be the full rate
    assert "bayar sendiri: Rp8.400 (JKK + JKM); dengan JHT (tidak wajib): Rp28.400" in today  # today's lowest
    assert labels(answer.buttons)[0] == "🧮 Hitung iuran"  # straight to the calculator
    assert "pekerjaan lain Rp8.400" not in today  # one price, once
    local_bot.clock.set(dt.datetime(2027, 2, 1, 1, 0, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    await user.send("brp iuran sebulan?")
    later = (await user.expect_reply()).text or ""
    assert "1 Februari 2027" in later and "ojek/kurir/sopir Rp8.400, pekerjaan lain Rp16.800" in later


async def test_death_question_in_slang_gets_the_figures(local_bot: LocalBot) -> None:
    user = local_bot.user(320003)
    await onboard(local_bot, user)
    await user.send("kalo meninggal dpt brp?")
    answer = await user.expect_reply()
    assert "Rp42.000.000" in (answer.text or "") and "Rp20.000.000" in (answer.text or "")
    assert labels(answer.buttons) == ["❓ Pertanyaan lain", "🙋 Tanya petugas", "🏠 Menu utama"]


async def test_unsure_offers_three_topics_and_an_official(local_bot: LocalBot) -> None:
    user = local_bot.user(320004)
    await onboard(local_bot, user)
    question = "siapa presiden indonesia"
    await user.send(question)
    unsure = await user.expect_reply()
    assert "kurang yakin" in (unsure.text or "")
    buttons = labels(unsure.buttons)
    assert len(buttons) == 5 and buttons[-2:] == ["🙋 Tanya petugas", "🏠 Menu utama"]
    await user.press(buttons[0])  # one of the closest topics
    topic = await user.expect_reply()
    assert topic.text and "🙋 Tanya petugas" in labels(topic.buttons)
    await user.press("🙋 Tanya petugas")
    done = await user.expect_reply()
    assert "diteruskan ke petugas" in (done.text or "") and labels(done.buttons) == MENU_ID
    services = local_bot.services
    assert services is not None
    stored = await services.questions.open_questions()
    assert [(q.user_id, q.text, q.language, len(q.suggested)) for q in stored] == [(320004, question, "id", 3)]
    assert stored[0].created_at == local_bot.clock.now()
    async with services.db.read() as conn:  # encrypted at rest
        raw = (await conn.execute(sa.select(faq_questions.c.text_enc))).scalar_one()
    assert question not in raw


async def test_gibberish_gets_the_menu_and_commands_are_not_questions(local_bot: LocalBot) -> None:
    user = local_bot.user(320005)
    await onboard(local_bot, user)
    await user.send("qwrtzp")
    reply = await user.expect_reply()
    assert "belum mengerti" in (reply.text or "") and labels(reply.buttons) == MENU_ID
    await user.send("/tidakada")
    assert "/bantuan" in ((await user.expect_reply()).text or "")


async def test_ask_official_needs_consent_and_is_erased(local_bot: LocalBot) -> None:
    user = local_bot.user(320006)
    await onboard(local_bot, user, agree=False)
    await user.send("kapan lebaran tahun depan ya")
    await user.expect_reply()
    await user.press("🙋 Tanya petugas")
    assert "persetujuan" in ((await user.expect_reply()).text or "")
    await user.expect_reply()  # consent screen
    await user.press("✅ Setuju")
    await user.expect_reply()
    await user.press("▶️ Lanjutkan")
    assert "diteruskan ke petugas" in ((await user.expect_reply()).text or "")
    services = local_bot.services
    assert services is not None and len(await services.questions.for_user(320006)) == 1
    await user.send("/dataku")
    assert "Pertanyaan untuk petugas: 1 (terakhir 22 November 2026)" in ((await user.expect_reply()).text or "")
    await user.send("/hapusdata")
    await user.expect_reply()
    await user.press("🗑 Ya, hapus")
    await user.expect_reply()
    assert await services.questions.for_user(320006) == []


async def test_ask_official_without_a_question(local_bot: LocalBot) -> None:
    user = local_bot.user(320007)
    await onboard(local_bot, user)
    await user.press("❓ Tanya Jawab")
    topics = await user.expect_reply()
    assert "brp iuran sebulan?" in (topics.text or "")
    await user.press_data(topics.message_id, "faq:ask")  # an old or forged button
    assert "Tulis dulu pertanyaan Anda" in ((await user.expect_reply()).text or "")
    services = local_bot.services
    assert services is not None and await services.questions.open_questions() == []


async def test_topics_menu_lists_entries_and_answers(local_bot: LocalBot) -> None:
    user = local_bot.user(320008)
    await onboard(local_bot, user)
    await user.press("❓ Tanya Jawab")
    topics = await user.expect_reply()
    assert labels(topics.buttons) == ["💵 Iuran", "🛡 Manfaat", "📄 Klaim", "🔎 Status & daftar",
                                      "🔐 Data & bot ini", "🏠 Menu utama"]
    await user.press("🔎 Status & daftar")
    entries = await user.expect_reply()
    assert "KPJ dan NIK" in labels(entries.buttons)
    await user.press("KPJ dan NIK")
    answer = await user.expect_reply()
    assert "Kartu Peserta Jamsostek" in (answer.text or "")


async def test_english_user_gets_english_answers(local_bot: LocalBot) -> None:
    user = local_bot.user(320009, language_code="en")
    await onboard(local_bot, user, language="English")
    await user.send("how much if i die")
    answer = (await user.expect_reply()).text or ""
    assert "JKM – death cover" in answer and "Rp42,000,000" in answer
    await user.send("brp iuran sebulan?")  # Indonesian question, English answer
    assert "Monthly fee" in ((await user.expect_reply()).text or "")


async def test_free_text_while_the_calculator_waits_for_a_button_is_a_question(local_bot: LocalBot) -> None:
    user = local_bot.user(320010)
    await onboard(local_bot, user)
    await user.send("/iuran")
    await user.expect_reply()
    await user.send("jht wajib ga")
    assert "JHT – Jaminan Hari Tua" in ((await user.expect_reply()).text or "")
    await user.press("Petani")  # the calculator still goes on
    await user.expect_reply()
    await user.send("2jt")
    assert "Rp13.400" in ((await user.expect_reply()).text or "")


async def test_question_repository(db: Database, vault: Vault) -> None:
    repo = QuestionRepository(db, vault)
    now = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    a = await repo.add(1, "id", "NIK saya 6408011234560001 kok nonaktif?", now, region_code="64.08.01.2001",
                       suggested=["nonaktif", "check_status"])
    b = await repo.add(2, "en", "when is lebaran", now + dt.timedelta(minutes=1), region_code="64.02.03")
    c = await repo.add(3, "id", "tanpa daerah", now + dt.timedelta(minutes=2))
    assert [q.id for q in await repo.list_open_questions()] == [a, b, c]
    assert [q.id for q in await repo.list_open_questions("64.08")] == [a]
    assert [q.id for q in await repo.list_open_questions("64.08.01.2001")] == [a]
    assert [q.id for q in await repo.list_open_questions("64.0")] == []  # a code prefix is not an area
    first = (await repo.list_open_questions("64.08"))[0]
    assert first.text.startswith("NIK saya 6408011234560001") and first.suggested == ("nonaktif", "check_status")
    assert first.created_at == now
    await repo.mark_answered(a, now + dt.timedelta(days=1))
    assert [q.id for q in await repo.list_open_questions()] == [b, c]
    answered = (await repo.for_user(1))[0]
    assert answered.status == "answered" and answered.answered_at == now + dt.timedelta(days=1)
    await repo.erase_user(1)
    assert await repo.for_user(1) == [] and len(await repo.list_open_questions()) == 2
    async with db.read() as conn:
        texts = (await conn.execute(sa.select(faq_questions.c.text_enc))).scalars().all()
    assert all("when is lebaran" not in t and "tanpa daerah" not in t for t in texts)


async def test_an_amount_typed_outside_the_calculator_offers_it(local_bot: LocalBot) -> None:
    user = local_bot.user(320011)
    await onboard(local_bot, user)
    await user.send("1,5 juta")
    hint = await user.expect_reply()
    assert "penghasilan" in (hint.text or "") and labels(hint.buttons) == ["🧮 Hitung iuran", "🏠 Menu utama"]
    await user.press("🧮 Hitung iuran")
    assert "Apa pekerjaan Anda" in ((await user.expect_reply()).text or "")
