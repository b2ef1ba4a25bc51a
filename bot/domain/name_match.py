"""Does a typed name match the name on the roster (as on the KTP)? The status check's second factor.

Both names are normalised the same way: case, accents, punctuation and spacing; titles before the name
(H., Hj., Drs., Ir., dr., Prof., K.H., Bapak/Ibu …) and degrees after it (", S.Pd.", "S.E", "A.Md." …);
the spellings of one sound (old spelling `oe`/`dj`/`tj`, `ch`/`kh`, `ph`, `th`, `dh`, doubled letters, a final
`y`); the ways of writing Muhammad (M., Muh., Moh., Mochammad …). A patronymic (`bin`/`binti` and what follows)
may be typed or left out.

What may be typed: the full name, or the name from its start up to the first name at least — the first name
being the first word that is not a common prefix (Muhammad, Siti, Nur, Abdul, the Balinese birth-order names,
Andi, La/Wa …: "Siti Aminah" is matched by "Aminah" or "Siti Aminah", not by "Siti" alone). The last
word(s) may be left out ("Budi" for "Budi Santoso"). Small spelling differences pass: `fuzz.ratio` of the
normalised forms ≥ THRESHOLD (chosen on the pairs in tests/unit/test_name_match.py, see there).
No Telegram types here; nothing is logged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

THRESHOLD = 91.0  # fuzz.ratio (0–100) of two normalised names for a match
MAX_LENGTH = 120

TITLES = frozenset({
    "h", "hj", "haji", "hajjah", "hajah", "drs", "dra", "dr", "ir", "prof", "kh", "ust", "ustadz", "ustad",
    "ustazah", "ustadzah", "tn", "ny", "nn", "sdr", "sdri", "bpk", "bapak", "pak", "ibu", "bu", "ibuk", "mas",
    "mbak", "kak", "bang", "almarhum", "alm", "almh", "hc",
})
DEGREES = frozenset({
    "spd", "spdi", "se", "sh", "shi", "skom", "st", "ssos", "sag", "sip", "sp", "skep", "skm", "ssi", "shut",
    "spt", "sth", "sfarm", "ssn", "sik", "sked", "sgz", "stp", "sei", "amd", "amdkep", "amdkeb", "ak", "mpd",
    "msi", "mm", "mkes", "mh", "mt", "mag", "mkom", "ma", "msc", "phd", "mba", "ns", "bsc", "ba", "ssy", "sthi",
    "mpdi", "ssit", "str", "apt",
})
# Degrees so unlike a name that they are dropped at the end even without a comma or a dot.
PLAIN_DEGREES = frozenset({"spd", "spdi", "skom", "ssos", "sag", "skep", "skm", "ssi", "shut", "amd", "amdkep",
                           "amdkeb", "mpd", "msi", "mkes", "mkom", "sked", "sfarm", "mpdi", "ssit"})
MUHAMMAD = frozenset({"m", "mh", "mhd", "muh", "moh", "mochamad", "mochammad", "mohamad", "mohammad", "mohamed",
                      "muhamad", "muhammad", "muhammed", "mohd", "md", "muchammad", "muchamad", "mukhammad"})
PREFIXES = frozenset({
    "muhamad",  # the normal form of every Muhammad (after `_spelling`)
    "siti", "st", "sri", "nur", "nurul", "abdul", "abd", "i", "ni", "luh", "wayan", "putu", "gede", "made", "kadek",
    "nengah", "nyoman", "komang", "ketut", "gusti", "andi", "la", "wa", "daeng", "raden", "rr", "r",
})
PATRONYMIC = frozenset({"bin", "binti", "bt", "bte", "binte"})

_APOSTROPHES = re.compile(r"['’`´ʼ‘]")
_NOT_LETTERS = re.compile(r"[^a-z]+")
_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("nj", "ny"), ("ch", "h"), ("kh", "h"),
              ("ph", "f"), ("th", "t"), ("dh", "d"), ("q", "k"), ("v", "f"), ("x", "ks"), ("z", "j"))
_DOUBLED = re.compile(r"([a-z])\1+")


@dataclass(frozen=True)
class ParsedName:
    given: tuple[str, ...]  # the name without titles, degrees and patronymic, normalised word by word
    patronymic: tuple[str, ...] = ()  # the words after bin/binti

    @property
    def full(self) -> tuple[str, ...]:
        return self.given + self.patronymic


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _spelling(word: str) -> str:
    for old, new in _SPELLINGS:
        word = word.replace(old, new)
    word = _DOUBLED.sub(r"\1", word)
    return word[:-1] + "i" if len(word) > 2 and word.endswith("y") else word


def _words(part: str) -> list[tuple[str, bool]]:
    """(letters, had a dot) per word of a part of the name (apostrophes dropped, other marks split words)."""
    out: list[tuple[str, bool]] = []
    for token in _APOSTROPHES.sub("", part).split():
        dotted = "." in token
        letters = token.replace(".", "")
        pieces = [p for p in _NOT_LETTERS.split(letters) if p]
        # "S.Pd" or "A.Md." is one word (a degree); "M.Rizki" or "Abdul-Rahman" are two
        if dotted and len(pieces) == 1 and pieces[0] in DEGREES | TITLES:
            out.append((pieces[0], True))
            continue
        subtokens = [p for p in _NOT_LETTERS.split(token.replace(".", " ")) if p] if dotted else pieces
        out.extend((p, dotted) for p in subtokens)
    return out


def parse_name(text: str) -> ParsedName:
    """The name's words without titles and degrees, each in a normal spelling, and the patronymic apart."""
    cleaned = _ascii(text[:MAX_LENGTH])
    head, _comma, _degrees = cleaned.partition(",")  # "Siti Aminah, S.Pd." — degrees follow a comma
    words = _words(head if head.strip() else cleaned)
    while len(words) > 1 and words[0][0] in TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1][0] in DEGREES and (words[-1][1] or words[-1][0] in PLAIN_DEGREES):
        words.pop()
    names = [w for w, _dot in words]
    if names and names[0] in MUHAMMAD:
        names[0] = "muhammad"
    names = ["muhammad" if w in MUHAMMAD - {"m", "md", "mh"} else w for w in names]
    normal = [_spelling(w) for w in names]
    for i, word in enumerate(normal):
        if word in PATRONYMIC and 0 < i < len(normal) - 1:
            return ParsedName(tuple(normal[:i]), tuple(normal[i + 1:]))
    return ParsedName(tuple(normal))


