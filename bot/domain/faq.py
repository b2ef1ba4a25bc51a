"""Tanya Jawab: the FAQ knowledge base (locales/<lang>/faq.toml) and a matcher for everyday Indonesian.

Matching: slang/abbreviation table (content/faq_slang.toml) → typo correction against the FAQ vocabulary
(rapidfuzz) → Indonesian stemming (PySastrawi) → BM25 ranking (rank-bm25) over every way an entry is asked
(question, button, variants, in Indonesian and English). Below a confidence bar the caller must say it is not
sure and offer the closest topics: the matcher never turns a weak match into an answer.
Free of Telegram types.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

from bot.domain.benefits import FigureLookup, load_benefits, parse_income
from bot.domain.clock import Clock
from bot.domain.content import CONTENT_DIR, ContentError, load_toml
from bot.domain.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES, Translator

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


def render_answer(t: Translator, entry_id: str, day: dt.date) -> str:
    """The entry's answer in the translator's language, with today's figures filled in."""
    entry = load_faq(t.language).get(entry_id)
    if entry is None:
        raise ContentError(f"{faq_path(t.language)}: no entry {entry_id!r}")
    return entry.answer.format_map(FigureLookup(t, day))


# ---------------------------------------------------------------- normalisation

_REDUPLICATION = re.compile(r"\b([a-z]{2,})2\b")  # anak2 → anak
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SlangTable:
    phrases: tuple[tuple[re.Pattern[str], str], ...]
    words: dict[str, str]
    fillers: frozenset[str]  # words around a question that say nothing about its topic


@lru_cache(maxsize=2)
def load_slang(path: Path = CONTENT_DIR / "faq_slang.toml") -> SlangTable:
    data = load_toml(path)
    phrases = data.get("phrases", {})
    words = data.get("words", {})
    for table in (phrases, words):
        for key, value in table.items():
            if not isinstance(value, str) or key != key.lower() or value != value.lower() or not value.strip():
                raise ContentError(f"{path}: {key!r} = {value!r}: both sides must be lower-case text")
    ordered = sorted(phrases.items(), key=lambda kv: -len(kv[0]))
    compiled = tuple((re.compile(r"\b" + re.escape(k) + r"\b"), v) for k, v in ordered)
    fillers = data.get("fillers", [])
    if not all(isinstance(f, str) and f == f.lower() for f in fillers):
        raise ContentError(f"{path}: fillers must be lower-case words")
    return SlangTable(phrases=compiled, words=dict(words), fillers=frozenset(fillers))


def simplify(text: str) -> str:
    """Lower case, accents and punctuation gone, reduplication folded: 'Gmn, anak2 sy?' → 'gmn anak sy'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("-", " ")
    text = _REDUPLICATION.sub(r"\1", text)
    return _NON_WORD.sub(" ", text).strip()


def apply_slang(text: str, slang: SlangTable) -> list[str]:
    for pattern, replacement in slang.phrases:
        text = pattern.sub(replacement, text)
    tokens: list[str] = []
    for token in text.split():
        tokens.extend(slang.words.get(token, token).split())
    return tokens


@cache
def _stemmer() -> object:
    return StemmerFactory().create_stemmer()


@cache
def stem(token: str) -> str:
    return str(_stemmer().stem(token))  # type: ignore[attr-defined]


@cache
def _sastrawi_stop_words() -> frozenset[str]:
    return frozenset(StopWordRemoverFactory().get_stop_words())


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    entry_id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[Match, ...]  # best first, distinct entries, at most `top`
    confident: bool
    coverage: float  # share of the question's meaningful words that the knowledge base knows

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on tests/faq_eval_set.tsv and tests/faq_offtopic.txt (see tests/test_faq_eval.py)."""

    min_score_known: float = 5.0  # score of the best entry when every meaningful word is known
    min_score: float = 10.0  # score of the best entry when some words are unknown ...
    min_coverage: float = 0.5  # ... and at least this share of meaningful words is known
    min_margin: float = 0.1  # (best - second) / best: a near tie is not an answer


@dataclass(frozen=True)
class Weights:
    function: float = 0.5  # question words and fillers ("berapa", "cara", "itu") count this much
    entry: float = 0.5  # the entry's words taken together, added to its best single way of asking


