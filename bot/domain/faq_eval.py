"""Measuring the FAQ matcher honestly, and choosing its weights and bar without scoring on what was tuned.

- `evaluate(matcher, rows)`: top-1, top-3, answered right, confidently wrong, abstained, for any question list
  (`jagakerja faq eval FILE.tsv`: expected_id<TAB>question, expected "-" or "none" = not covered).
- `cross_validate(k)`: the phrasings of every entry (locales/*/faq.toml variants and taught phrasings) split in
  k folds per entry; each fold is scored by a matcher built without it (titles and buttons always stay in),
  off-topic questions (tests/data/faq_offtopic.txt) spread over the folds. The weights and the bar in
  bot/domain/faq_match.py were chosen on these out-of-fold scores (`calibrate`, `jagakerja faq calibrate`);
  the held-out file tests/data/faq_heldout.tsv is never used for a choice.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.domain.faq import faq_for, learned_entries
from bot.domain.faq_match import (
    NOT_COVERED,
    FaqMatcher,
    Match,
    Thresholds,
    Weights,
    combine,
    confident,
    load_not_covered,
    load_slang,
)
from bot.domain.i18n import SUPPORTED_LANGUAGES

OFF_TOPIC = ("-", "none")
REPO = Path(__file__).resolve().parent.parent.parent
OFF_TOPIC_FILE = REPO / "tests" / "data" / "faq_offtopic.txt"


def read_questions(path: Path) -> list[tuple[str, str]]:
    """(expected id or "-", question) from a TSV file; a line without a tab is an off-topic question."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, _, question = line.partition("\t") if "\t" in line else ("-", "", line)
        expected = expected.strip()
        rows.append(("-" if expected.lower() in OFF_TOPIC else expected, question.strip()))
    return rows


@dataclass(frozen=True)
class Scores:
    """Rates over the covered questions (`on_topic`) and the not-covered ones (`off_topic`)."""

    on_topic: int
    off_topic: int
    top1: float  # the best-ranked entry is the expected one
    top3: float  # the expected entry is among the three offered
    answered_right: float  # answered outright with the expected entry (the first reply is right)
    confident_wrong: float  # answered outright with another entry
    abstained: float  # "not sure" + the closest topics
    off_topic_answered: float  # not-covered questions answered outright anyway

    @property
    def confident_wrong_all(self) -> float:
        """Wrong answers given as sure over every question, covered or not."""
        total = self.on_topic + self.off_topic
        wrong = self.confident_wrong * self.on_topic + self.off_topic_answered * self.off_topic
        return wrong / total if total else 0.0

    def lines(self) -> list[str]:
        return [
            f"covered questions: {self.on_topic}",
            f"  top-1 {self.top1:.1%}   top-3 {self.top3:.1%}",
            f"  answered right {self.answered_right:.1%}   confidently wrong {self.confident_wrong:.1%}   "
            f"abstained {self.abstained:.1%}",
            f"not-covered questions: {self.off_topic}   answered anyway {self.off_topic_answered:.1%}",
            f"confidently wrong over all questions: {self.confident_wrong_all:.1%}",
        ]


@dataclass(frozen=True)
class Outcome:
    expected: str
    matches: tuple[Match, ...]
    confident: bool


def score(outcomes: Sequence[Outcome]) -> Scores:
    on = [o for o in outcomes if o.expected != "-"]
    off = [o for o in outcomes if o.expected == "-"]

    def rate(items: Sequence[Outcome], test: Callable[[Outcome], bool]) -> float:
        return sum(1 for o in items if test(o)) / len(items) if items else 0.0

    def right(o: Outcome) -> bool:
        return bool(o.matches) and o.matches[0].entry_id == o.expected

    return Scores(
        on_topic=len(on), off_topic=len(off),
        top1=rate(on, right), top3=rate(on, lambda o: o.expected in [m.entry_id for m in o.matches]),
        answered_right=rate(on, lambda o: o.confident and right(o)),
        confident_wrong=rate(on, lambda o: o.confident and not right(o)),
        abstained=rate(on, lambda o: not o.confident), off_topic_answered=rate(off, lambda o: o.confident))


def evaluate(matcher: FaqMatcher, rows: Iterable[tuple[str, str]]) -> tuple[Scores, list[Outcome]]:
    outcomes = []
    for expected, question in rows:
        result = matcher.match(question)
        outcomes.append(Outcome(expected, result.matches, result.confident))
    return score(outcomes), outcomes


# ---------------------------------------------------------------- cross-validation


@dataclass(frozen=True)
class Phrasing:
    entry_id: str
    text: str
    fixed: bool  # a title or button: always in the training side


