"""The questions inbox and the FAQ learning loop in storage (issue 11), on SQLite and PostgreSQL: answers
encrypted at rest, area filters, feedback only on the worker's own answered question, waiting time, learned
items."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.domain.privacy import Vault
from storage.db import Database
from storage.faq_learned import LearnedRepository
from storage.questions import QuestionRepository, faq_questions

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


async def test_answers_feedback_and_filters(db: Database, vault: Vault) -> None:
    repo = QuestionRepository(db, vault)
    a = await repo.add(1, "id", "kapan iuran dibayar", NOW, region_code="64.08.01.2001")
    b = await repo.add(2, "id", "boleh bayar setahun?", NOW + dt.timedelta(hours=1), region_code="64.08.02.2001")
    c = await repo.add(3, "en", "no region", NOW + dt.timedelta(hours=2))
    assert await repo.count_questions(None, ("open",)) == 3
    assert await repo.count_questions(["64.08.01", "64.08.02.2001"], ("open",)) == 2
    assert await repo.count_questions([], None) == 0
    assert [q.id for q in await repo.list_questions(["64.08"], None, newest_first=True)] == [b, a]
    assert await repo.answer(a, "Tiap bulan, paling lambat tanggal 15.", by=500001, now=NOW + dt.timedelta(days=1))
    assert not await repo.answer(999, "x", by=500001, now=NOW)
    got = await repo.get(a)
    assert got is not None and got.status == "answered" and got.answer == "Tiap bulan, paling lambat tanggal 15."
    assert got.answered_by == 500001 and got.answered_at == NOW + dt.timedelta(days=1) and got.feedback is None
    async with db.read() as conn:
        raw = (await conn.execute(sa.select(faq_questions.c.answer_enc).where(faq_questions.c.id == a))).scalar_one()
    assert "tanggal 15" not in raw
    assert not await repo.set_feedback(a, 2, "thanks", NOW)  # not the asker
    assert not await repo.set_feedback(b, 2, "thanks", NOW)  # not answered
    later = NOW + dt.timedelta(days=2)
    assert await repo.set_feedback(a, 1, "confused", later)
    assert not await repo.set_feedback(a, 1, "thanks", later)  # once
    reopened = await repo.get(a)
    assert reopened is not None and reopened.status == "open" and reopened.reopened_at == later
    assert reopened.waiting_since == later and reopened.answer is not None
    waiting = await repo.list_questions(None, ("open",), waiting_before=NOW + dt.timedelta(hours=1))
    assert [q.id for q in waiting] == [b]  # a waits since it was reopened; c came later
    await repo.erase_user(1)
    assert await repo.get(a) is None and {q.id for q in await repo.list_questions(None, None)} == {b, c}


async def test_learned_items(db: Database) -> None:
    repo = LearnedRepository(db)
    first = await repo.add(kind="phrasing", entry_id="fee_amount", language="id", phrasing="iuran sebulan brp",
                           created_by=900001, now=NOW)
    await repo.add(kind="entry", entry_id="learned_1", language="id", phrasing="bisa bayar di kantor pos?",
                   created_by=900001, now=NOW, category="fees", title="Bayar di kantor pos?",
                   answer="Bisa, di Kantor Pos mana saja.")
    records = await repo.all()
    assert [(r.kind, r.entry_id) for r in records] == [("phrasing", "fee_amount"), ("entry", "learned_1")]
    assert records[1].title == "Bayar di kantor pos?" and records[1].title_en is None and records[0].created_at == NOW
    assert await repo.entry_ids() == {"learned_1"}
    assert await repo.remove(first) and not await repo.remove(first)
    assert len(await repo.all()) == 1
