"""Questions for an official ("Tanya petugas"): stored encrypted (question and answer), listed for officials,
answered, reopened by the worker ("still confused"), erased with the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from storage.db import Database
from storage.schema import metadata, utc
from storage.sealing import Sealer

faq_questions = sa.Table(
    "faq_questions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("text_enc", sa.Text, nullable=False),  # the question may hold personal data: encrypted at rest
    sa.Column("region_code", sa.String(16)),  # the user's region when asked (desa > kecamatan > kabupaten)
    sa.Column("suggested", sa.String(200)),  # FAQ entry ids offered to the user, comma-separated
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True)),
    # migration 0010g: the official's answer (encrypted), who answered, the worker's feedback, a reopening
    sa.Column("answer_enc", sa.Text),
    sa.Column("answered_by", sa.BigInteger),
    sa.Column("feedback", sa.String(16)),  # "thanks" / "confused" (the worker's reply to the answer)
    sa.Column("reopened_at", sa.DateTime(timezone=True)),  # "still confused": open again since then
    sa.Index("ix_faq_questions_status_region", "status", "region_code"),
)

TEXT_CONTEXT = "faq_questions.text"
ANSWER_CONTEXT = "faq_questions.answer"
MAX_TEXT = 1000
MAX_ANSWER = 2000
STATUSES = ("open", "answered")


@dataclass(frozen=True)
class OfficialQuestion:
    id: int
    user_id: int
    language: str
    text: str
    region_code: str | None
    suggested: tuple[str, ...]
    status: str
    created_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str | None = None
    answered_by: int | None = None
    feedback: str | None = None
    reopened_at: dt.datetime | None = None

    @property
    def waiting_since(self) -> dt.datetime:
        """When the question (last) started waiting for an answer."""
        return self.reopened_at or self.created_at


class QuestionRepository:
    def __init__(self, db: Database, vault: Sealer) -> None:
        self.db = db
        self.vault = vault

    async def add(self, user_id: int, language: str, text: str, now: dt.datetime,
                  region_code: str | None = None, suggested: Sequence[str] = ()) -> int:
        values = {
            "user_id": user_id, "language": language, "region_code": region_code,
            "text_enc": self.vault.encrypt(text[:MAX_TEXT], context=TEXT_CONTEXT),
            "suggested": ",".join(suggested)[:200] or None, "status": "open", "created_at": now,
        }
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.insert(faq_questions).values(values).returning(faq_questions.c.id))
            return int(result.scalar_one())

    async def list_open_questions(self, area: str | None = None, limit: int = 100) -> list[OfficialQuestion]:
        """Open questions, oldest first; `area` (a kabupaten, kecamatan or desa code) keeps those asked from
        inside it. Questions from users with no known region only appear without `area`."""
        return await self.list_questions([area] if area is not None else None, ("open",), limit=limit)

    @staticmethod
    def _where(stmt: sa.Select[Any], areas: Sequence[str] | None, statuses: Sequence[str] | None,
               ) -> sa.Select[Any]:
        if statuses is not None:
            stmt = stmt.where(faq_questions.c.status.in_(list(statuses)))
        if areas is not None:
            inside = [(faq_questions.c.region_code == area)
                      | faq_questions.c.region_code.startswith(area + ".", autoescape=True) for area in areas]
            stmt = stmt.where(sa.or_(*inside) if inside else sa.false())
        return stmt

    async def list_questions(self, areas: Sequence[str] | None, statuses: Sequence[str] | None, *,
                             limit: int = 100, offset: int = 0, newest_first: bool = False,
                             waiting_before: dt.datetime | None = None) -> list[OfficialQuestion]:
        """Questions asked from inside any of `areas` (None: everywhere, region-less ones included), with one
        of `statuses` (None: any); oldest first unless `newest_first`; `waiting_before`: waiting since then."""
        stmt = self._where(sa.select(faq_questions), areas, statuses)
        if waiting_before is not None:
            waiting = sa.func.coalesce(faq_questions.c.reopened_at, faq_questions.c.created_at)
            stmt = stmt.where(waiting <= waiting_before)
        order = (faq_questions.c.created_at.desc(), faq_questions.c.id.desc()) if newest_first \
            else (faq_questions.c.created_at, faq_questions.c.id)
        stmt = stmt.order_by(*order).limit(limit).offset(offset)
        async with self.db.read() as conn:
            rows = (await conn.execute(stmt)).all()
        return [self._record(row) for row in rows]

    async def count_questions(self, areas: Sequence[str] | None, statuses: Sequence[str] | None) -> int:
        stmt = self._where(sa.select(sa.func.count()).select_from(faq_questions), areas, statuses)
        async with self.db.read() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def get(self, question_id: int) -> OfficialQuestion | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(faq_questions).where(faq_questions.c.id == question_id))).first()
        return self._record(row) if row is not None else None

    async def for_user(self, user_id: int) -> list[OfficialQuestion]:
        async with self.db.read() as conn:
            rows = (await conn.execute(
                sa.select(faq_questions).where(faq_questions.c.user_id == user_id)
                .order_by(faq_questions.c.created_at, faq_questions.c.id)
            )).all()
        return [self._record(row) for row in rows]

    async def mark_answered(self, question_id: int, now: dt.datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.update(faq_questions).where(faq_questions.c.id == question_id)
                               .values(status="answered", answered_at=now))

    async def answer(self, question_id: int, answer: str, by: int, now: dt.datetime) -> bool:
        """Store the official's answer (encrypted; a new answer replaces an older one): False when the question
        is gone (erased meanwhile)."""
        values = {"status": "answered", "answered_at": now, "answered_by": by, "feedback": None,
                  "answer_enc": self.vault.encrypt(answer[:MAX_ANSWER], context=ANSWER_CONTEXT)}
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.update(faq_questions).where(faq_questions.c.id == question_id)
                                        .values(values))
            return bool(result.rowcount)

    async def set_feedback(self, question_id: int, user_id: int, feedback: str, now: dt.datetime) -> bool:
        """The worker's reply to an answer ("thanks", or "confused": the question is open again). Only on the
        worker's own answered question; False otherwise (already given, forged, or erased)."""
        values: dict[str, object] = {"feedback": feedback}
        if feedback == "confused":
            values.update(status="open", reopened_at=now)
        async with self.db.transaction() as conn:
            result = await conn.execute(
                sa.update(faq_questions)
                .where(faq_questions.c.id == question_id, faq_questions.c.user_id == user_id,
                       faq_questions.c.status == "answered", faq_questions.c.feedback.is_(None))
                .values(values))
            return bool(result.rowcount)

    async def erase_user(self, user_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(sa.delete(faq_questions).where(faq_questions.c.user_id == user_id))

    def _record(self, row: sa.Row) -> OfficialQuestion:
        m = row._mapping
        return OfficialQuestion(
            id=m["id"], user_id=m["user_id"], language=m["language"],
            text=self.vault.decrypt(m["text_enc"], context=TEXT_CONTEXT), region_code=m["region_code"],
            suggested=tuple(s for s in (m["suggested"] or "").split(",") if s), status=m["status"],
            created_at=utc(m["created_at"]) or m["created_at"], answered_at=utc(m["answered_at"]),
            answer=self.vault.decrypt(m["answer_enc"], context=ANSWER_CONTEXT) if m["answer_enc"] else None,
            answered_by=m["answered_by"], feedback=m["feedback"], reopened_at=utc(m["reopened_at"]),
        )