class FaqMatcher:
    """Ranks FAQ entries for a free-text question. Build once (tens of ms); `match()` takes well under 1 ms."""

    def __init__(self, documents: Sequence[tuple[str, str]], slang: SlangTable,
                 thresholds: Thresholds | None = None, weights: Weights | None = None) -> None:
        """`documents`: (entry id, a text that asks or answers it), several per entry."""
        self.slang = slang
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self._stop = _sastrawi_stop_words() | slang.fillers
        self._doc_entries = [entry_id for entry_id, _ in documents]
        raw_docs = [apply_slang(simplify(text), slang) for _, text in documents]
        self.vocabulary = sorted({token for doc in raw_docs for token in doc if len(token) > 1})
        stemmed_docs = [[stem(token) for token in doc] for doc in raw_docs]
        self._known_stems = frozenset(s for doc in stemmed_docs for s in doc)
        # one document per way of asking (the best one counts) and one per entry (all its words together)
        self._bm25 = BM25Okapi(stemmed_docs)
        self._entry_ids = list(dict.fromkeys(self._doc_entries))
        merged: dict[str, list[str]] = {entry_id: [] for entry_id in self._entry_ids}
        for entry_id, doc in zip(self._doc_entries, stemmed_docs, strict=True):
            merged[entry_id].extend(doc)
        self._bm25_entries = BM25Okapi([merged[entry_id] for entry_id in self._entry_ids])

    def tokens(self, text: str) -> list[str]:
        """The question as known vocabulary where possible (slang expanded, typos corrected), unstemmed."""
        result = []
        for token in apply_slang(simplify(text), self.slang):
            result.append(self._correct(token))
        return result

    @lru_cache(maxsize=4096)  # noqa: B019 - one matcher per process; the cache is bounded
    def _correct(self, token: str) -> str:
        if len(token) < 4 or token.isdigit() or stem(token) in self._known_stems:
            return token
        cutoff = 85 if len(token) < 6 else 80
        found = process.extractOne(token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found is None:
            return token
        corrected = str(found[0])
        # a correction must keep the first letter: "bayar" is not "layar"
        return corrected if corrected[0] == token[0] else token

    def match(self, text: str, top: int = 3) -> MatchResult:
        tokens = self.tokens(text)
        stop = self._stop
        meaningful = [t for t in tokens if t not in stop and len(t) > 1 and not t.isdigit()]
        known = [t for t in meaningful if stem(t) in self._known_stems]
        coverage = len(known) / len(meaningful) if meaningful else 0.0
        content = [stem(t) for t in known]
        function = [stem(t) for t in tokens if t in stop and stem(t) in self._known_stems]
        if not content and not function:
            return MatchResult(matches=(), confident=False, coverage=coverage)
        weights = self.weights
        scores = self._bm25.get_scores(content) + weights.function * self._bm25.get_scores(function)
        whole = self._bm25_entries.get_scores(content) + weights.function * self._bm25_entries.get_scores(function)
        best: dict[str, float] = {}
        for entry_id, score in zip(self._doc_entries, scores, strict=True):
            if score > best.get(entry_id, 0.0):
                best[entry_id] = float(score)
        for entry_id, score in zip(self._entry_ids, whole, strict=True):
            best[entry_id] = best.get(entry_id, 0.0) + weights.entry * float(score)
        order = {entry_id: index for index, entry_id in enumerate(self._entry_ids)}
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], order[kv[0]]))
        matches = tuple(Match(entry_id, score) for entry_id, score in ranked[:top] if score > 0)
        return MatchResult(matches=matches, confident=self._confident(matches, coverage), coverage=coverage)

    def _confident(self, matches: tuple[Match, ...], coverage: float) -> bool:
        if not matches:
            return False
        limits = self.thresholds
        first = matches[0].score
        second = matches[1].score if len(matches) > 1 else 0.0
        margin = (first - second) / first if first else 0.0
        if margin < limits.min_margin:
            return False
        if coverage >= 1.0:
            return first >= limits.min_score_known
        return coverage >= limits.min_coverage and first >= limits.min_score


def documents(languages: Iterable[str] = SUPPORTED_LANGUAGES) -> list[tuple[str, str]]:
    """Every text that asks for an entry, in every language: question, button, variants."""
    docs: list[tuple[str, str]] = []
    for language in languages:
        for entry in load_faq(language).entries:
            docs.append((entry.id, entry.question))
            docs.append((entry.id, entry.button.strip(string.punctuation + " ")))
            docs.extend((entry.id, variant) for variant in entry.variants)
    return docs


@cache
def matcher() -> FaqMatcher:
    """The process-wide matcher over the shipped FAQ files."""
    return FaqMatcher(documents(), load_slang())


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

    def topics(self, language: str) -> dict[str, str]:
        return load_faq(language).categories

    def in_topic(self, language: str, topic: str) -> list[FaqEntry]:
        return load_faq(language).in_category(topic)

    def entry(self, language: str, entry_id: str) -> FaqEntry | None:
        return load_faq(language).get(entry_id)

    def answer(self, t: Translator, entry_id: str) -> str:
        return render_answer(t, entry_id, self.today(t))

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
