"""Tanya Jawab: the FAQ knowledge base (locales/<lang>/faq.toml plus what admins taught) and its service.

Matching lives in bot/domain/faq_match.py (slang, typos, stemming, BM25, character n-grams, a nearest-centroid
classifier; weights and bar chosen by cross-validation, bot/domain/faq_eval.py). Below the confidence bar the
caller must say it is not sure and offer the closest topics: a weak match never becomes an answer.
Free of Telegram types.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.benefits import FigureLookup, load_benefits, parse_income
from bot.domain.clock import Clock
from bot.domain.content import ContentError, load_toml
from bot.domain.contributions import Sector, load_table, quote
from bot.domain.faq_match import (
    FaqMatcher,
    Match,
    MatchResult,
    SlangTable,
    Thresholds,
    Weights,
    apply_slang,
    load_not_covered,
    load_slang,
    simplify,
    stem,
)
from bot.domain.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES, Translator
from bot.domain.markup import escape

BUTTON_MAX = 40  # characters: a phone shows two buttons of about this width per row at most


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    category: str
    button: str = Field(min_length=2, max_length=BUTTON_MAX)
    question: str = Field(min_length=5)
    variants: list[str] = []
    answer: str = Field(min_length=10)


class FaqFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: dict[str, str]
    entries: list[FaqEntry]

    @model_validator(mode="after")
    def _consistent(self) -> FaqFile:
        ids = [e.id for e in self.entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"entry ids used twice: {duplicates}")
        unknown = sorted({e.category for e in self.entries} - set(self.categories))
        if unknown:
            raise ValueError(f"entries use unknown categories: {unknown}")
        return self

    def get(self, entry_id: str) -> FaqEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def in_category(self, category: str) -> list[FaqEntry]:
        return [e for e in self.entries if e.category == category]


def faq_path(language: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / language / "faq.toml"


@lru_cache(maxsize=8)
def load_faq(language: str, locales_dir: Path = LOCALES_DIR) -> FaqFile:
    path = faq_path(language, locales_dir)
    try:
        return FaqFile.model_validate(load_toml(path))
    except ValidationError as exc:
        raise ContentError(f"{path}: {exc}") from None


@dataclass(frozen=True)
class LearnedEntry:
    """A phrasing or entry an admin taught the bot (stored by the question inbox, helper G)."""

    entry_id: str  # an existing entry's id (a new phrasing of it) or a new id
    language: str  # "id" | "en"
    phrasing: str  # the worker's question, as typed
    question: str | None = None  # a NEW entry only: its title
    answer: str | None = None  # a NEW entry only: its answer text (plain text; escaped when rendered)
    category: str | None = None  # a NEW entry only: its topic (an existing category id)


_learned: tuple[LearnedEntry, ...] = ()  # what FaqService.learn was given last (one set per process)


def learned_entries() -> tuple[LearnedEntry, ...]:
    """What `FaqService.learn` was given last."""
    return _learned


def _literal(text: str) -> str:
    """Plain text as an answer template: HTML-escaped, braces kept as braces by `str.format_map`."""
    return escape(text).replace("{", "{{").replace("}", "}}")


def _learned_entry(base: FaqFile, learned: LearnedEntry) -> FaqEntry | None:
    """A new entry taught by an admin, as a FaqEntry of `base`'s language (None when incomplete)."""
    if not (learned.question and learned.answer and learned.category in base.categories):
        return None
    title = " ".join(learned.question.split())
    label = title if len(title) <= BUTTON_MAX else title[: BUTTON_MAX - 1].rstrip() + "…"
    return FaqEntry.model_construct(
        id=learned.entry_id, category=learned.category, button=label, question=title, variants=[],
        answer=f"<b>{_literal(title)}</b>\n{_literal(learned.answer.strip())}")


def faq_for(language: str) -> FaqFile:
    """The FAQ of `language`: the shipped file plus what admins taught (new entries; a new entry taught in one
    language only is shown in the other too, in the language it was written in)."""
    return _merged(language, _learned)