def phrasings(languages: Iterable[str] = SUPPORTED_LANGUAGES) -> list[Phrasing]:
    """Every way of asking each entry, as the shipped matcher gets them (bot.domain.faq.documents)."""
    items = []
    for language in languages:
        for entry in faq_for(language).entries:
            items.append(Phrasing(entry.id, entry.question, True))
            items.append(Phrasing(entry.id, entry.button.strip(string.punctuation + " "), True))
            items.extend(Phrasing(entry.id, v, False) for v in entry.variants)
    known = {p.entry_id for p in items}
    items.extend(Phrasing(i.entry_id, i.phrasing, False) for i in learned_entries() if i.entry_id in known)
    return items


def off_topic_questions(path: Path = OFF_TOPIC_FILE) -> list[str]:
    return [q for _, q in read_questions(path)]


def folds(items: Sequence[Phrasing], off_topic: Sequence[str], k: int,
          seed: int = 11) -> list[tuple[list[Phrasing], list[tuple[str, str]]]]:
    """k (training phrasings, test questions) pairs: each entry's variants dealt round-robin after a shuffle."""
    rng = random.Random(seed)
    by_entry: dict[str, list[Phrasing]] = {}
    for p in items:
        if not p.fixed:
            by_entry.setdefault(p.entry_id, []).append(p)
    fold_of: dict[int, int] = {}
    start = 0
    for entry_items in by_entry.values():
        order = list(entry_items)
        rng.shuffle(order)
        for i, p in enumerate(order):
            fold_of[id(p)] = (start + i) % k
        start += len(order)
    off = list(off_topic)
    rng.shuffle(off)
    result = []
    for fold in range(k):
        train = [p for p in items if p.fixed or fold_of[id(p)] != fold]
        test = [(p.entry_id, p.text) for p in items if not p.fixed and fold_of[id(p)] == fold]
        test += [("-", q) for q in off[fold::k]]
        result.append((train, test))
    return result