def first_name_index(words: tuple[str, ...]) -> int:
    """The position of the first name: the first word that is not a common prefix (0 if all are)."""
    return next((i for i, word in enumerate(words) if word not in PREFIXES), 0)


def accepted_forms(stored: ParsedName) -> set[str]:
    """Every form of the roster name that a person may type (normalised, words joined by a space)."""
    forms: set[str] = set()
    for words in {stored.given, stored.full}:
        if not words:
            continue
        first = first_name_index(words)
        for end in range(first + 1, len(words) + 1):
            forms.add(" ".join(words[:end]))  # from the start: "Siti Aminah", "Budi", "Budi Santoso"
            forms.add(" ".join(words[first:end]))  # from the first name: "Aminah", "Rizki Pratama"
    return forms


def similarity(typed: str, stored: str) -> float:
    """The best `fuzz.ratio` (0–100) of the typed name against the forms of the roster name."""
    mine = parse_name(typed)
    if not mine.given:
        return 0.0
    candidates = {" ".join(mine.given), " ".join(mine.full)}
    forms = accepted_forms(parse_name(stored))
    return max((fuzz.ratio(a, b) for a in candidates for b in forms), default=0.0)


def names_match(typed: str, stored: str, threshold: float = THRESHOLD) -> bool:
    return similarity(typed, stored) >= threshold


def only_common_words(text: str) -> bool:
    """Only words that many names start with ("Siti", "Muhammad", "I Wayan"): not a first name of its own."""
    words = parse_name(text).given
    return bool(words) and all(word in PREFIXES for word in words)


def looks_like_name(text: str) -> bool:
    """Letters (at least two), spaces and name punctuation only: what the name step takes as an answer."""
    stripped = text.strip()
    letters = sum(ch.isalpha() for ch in stripped)
    return letters >= 2 and len(stripped) <= MAX_LENGTH and all(
        ch.isalpha() or ch in " .,'’`-" or unicodedata.combining(ch) for ch in stripped)