@lru_cache(maxsize=8)
def _merged(language: str, learned: tuple[LearnedEntry, ...]) -> FaqFile:
    base = load_faq(language)
    if not learned:
        return base
    entries = list(base.entries)
    known = {e.id for e in entries}
    for wanted in (language, *(lang for lang in SUPPORTED_LANGUAGES if lang != language)):
        for item in learned:
            if item.language == wanted and item.entry_id not in known:
                entry = _learned_entry(load_faq(item.language), item)
                if entry is not None and entry.category in base.categories:
                    entries.append(entry)
                    known.add(entry.id)
    return FaqFile.model_construct(categories=base.categories, entries=entries)


class AnswerFigures(FigureLookup):
    """The figures of content/benefits.toml and content/contributions.toml for `day`, plus what a worker pays
    today at the lowest level, for their sector when known (PP 50/2025 discount periods differ by sector):
    `{fee_today}` (JKK + JKM) and `{fee_today_with_jht}`; for an unknown sector, one amount when every sector pays
    the same, else per kind of work."""

    EXTRA = ("fee_today", "fee_today_with_jht")

    def __init__(self, t: Translator, day: dt.date, sector: Sector | None = None) -> None:
        super().__init__(t, day)
        self.sector = sector

    def names(self) -> list[str]:
        return [*super().names(), *self.EXTRA]

    def _compute(self, name: str) -> str:
        if name not in self.EXTRA:
            return super()._compute(name)
        t, table = self.t, load_table()
        lowest = table.rate("JKK", self.day).minimum_income or 0

        def amount(sector: Sector) -> int:
            found = quote(lowest, sector, self.day, table)
            return found.basic_total if name == "fee_today" else found.total_with_jht

        if self.sector is not None:
            return t.money(amount(self.sector))
        transport, other = amount("transport"), amount("other")
        if transport == other:
            return t.money(other)
        return t.gettext("ojek/courier/driver {transport}, other work {other}").format(
            transport=t.money(transport), other=t.money(other))


def render_answer(t: Translator, entry_id: str, day: dt.date, sector: Sector | None = None) -> str:
    """The entry's answer in the translator's language, with the figures true on `day` (for `sector` if known)."""
    entry = faq_for(t.language).get(entry_id)
    if entry is None:
        raise ContentError(f"{faq_path(t.language)}: no entry {entry_id!r}")
    return _rendered(t, t._t, entry.answer, day, sector, id(load_benefits()), id(load_table()))


@lru_cache(maxsize=1024)
def _rendered(t: Translator, catalog: object, answer: str, day: dt.date, sector: Sector | None,
              benefits: int, table: int) -> str:
    """An answer with its figures (Babel's money formatting was a third of an FAQ reply's CPU): the same text,
    day, sector, catalog and content files give the same reply, so it is formatted once a day. The key holds all
    the text depends on: the compiled catalog object (a new one after `load_catalogs`) and the content files
    loaded (`load_benefits` / `load_table`, each cached once per process)."""
    return answer.format_map(AnswerFigures(t, day, sector))


# ---------------------------------------------------------------- matching (bot/domain/faq_match.py)

__all__ = ["FaqMatcher", "Match", "MatchResult", "SlangTable", "Thresholds", "Weights", "apply_slang", "load_slang",
           "simplify", "stem"]


def documents(languages: Iterable[str] = SUPPORTED_LANGUAGES,
              learned: tuple[LearnedEntry, ...] | None = None) -> list[tuple[str, str]]:
    """Every text that asks for an entry, in every language: question, button, variants, taught phrasings
    (`learned`: what to count as taught; default what `FaqService.learn` was given last)."""
    taught = _learned if learned is None else learned
    docs: list[tuple[str, str]] = []
    for language in languages:
        for entry in _merged(language, taught).entries:
            docs.append((entry.id, entry.question))
            docs.append((entry.id, entry.button.strip(string.punctuation + " ")))
            docs.extend((entry.id, variant) for variant in entry.variants)
    known = {entry_id for entry_id, _ in docs}
    docs.extend((item.entry_id, item.phrasing) for item in taught
                if item.entry_id in known and item.phrasing.strip())
    return docs