@dataclass(frozen=True)
class Views:
    """Out-of-fold views of every test question: per entry (columns in `entry_ids`) BM25, nearest and centroid
    character cosines, classifier posterior; the coverage; the expected entry's column (-1: off-topic)."""

    entry_ids: list[str]  # the entries, then NOT_COVERED (the last column)
    words: np.ndarray
    nearest: np.ndarray
    centroid: np.ndarray
    classifier: np.ndarray
    coverage: np.ndarray
    expected: np.ndarray

    def combined(self, weights: Weights) -> np.ndarray:
        return combine(weights, self.words, self.nearest, self.centroid, self.classifier)

    @property
    def reject(self) -> int:
        return len(self.entry_ids) - 1

    def ranked(self, combined: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per question: the best entry (never NOT_COVERED) and whether NOT_COVERED ranked above it."""
        best = np.argmax(combined[:, :self.reject], axis=1)
        return best, np.argmax(combined, axis=1) == self.reject

    def agreement(self, best: np.ndarray) -> np.ndarray:
        """How many views rank `best` (one column per question) first."""
        return sum(((np.argmax(v, axis=1) == best) & v.any(axis=1)).astype(int)
                   for v in (self.words, self.nearest, self.centroid, self.classifier))


def out_of_fold_views(k: int = 5, items: Sequence[Phrasing] | None = None,
                      off_topic: Sequence[str] | None = None) -> Views:
    items = phrasings() if items is None else items
    off_topic = off_topic_questions() if off_topic is None else off_topic
    slang, not_covered = load_slang(), load_not_covered()
    entry_ids = [*dict.fromkeys(p.entry_id for p in items), NOT_COVERED]
    column = {e: i for i, e in enumerate(entry_ids)}
    per_view: list[list[np.ndarray]] = [[], [], [], []]
    coverage: list[float] = []
    expected_columns: list[int] = []
    for train, test in folds(items, off_topic, k):
        matcher = FaqMatcher([(p.entry_id, p.text) for p in train], slang, not_covered=not_covered)
        place = np.array([column[e] for e in matcher.columns])
        for expected, question in test:
            words, nearest, centroid, classifier, known = matcher.views(question)
            for collected, view in zip(per_view, (words, nearest, centroid, classifier), strict=True):
                full = np.zeros(len(entry_ids))
                full[place] = view
                collected.append(full)
            coverage.append(known)
            expected_columns.append(-1 if expected == "-" else column[expected])
    words_, nearest_, centroid_, bayes_ = (np.array(v) for v in per_view)
    return Views(entry_ids, words_, nearest_, centroid_, bayes_, np.array(coverage), np.array(expected_columns))


def scores_of(views: Views, weights: Weights, thresholds: Thresholds) -> Scores:
    combined = views.combined(weights)
    _, rejected = views.ranked(combined)
    agreement = views.agreement(np.argmax(combined, axis=1))
    outcomes = []
    for row, expected, coverage, agree, reject in zip(combined, views.expected, views.coverage, agreement, rejected,
                                                      strict=True):
        order = np.argsort(-row[:views.reject], kind="stable")[:3]
        matches = tuple(Match(views.entry_ids[i], float(row[i])) for i in order if row[i] > 0)
        sure = not reject and confident(matches, float(coverage), int(agree), thresholds)
        outcomes.append(Outcome(views.entry_ids[expected] if expected >= 0 else "-", matches, sure))
    return score(outcomes)


def _best_bar(top: np.ndarray, passes: np.ndarray, right: np.ndarray, on: np.ndarray, max_wrong: float,
              max_off_topic: float) -> tuple[float, float, float, float] | None:
    """The lowest score bar (0.20 … 0.98 by 0.02) that keeps both error rates within bounds, with its rates."""
    bars = np.round(np.arange(0.20, 1.0, 0.02), 2)
    sure = passes[None, :] & (top[None, :] >= bars[:, None])
    n_on, n_off = max(1, int(on.sum())), max(1, int((~on).sum()))
    answered_right = (sure & right).sum(axis=1) / n_on
    wrong = (sure & on & ~right).sum(axis=1) / n_on
    off = (sure & ~on).sum(axis=1) / n_off
    ok = np.flatnonzero((wrong <= max_wrong) & (off <= max_off_topic))
    if not len(ok):
        return None
    i = ok[np.argmax(answered_right[ok])]
    return float(bars[i]), float(answered_right[i]), float(wrong[i]), float(off[i])


@dataclass(frozen=True)
class Calibration:
    weights: Weights
    thresholds: Thresholds
    top1: float
    answered_right: float
    confident_wrong: float
    off_topic_answered: float


def _better(new: tuple[float, float], old: tuple[float, float], min_top1: float) -> bool:
    """(top-1, answered right): the most right first replies among settings ranking at least `min_top1` right;
    while none does, the most of both together."""
    if (new[0] >= min_top1) != (old[0] >= min_top1):
        return new[0] >= min_top1
    if new[0] >= min_top1:
        return new[1] > old[1] + 1e-9
    return sum(new) > sum(old) + 1e-9


def calibrate(views: Views, max_wrong: float = 0.02, max_off_topic: float = 0.05,
              min_top1: float = 0.90) -> Calibration:
    """The weights and bar with the most right first replies among those with at most `max_wrong` confidently
    wrong (covered questions), `max_off_topic` off-topic questions answered and top-1 at least `min_top1`
    (see `_better`), on out-of-fold views."""
    on = views.expected >= 0
    best: Calibration | None = None
    steps = [round(x * 0.1, 1) for x in range(11)]
    for w_words, w_nearest, w_centroid in itertools.product(steps, steps, steps):
        w_classifier = round(1.0 - w_words - w_nearest - w_centroid, 1)
        if w_classifier < 0:
            continue
        for half in (4.0, 8.0, 16.0, 32.0) if w_words else (8.0,):
            weights = Weights(words=w_words, nearest=w_nearest, centroid=w_centroid, classifier=w_classifier,
                              words_half=half)
            combined = views.combined(weights)
            top2 = -np.sort(-combined[:, :views.reject], axis=1)[:, :2]
            best_column, rejected = views.ranked(combined)
            right = on & (best_column == views.expected)
            agreement = views.agreement(best_column)
            margin = (top2[:, 0] - top2[:, 1]) / np.maximum(top2[:, 0], 1e-9)
            for min_margin, min_coverage, min_agreement in itertools.product(
                    (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3), (0.01, 0.5, 0.67), (1, 2, 3, 4)):
                passes = ((margin >= min_margin) & (views.coverage >= min_coverage) & (agreement >= min_agreement)
                          & ~rejected & (views.coverage > 0))
                found = _best_bar(top2[:, 0], passes, right, on, max_wrong, max_off_topic)
                if found is None:
                    continue
                min_score, answered_right, wrong, off = found
                top1 = float(right.sum() / on.sum())
                if best is None or _better((top1, answered_right), (best.top1, best.answered_right), min_top1):
                    best = Calibration(weights, Thresholds(min_score=min_score, min_margin=min_margin,
                                                           min_coverage=min_coverage, min_agreement=min_agreement),
                                       top1, answered_right, wrong, off)
    if best is None:
        raise ValueError("no setting meets the bars")
    return best
