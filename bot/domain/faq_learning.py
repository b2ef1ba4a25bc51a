"""The FAQ learning loop (issue 11): an admin turns an answered question into knowledge without a code change.

Either the worker's question becomes a new way of asking an existing entry ("phrasing"), or it starts a new
entry with a title and an answer typed by the admin (Indonesian required; English optional: without it the
English side shows the Indonesian text, see `bot.domain.faq.faq_for`). Stored in the database
(`storage.faq_learned`), handed to the matcher at start and after every change (`FaqService.learn`), audited,
and written back to locales/*/faq.toml by `jagakerja faq export-learned`. Free of Telegram types.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.domain.audit import AuditService
from bot.domain.clock import Clock
from bot.domain.faq import BUTTON_MAX, FaqEntry, FaqFile, FaqService, LearnedEntry, faq_path, load_faq
from bot.domain.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES
from bot.domain.markup import escape
from bot.domain.questions import target
from bot.domain.roles import Actor
from storage.faq_learned import LearnedRecord, LearnedRepository
from storage.questions import QuestionRepository

TITLE_MIN, TITLE_MAX = 5, 200
ANSWER_MIN, ANSWER_MAX = 10, 2000
NEW_ID_PREFIX = "learned_"
CANDIDATES = 3
INDONESIAN_ONLY = "\n\n(This answer is only in Indonesian for now.)"  # English content, like locales/en/faq.toml


class LearningError(ValueError):
    """Not an admin, an unknown entry or topic, a question that is gone or was never answered, bad lengths."""


@dataclass(frozen=True)
class NewEntry:
    """What the admin typed for a new entry (plain text; escaped where it is shown)."""

    category: str
    title: str
    answer: str
    title_en: str | None = None
    answer_en: str | None = None


def check_text(text: str | None, low: int, high: int) -> str | None:
    """The text trimmed (control characters removed) when its length is within [low, high]; None otherwise."""
    cleaned = "".join(ch for ch in (text or "") if ch == "\n" or ch >= " ").strip()
    return cleaned if low <= len(cleaned) <= high else None


def to_learned(records: list[LearnedRecord]) -> list[LearnedEntry]:
    """What the matcher and the FAQ screens are given (phrasings already in the shipped files left out)."""
    result: list[LearnedEntry] = []
    for r in records:
        if r.kind == "entry":
            result.append(LearnedEntry(r.entry_id, "id", r.phrasing, r.title, r.answer, r.category))
            if r.title_en and r.answer_en:
                result.append(LearnedEntry(r.entry_id, "en", "", r.title_en, r.answer_en, r.category))
            elif r.title and r.answer:  # English readers get the Indonesian text, and are told so
                result.append(LearnedEntry(r.entry_id, "en", "", r.title, r.answer + INDONESIAN_ONLY, r.category))
        elif not _shipped_phrasing(r.entry_id, r.phrasing):
            result.append(LearnedEntry(r.entry_id, r.language, r.phrasing))
    return result


def _shipped_phrasing(entry_id: str, phrasing: str) -> bool:
    wanted = " ".join(phrasing.lower().split())
    for language in SUPPORTED_LANGUAGES:
        entry = load_faq(language).get(entry_id)
        if entry is not None and wanted in {" ".join(v.lower().split()) for v in [entry.question, *entry.variants]}:
            return True
    return False


class FaqLearningService:
    def __init__(self, repository: LearnedRepository, questions: QuestionRepository, faq: FaqService,
                 audit: AuditService, clock: Clock) -> None:
        self.repository = repository
        self.questions = questions
        self.faq = faq
        self.audit = audit
        self.clock = clock

    async def load(self) -> int:
        """Hand every learned phrasing and entry to the matcher (at start, and after each change)."""
        learned = to_learned(await self.repository.all())
        self.faq.learn(learned)  # on the loop (~1 s): learn_async lost the first answer after a new entry (CI)
        return len(learned)

    async def records(self) -> list[LearnedRecord]:
        return await self.repository.all()

    def candidates(self, language: str, text: str) -> list[FaqEntry]:
        """The entries closest to the question, best first (for "add as a phrasing of …")."""
        reply = self.faq.reply_to(text)
        ids = ([reply.entry_id] if reply.entry_id else []) + [i for i in reply.suggested if i != reply.entry_id]
        found = [self.faq.entry(language, i) for i in ids[:CANDIDATES]]
        return [e for e in found if e is not None]

    async def _question(self, actor: Actor, question_id: int) -> tuple[str, str]:
        if not actor.is_admin:
            raise LearningError("only admins teach the FAQ")
        question = await self.questions.get(question_id)
        if question is None or question.answer is None:
            raise LearningError(f"{target(question_id)} is gone or was never answered")
        return question.text, question.language

    async def add_phrasing(self, actor: Actor, question_id: int, entry_id: str) -> LearnedRecord:
        """The question becomes a way of asking `entry_id` (effective at once)."""
        text, language = await self._question(actor, question_id)
        if self.faq.entry(language, entry_id) is None and self.faq.entry("id", entry_id) is None:
            raise LearningError(f"no entry {entry_id}")
        now = self.clock.now()
        learned_id = await self.repository.add(kind="phrasing", entry_id=entry_id, language=language,
                                               phrasing=text, created_by=actor.user_id, now=now)
        await self.audit.record(actor_id=actor.user_id, action="faq_learn", now=now, target=target(question_id),
                                detail=f"phrasing {entry_id}")
        await self.load()
        return next(r for r in await self.repository.all() if r.id == learned_id)

    async def create_entry(self, actor: Actor, question_id: int, new: NewEntry) -> str:
        """A new entry answering the question (and questions like it) from now on: its id."""
        text, language = await self._question(actor, question_id)
        title, answer = check_text(new.title, TITLE_MIN, TITLE_MAX), check_text(new.answer, ANSWER_MIN, ANSWER_MAX)
        title_en = check_text(new.title_en, TITLE_MIN, TITLE_MAX)
        answer_en = check_text(new.answer_en, ANSWER_MIN, ANSWER_MAX)
        if title is None or answer is None or new.category not in self.faq.topics("id"):
            raise LearningError("a new entry needs a topic, a title and an answer")
        entry_id = await self._new_id()
        now = self.clock.now()
        await self.repository.add(kind="entry", entry_id=entry_id, language=language, phrasing=text,
                                  created_by=actor.user_id, now=now, category=new.category, title=title,
                                  answer=answer, title_en=title_en if answer_en else None,
                                  answer_en=answer_en if title_en else None)
        await self.audit.record(actor_id=actor.user_id, action="faq_learn", now=now, target=target(question_id),
                                detail=f"entry {entry_id}")
        await self.load()
        return entry_id

    async def _new_id(self) -> str:
        taken = await self.repository.entry_ids() | {e.id for e in load_faq("id").entries}
        n = len(taken) + 1
        while f"{NEW_ID_PREFIX}{n}" in taken:
            n += 1
        return f"{NEW_ID_PREFIX}{n}"


# ---------------------------------------------------------------- export to locales/*/faq.toml


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _template(text: str) -> str:
    """Plain text as an answer template (HTML-escaped, braces doubled), as `faq_for` shows it."""
    return escape(text).replace("{", "{{").replace("}", "}}")


def _block_span(text: str, entry_id: str) -> tuple[int, int] | None:
    match = re.search(rf'^id = "{re.escape(entry_id)}"\s*$', text, flags=re.MULTILINE)
    if match is None:
        return None
    end = text.find("\n[[entries]]", match.end())
    return match.start(), (len(text) if end < 0 else end)


def add_variant(text: str, entry_id: str, phrasing: str) -> str:
    """`text` (a faq.toml) with `phrasing` added to the entry's variants (unchanged when already there or the
    entry is not in it)."""
    span = _block_span(text, entry_id)
    if span is None:
        return text
    start, end = span
    block = text[start:end]
    quoted = _toml_string(" ".join(phrasing.split()))
    found = re.search(r"^variants = \[(.*?)\]\s*$", block, flags=re.MULTILINE | re.DOTALL)
    if found is not None and quoted in found.group(1):
        return text
    if found is None:
        question = re.search(r"^question = .*$", block, flags=re.MULTILINE)
        at = question.end() if question else block.index("\n") if "\n" in block else len(block)
        block = block[:at] + f"\nvariants = [\n  {quoted},\n]" + block[at:]
    else:
        inner = found.group(1).rstrip()
        items = (inner.rstrip(",") + ",\n") if inner.strip() else "\n"
        if not inner.strip():
            items = "\n"
        new_list = f"variants = [{items}  {quoted},\n]"
        block = block[:found.start()] + new_list + block[found.end():]
    return text[:start] + block + text[end:]


def add_entry(text: str, entry_id: str, category: str, title: str, answer: str, note: str = "") -> str:
    if _block_span(text, entry_id) is not None:
        return text
    title = " ".join(title.split())
    button = title if len(title) <= BUTTON_MAX else title[: BUTTON_MAX - 1].rstrip() + "…"
    lines = ["", f"[[entries]]{note}", f'id = "{entry_id}"', f"category = {_toml_string(category)}",
             f"button = {_toml_string(button)}", f"question = {_toml_string(title)}", "variants = []",
             f"answer = {_toml_string('<b>' + _template(title) + '</b>' + chr(10) + _template(answer))}", ""]
    return text.rstrip("\n") + "\n" + "\n".join(lines)


def exported(records: list[LearnedRecord], locales_dir: Path = LOCALES_DIR) -> dict[Path, tuple[str, str]]:
    """{file: (text now, text with what was learned)} for every faq.toml that changes; each result is checked
    to load as a valid FAQ file."""
    files = {language: faq_path(language, locales_dir) for language in SUPPORTED_LANGUAGES}
    before = {language: path.read_text(encoding="utf-8") for language, path in files.items()}
    after = dict(before)
    for r in records:
        if r.kind != "entry" or not r.title or not r.answer or not r.category:
            continue
        for language in SUPPORTED_LANGUAGES:
            own = language != "id" and r.title_en and r.answer_en
            title, answer = (r.title_en, r.answer_en) if own else (r.title, r.answer)
            note = "" if language == "id" or own else "  # TODO: translate (taught in Indonesian only)"
            after[language] = add_entry(after[language], r.entry_id, r.category, title or r.title,
                                        answer or r.answer, note)
    for r in records:
        language = r.language if r.language in after else "id"
        after[language] = add_variant(after[language], r.entry_id, r.phrasing)
    for text in after.values():
        FaqFile.model_validate(tomllib.loads(text))  # raises on anything the loader would refuse
    return {files[lang]: (before[lang], after[lang]) for lang in SUPPORTED_LANGUAGES if before[lang] != after[lang]}


def diff(path: Path, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=str(path), tofile=str(path)))