def build_matcher(learned: tuple[LearnedEntry, ...]) -> FaqMatcher:
    """A matcher over the shipped FAQ files and `learned` (about a second: safe to run in a worker thread, it
    only reads the content and the module's caches)."""
    return FaqMatcher(documents(learned=learned), load_slang(), not_covered=load_not_covered())


_ready: FaqMatcher | None = None  # built off the event loop by `FaqService.learn_async`, taken by `matcher()`
_learn_calls = 0  # the latest `learn` / `learn_async` wins when a rebuild in a thread finishes after a newer one


@cache
def matcher() -> FaqMatcher:
    """The process-wide matcher over the shipped FAQ files and what admins taught (`FaqService.learn`)."""
    global _ready
    built, _ready = _ready, None
    return built if built is not None else build_matcher(_learned)


# ---------------------------------------------------------------- the service


@dataclass(frozen=True)
class Reply:
    """How to answer a free-text question: `answer` (sure: `entry_id`), `unsure` (offer `suggested`), `income`
    (an amount: offer the fee calculator) or `not_understood`. `suggested` are the closest entries, best first."""

    kind: Literal["answer", "unsure", "income", "not_understood"]
    entry_id: str = ""
    suggested: tuple[str, ...] = ()


def offers_calculator(entry_id: str) -> bool:
    """Answers about contributions lead straight to the fee calculator."""
    return entry_id.startswith("fee_")


class FaqService:
    """Tanya Jawab and the Manfaat & Iuran pages: FAQ entries answered with the figures valid today (WITA)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def today(self, t: Translator) -> dt.date:
        return self.clock.now().astimezone(t.tz).date()

    def learn(self, learned: Sequence[LearnedEntry]) -> None:
        """Replace what was taught before with `learned` and rebuild the matcher (at start, after each promotion):
        a phrasing then matches its entry, a new entry is answered, shown under its category, and counted by
        `faq eval`."""
        global _learned, _learn_calls
        _learn_calls += 1
        _learned = tuple(learned)
        matcher.cache_clear()
        matcher()

    async def learn_async(self, learned: Sequence[LearnedEntry]) -> None:
        """`learn`, with the rebuild (~1 s of CPU) in a worker thread: the event loop keeps answering updates, with
        the previous matcher, until the new one is swapped in (on the loop, with what it was built from)."""
        global _learned, _learn_calls, _ready
        _learn_calls += 1
        call, taught = _learn_calls, tuple(learned)
        built = await asyncio.to_thread(build_matcher, taught)
        if call != _learn_calls:
            return  # a newer learn has replaced (or is replacing) this one
        _learned, _ready = taught, built
        matcher.cache_clear()
        matcher()

    def topics(self, language: str) -> dict[str, str]:
        return load_faq(language).categories

    def in_topic(self, language: str, topic: str) -> list[FaqEntry]:
        return faq_for(language).in_category(topic)

    def entry(self, language: str, entry_id: str) -> FaqEntry | None:
        return faq_for(language).get(entry_id)

    def answer(self, t: Translator, entry_id: str, sector: Sector | None = None) -> str:
        """The answer with today's figures (WITA), for the worker's sector when known."""
        return render_answer(t, entry_id, self.today(t), sector)

    def benefit_pages(self, language: str) -> list[FaqEntry]:
        """The Manfaat & Iuran pages, in the order of content/benefits.toml."""
        faq = load_faq(language)
        return [entry for page in load_benefits().pages if (entry := faq.get(page.faq)) is not None]

    def is_benefit_page(self, entry_id: str) -> bool:
        return entry_id in {page.faq for page in load_benefits().pages}

    def reply_to(self, question: str) -> Reply:
        """Never turns a weak match into an answer: below the bar the user gets the closest topics."""
        result = matcher().match(question)
        if not result.confident and parse_income(question) is not None:  # an amount typed outside the calculator
            return Reply("income")
        if not result.matches or result.coverage == 0:
            return Reply("not_understood")
        suggested = tuple(m.entry_id for m in result.matches)
        if result.confident and result.best is not None:
            return Reply("answer", result.best.entry_id, suggested)
        return Reply("unsure", "", suggested)
