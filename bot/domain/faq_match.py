"""The FAQ matcher: everyday Indonesian (slang, typos, Banjar words, English) → the FAQ entries that answer it.

Three views of a question, combined per entry with weights chosen by cross-validation (bot/domain/faq_eval.py):
- words: slang/abbreviation table (content/faq_slang.toml) → typo correction against the FAQ vocabulary
  (rapidfuzz) → Indonesian stemming (PySastrawi) → BM25 (rank-bm25) over every way an entry is asked;
- characters: TF-IDF over character 3–5-grams of the normalised words, cosine with the nearest phrasing of each
  entry (robust to typos, missing spaces and word endings nobody listed);
- two small classifiers trained on the phrasings: nearest centroid (cosine with the mean of an entry's
  phrasings) and multinomial logistic regression over stemmed words and character n-grams (a posterior per
  entry; it beat naive Bayes in cross-validation: top-1 91.5% against 88.1% alone).
The best entry is given as an answer only above a confidence bar (score, margin to the second, share of known
words), also chosen by cross-validation. Free of Telegram types.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

from bot.domain.content import CONTENT_DIR, ContentError, load_toml

# ---------------------------------------------------------------- normalisation

_REDUPLICATION = re.compile(r"\b([a-z]{2,})2\b")  # anak2 → anak
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SlangTable:
    phrases: tuple[tuple[re.Pattern[str], str], ...]
    words: dict[str, str]
    fillers: frozenset[str]  # words around a question that say nothing about its topic


@lru_cache(maxsize=2)
def load_not_covered(path: Path = CONTENT_DIR / "faq_offtopic.toml") -> tuple[str, ...]:
    """Questions about other things (politics, prices, loans, BPJS Kesehatan, recipes …): the not-covered class."""
    phrasings = load_toml(path).get("phrasings", [])
    if not all(isinstance(p, str) and p.strip() for p in phrasings):
        raise ContentError(f"{path}: phrasings must be texts")
    return tuple(phrasings)


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


def char_grams(tokens: Sequence[str], sizes: tuple[int, ...] = (3, 4, 5)) -> Counter[str]:
    """Character n-grams of each word with its boundaries marked: 'iuran' → ' iu', 'iur', … 'an '."""
    grams: Counter[str] = Counter()
    for token in tokens:
        padded = f" {token} "
        for size in sizes:
            grams.update(padded[i:i + size] for i in range(max(1, len(padded) - size + 1)))
    return grams


# ---------------------------------------------------------------- results and settings


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
class Weights:
    """How the four views add up to an entry's score (0..1). Chosen by 5-fold cross-validation over the
    phrasings (`jagakerja faq calibrate`); tests/unit/test_faq_eval.py checks the cross-validated figures."""

    words: float = 0.7  # BM25 over stemmed words, squashed to 0..1 by bm25 / (bm25 + words_half)
    nearest: float = 0.0  # character n-gram cosine with the entry's closest phrasing
    centroid: float = 0.1  # character n-gram cosine with the mean of the entry's phrasings
    classifier: float = 0.2  # the classifier's posterior (multinomial logistic regression on the phrasings)
    words_half: float = 16.0  # the BM25 score that counts as 0.5
    function: float = 1.0  # question words and fillers ("berapa", "cara", "itu") count this much in BM25


@dataclass(frozen=True)
class Thresholds:
    """The confidence bar (chosen with `Weights` by cross-validation; see `Weights`)."""

    min_score: float = 0.2  # the best entry's combined score
    min_margin: float = 0.25  # (best - second) / best: a near tie is not an answer
    min_coverage: float = 0.67  # share of the question's meaningful words the knowledge base knows
    min_agreement: int = 1  # how many of the four views (words, nearest, centroid, classifier) rank the best first


# ---------------------------------------------------------------- the matcher

FloatArray = NDArray[np.float64]
NOT_COVERED = "-"  # the class of questions about other things
CLASSIFIER_EPOCHS = 6
NEAREST_K = 1
WORD_WEIGHT = 4  # chosen by cross-validation (the naive Bayes first tried: 87.2% top-1 at 1, 88.1% at 4)


class _CharIndex:
    """TF-IDF over character n-grams (sublinear tf, smoothed idf, L2-normalised rows) as an inverted index:
    scoring a question touches only the postings of its own n-grams."""

    def __init__(self, grams: Sequence[Counter[str]]) -> None:
        n = len(grams)
        df: Counter[str] = Counter()
        for counts in grams:
            df.update(counts.keys())
        self.idf = {g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in df.items()}
        self.size = n
        self.column = {g: i for i, g in enumerate(df)}
        rows, columns, weights = [], [], []
        for row, counts in enumerate(grams):
            for gram, weight in self.vector(counts).items():
                rows.append(row)
                columns.append(self.column[gram])
                weights.append(weight)
        order = np.argsort(np.array(columns, dtype=np.int64), kind="stable")
        self.rows = np.array(rows, dtype=np.int64)[order]
        self.weights = np.array(weights)[order]
        self.starts = np.searchsorted(np.array(columns, dtype=np.int64)[order], np.arange(len(self.column) + 1))
        self._lookup = {g: (self.column[g], idf) for g, idf in self.idf.items()}  # one dict probe per n-gram

    def vector(self, counts: Counter[str]) -> dict[str, float]:
        weights = {g: (1.0 + math.log(c)) * self.idf[g] for g, c in counts.items() if g in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items()}

    def cosines(self, counts: Counter[str]) -> FloatArray:
        """The question's cosine with every row: the postings of its n-grams gathered into one array and summed by
        `np.bincount`, which adds them in the same order as one `+=` per n-gram did (bit-identical scores,
        without a numpy call per n-gram)."""
        known, tf_idf = [], []  # `vector(counts)` in one pass (the same figures, in the same order)
        lookup = self._lookup
        for gram, count in counts.items():
            found = lookup.get(gram)
            if found is not None:
                known.append(found[0])
                tf_idf.append((1.0 + math.log(count)) * found[1])
        if not known:
            return np.zeros(self.size)
        norm = math.sqrt(sum(w * w for w in tf_idf)) or 1.0
        columns = np.array(known, dtype=np.int64)
        starts, lengths = self.starts[columns], self.starts[columns + 1] - self.starts[columns]
        offsets = np.cumsum(lengths) - lengths
        postings = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)
        weights = np.repeat(np.array([w / norm for w in tf_idf], dtype=np.float64), lengths)
        return np.asarray(np.bincount(self.rows[postings], weights=weights * self.weights[postings],
                                      minlength=self.size), dtype=np.float64)


class _Bm25:
    """rank-bm25's Okapi BM25 (its idf, k1, b, document lengths) scored through an inverted index: the library
    loops over every document for every query word, which is too slow for thousands of phrasings."""

    def __init__(self, corpus: Sequence[Sequence[str]]) -> None:
        model = BM25Okapi(corpus)
        self.size = model.corpus_size
        norm = model.k1 * (1 - model.b + model.b * np.array(model.doc_len) / model.avgdl)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, frequencies in enumerate(model.doc_freqs):
            for term, tf in frequencies.items():
                rows, weights = postings.setdefault(term, ([], []))
                rows.append(row)
                weights.append(model.idf.get(term, 0.0) * tf * (model.k1 + 1) / (tf + norm[row]))
        self.postings = {t: (np.array(r, dtype=np.int64), np.array(w)) for t, (r, w) in postings.items()}

    def get_scores(self, query: Sequence[str]) -> FloatArray:
        """The same figures as `BM25Okapi.get_scores` (tests/unit/test_faq_match.py checks)."""
        scores = np.zeros(self.size)
        for term in query:
            found = self.postings.get(term)
            if found is not None:
                scores[found[0]] += found[1]
        return scores


class _Softmax:
    """A small linear classifier (multinomial logistic regression) trained on the phrasings: features are the
    stemmed words and character n-grams (log counts, L2-normalised rows); AdaGrad, a few passes in a fixed
    order, so the same phrasings always give the same model."""

    def __init__(self, features: Sequence[Counter[str]], classes: Sequence[int], size: int,
                 epochs: int = CLASSIFIER_EPOCHS, rate: float = 0.5) -> None:
        self.index: dict[str, int] = {}
        rows = [self._row(counts, grow=True) for counts in features]
        weights = np.zeros((len(self.index), size))
        squares = np.full((len(self.index), size), 1e-6)
        bias = np.zeros(size)
        order = np.random.default_rng(0).permutation(len(rows))
        for _ in range(epochs):
            for n in order:
                columns, values = rows[n]
                z = values @ weights[columns] + bias
                p = np.exp(z - z.max())
                p /= p.sum()
                p[classes[n]] -= 1.0
                gradient = np.outer(values, p)
                squares[columns] += gradient * gradient
                weights[columns] -= rate * gradient / np.sqrt(squares[columns])
                bias -= 0.05 * p
        self.weights, self.bias, self.size = weights, bias, size

    def _row(self, counts: Counter[str], grow: bool = False) -> tuple[NDArray[np.int64], FloatArray]:
        found = [(self.index.setdefault(f, len(self.index)) if grow else self.index.get(f), c)
                 for f, c in counts.items()]
        known = [(i, c) for i, c in found if i is not None]
        columns = np.array([i for i, _ in known], dtype=np.int64)
        values = np.array([1.0 + math.log(c) for _, c in known])
        return columns, values / max(float(np.linalg.norm(values)), 1e-9)

    def posterior(self, features: Counter[str]) -> FloatArray:
        columns, values = self._row(features)
        if not len(columns):
            return np.zeros(self.size)
        z = values @ self.weights[columns] + self.bias
        z = np.exp(z - z.max())
        return np.asarray(z / z.sum())


class FaqMatcher:
    """Ranks FAQ entries for a free-text question. Build once (well under a second); `match()` takes ~1 ms."""

    def __init__(self, documents: Sequence[tuple[str, str]], slang: SlangTable,
                 thresholds: Thresholds | None = None, weights: Weights | None = None,
                 not_covered: Sequence[str] = ()) -> None:
        """`documents`: (entry id, a text that asks for it), several per entry; `not_covered`: questions about
        other things (content/faq_offtopic.toml), learned as one more class that is never an answer."""
        documents = [*documents, *((NOT_COVERED, text) for text in not_covered)]
        self.slang = slang
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self._stop = _sastrawi_stop_words() | slang.fillers
        self._doc_entries = [entry_id for entry_id, _ in documents]
        raw_docs = [apply_slang(simplify(text), slang) for _, text in documents]
        self.vocabulary = sorted({token for doc in raw_docs for token in doc if len(token) > 1})
        stemmed_docs = [[stem(token) for token in doc] for doc in raw_docs]
        self._known_stems = frozenset(s for doc in stemmed_docs for s in doc)
        self._entry_ids = list(dict.fromkeys(self._doc_entries))  # NOT_COVERED last (documents end with it)
        self._entry_index = {entry_id: i for i, entry_id in enumerate(self._entry_ids)}
        self._doc_rows = np.array([self._entry_index[e] for e in self._doc_entries], dtype=np.int64)
        # the phrasings grouped by entry (every entry has one at least): `_nearest` takes a maximum per group
        self._by_entry = np.argsort(self._doc_rows, kind="stable")
        self._entry_starts = np.searchsorted(self._doc_rows[self._by_entry], np.arange(len(self._entry_ids)))
        # words: one BM25 document per way of asking (the best one counts) and one per entry (all together)
        self._bm25 = _Bm25(stemmed_docs)
        merged: dict[str, list[str]] = {entry_id: [] for entry_id in self._entry_ids}
        for entry_id, doc in zip(self._doc_entries, stemmed_docs, strict=True):
            merged[entry_id].extend(doc)
        self._bm25_entries = _Bm25([merged[entry_id] for entry_id in self._entry_ids])
        # characters: each way of asking, and each entry's phrasings together (the centroid)
        doc_grams = [char_grams(doc) for doc in raw_docs]
        self._chars = _CharIndex(doc_grams)
        entry_grams: dict[str, Counter[str]] = {entry_id: Counter() for entry_id in self._entry_ids}
        for entry_id, grams in zip(self._doc_entries, doc_grams, strict=True):
            entry_grams[entry_id].update(grams)
        self._centroids = _CharIndex([entry_grams[entry_id] for entry_id in self._entry_ids])
        features = [self._word_features(doc) + grams for doc, grams in zip(raw_docs, doc_grams, strict=True)]
        self._classifier = _Softmax(features, list(self._doc_rows), len(self._entry_ids))

    def _nearest(self, cosines: FloatArray) -> FloatArray:
        """Per entry, the mean cosine of its NEAREST_K closest phrasings (fewer if it has fewer)."""
        if NEAREST_K == 1:  # the closest phrasing: a maximum per entry, no sort (the same figures)
            return np.asarray(np.maximum.reduceat(cosines[self._by_entry], self._entry_starts))
        order = np.lexsort((-cosines, self._doc_rows))
        rows = self._doc_rows[order]
        starts = np.searchsorted(rows, np.arange(len(self._entry_ids)))
        ends = np.searchsorted(rows, np.arange(len(self._entry_ids)), side="right")
        total = np.zeros(len(self._entry_ids))
        taken = np.minimum(ends - starts, NEAREST_K)
        for j in range(NEAREST_K):
            has = taken > j
            total[has] += cosines[order[starts[has] + j]]
        return np.asarray(total / np.maximum(taken, 1))

    def _word_features(self, tokens: Sequence[str]) -> Counter[str]:
        """Stemmed meaningful words, each counted WORD_WEIGHT times (a word says more than one of its n-grams)."""
        return Counter({f"w:{s}": WORD_WEIGHT * n for s, n in
                        Counter(stem(t) for t in tokens if t not in self._stop and len(t) > 1).items()})

    @property
    def entry_ids(self) -> list[str]:
        """The entries it can answer (without the not-covered class)."""
        return [e for e in self._entry_ids if e != NOT_COVERED]

    @property
    def columns(self) -> list[str]:
        """What each position of `views()` stands for: the entries and, when learned, NOT_COVERED."""
        return list(self._entry_ids)

    def tokens(self, text: str) -> list[str]:
        """The question as known vocabulary where possible (slang expanded, typos corrected), unstemmed."""
        return [self._correct(token) for token in apply_slang(simplify(text), self.slang)]

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

    def views(self, text: str) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, float]:
        """Per entry (in `entry_ids` order): BM25 score, nearest-phrasing cosine, centroid cosine, classifier
        posterior; and the share of the question's meaningful words that the knowledge base knows."""
        tokens = self.tokens(text)
        stop = self._stop
        meaningful = [t for t in tokens if t not in stop and len(t) > 1 and not t.isdigit()]
        known = [t for t in meaningful if stem(t) in self._known_stems]
        coverage = len(known) / len(meaningful) if meaningful else 0.0
        entries = len(self._entry_ids)
        words = np.zeros(entries)
        content = [stem(t) for t in known]
        function = [stem(t) for t in tokens if t in stop and stem(t) in self._known_stems]
        if content or function:
            f = self.weights.function
            per_doc = self._bm25.get_scores(content) + f * self._bm25.get_scores(function)
            np.maximum.at(words, self._doc_rows, per_doc)
            words += 0.5 * (self._bm25_entries.get_scores(content) + f * self._bm25_entries.get_scores(function))
        grams = char_grams([t for t in tokens if len(t) > 1])
        nearest = self._nearest(self._chars.cosines(grams))
        centroid = self._centroids.cosines(grams)
        classifier = self._classifier.posterior(self._word_features(tokens) + grams)
        return words, nearest, centroid, classifier, coverage

    def match(self, text: str, top: int = 3) -> MatchResult:
        """The closest entries, best first; confident only when the best one (not "not covered") clears the bar."""
        *views, coverage = self.views(text)
        combined = combine(self.weights, *views)
        order = [int(i) for i in np.argsort(-combined, kind="stable")[:top + 1]]
        reject = bool(order) and self._entry_ids[order[0]] == NOT_COVERED
        matches = tuple(Match(self._entry_ids[i], float(combined[i])) for i in order
                        if combined[i] > 0 and self._entry_ids[i] != NOT_COVERED)[:top]
        if not matches or coverage == 0.0 or reject:
            return MatchResult(matches=matches, confident=False, coverage=coverage)
        agreement = sum(int(np.argmax(view) == order[0]) for view in views if view.any())
        return MatchResult(matches=matches, confident=confident(matches, coverage, agreement, self.thresholds),
                           coverage=coverage)


def combine(w: Weights, words: FloatArray, nearest: FloatArray, centroid: FloatArray,
            classifier: FloatArray) -> FloatArray:
    """An entry's score (0..1) from its views; works on one question's row or on a matrix of questions."""
    return np.asarray(w.words * words / (words + w.words_half) + w.nearest * nearest + w.centroid * centroid
                      + w.classifier * classifier)


def confident(matches: Sequence[Match], coverage: float, agreement: int, limits: Thresholds) -> bool:
    if not matches or coverage <= 0.0:
        return False
    first = matches[0].score
    second = matches[1].score if len(matches) > 1 else 0.0
    return (first >= limits.min_score and (first - second) / first >= limits.min_margin
            and coverage >= limits.min_coverage and agreement >= limits.min_agreement)
