"""What admins taught the FAQ from answered questions (issue 11, the learning loop): a question added as a new
way of asking an existing entry ("phrasing"), or a new entry with its title and answer ("entry"). Data, not
code: loaded into the matcher at start and after every change, exportable to locales/*/faq.toml.

No link to the worker who asked: the text became content when an admin promoted it (the audit log names the
question by id)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from storage.db import Database
from storage.schema import metadata, utc

faq_learned = sa.Table(
    "faq_learned",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "phrasing" | "entry"
    sa.Column("entry_id", sa.String(64), nullable=False, index=True),  # the entry phrased / created
    sa.Column("language", sa.String(8), nullable=False),  # the language of the worker's question
    sa.Column("phrasing", sa.Text, nullable=False),  # the worker's question, as asked
    sa.Column("category", sa.String(32)),  # entry: its topic
    sa.Column("title", sa.Text),  # entry: the title (Indonesian)
    sa.Column("answer", sa.Text),  # entry: the answer (Indonesian, plain text)
    sa.Column("title_en", sa.Text),  # entry: the English title (optional)
    sa.Column("answer_en", sa.Text),  # entry: the English answer (optional)
    sa.Column("created_by", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class LearnedRecord:
    id: int
    kind: str
    entry_id: str
    language: str
    phrasing: str
    category: str | None
    title: str | None
    answer: str | None
    title_en: str | None
    answer_en: str | None
    created_by: int
    created_at: dt.datetime


class LearnedRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, *, kind: str, entry_id: str, language: str, phrasing: str, created_by: int,
                  now: dt.datetime, category: str | None = None, title: str | None = None,
                  answer: str | None = None, title_en: str | None = None, answer_en: str | None = None) -> int:
        values = {"kind": kind, "entry_id": entry_id, "language": language, "phrasing": phrasing,
                  "category": category, "title": title, "answer": answer, "title_en": title_en,
                  "answer_en": answer_en, "created_by": created_by, "created_at": now}
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.insert(faq_learned).values(values).returning(faq_learned.c.id))
            return int(result.scalar_one())

    async def all(self) -> list[LearnedRecord]:
        """Oldest first."""
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(faq_learned).order_by(faq_learned.c.id))).all()
        return [_record(row) for row in rows]

    async def entry_ids(self, kind: str = "entry") -> set[str]:
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(faq_learned.c.entry_id).where(faq_learned.c.kind == kind)))
            return set(rows.scalars())

    async def remove(self, learned_id: int) -> bool:
        async with self.db.transaction() as conn:
            result = await conn.execute(sa.delete(faq_learned).where(faq_learned.c.id == learned_id))
            return bool(result.rowcount)


def _record(row: sa.Row) -> LearnedRecord:
    m = row._mapping
    return LearnedRecord(
        id=m["id"], kind=m["kind"], entry_id=m["entry_id"], language=m["language"], phrasing=m["phrasing"],
        category=m["category"], title=m["title"], answer=m["answer"], title_en=m["title_en"], answer_en=m["answer_en"],
        created_by=m["created_by"], created_at=utc(m["created_at"]) or m["created_at"],
    )
