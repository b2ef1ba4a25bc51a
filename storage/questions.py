"""Questions for an official ("Tanya petugas"): stored encrypted, listed for officials, erased with the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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
    sa.Index("ix_faq_questions_status_region", "status", "region_code"),
)

TEXT_CONTEXT = "faq_questions.text"
MAX_TEXT = 1000


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
        stmt = sa.select(faq_questions).where(faq_questions.c.status == "open")
        if area is not None:
            stmt = stmt.where((faq_questions.c.region_code == area)
                              | faq_questions.c.region_code.startswith(area + ".", autoescape=True))
        stmt = stmt.order_by(faq_questions.c.created_at, faq_questions.c.id).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(stmt)).all()
        return [self._record(row) for row in rows]

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
        )
