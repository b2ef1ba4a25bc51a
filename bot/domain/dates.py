"""Birth dates as people type them: the one parser for every step that reads a typed birth date.

`parse_birth_date("15 mei 1985", today)`, also `15.05.85`, `15051985`, `15-5-85`, `15/5/1985`, `15 Mei 85`,
`May 15, 1985`, `1985-05-15`. Day first (Indonesian and British order), month as a number or a name
(Indonesian or English, full or short: `mei`, `agu`, `agustus`, `aug`, `august`, `okt`, `oct` …).
A two-digit year takes the century that makes the person 15–100 years old today (none fits: not a date);
a four-digit year any birth date from 1900 up to today. No Telegram types here.
"""

from __future__ import annotations

import datetime as dt
import re

MIN_AGE, MAX_AGE = 15, 100  # the ages a two-digit year is read for
FIRST_YEAR = 1900

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    ("januari", "january", "jan"),
    ("februari", "pebruari", "february", "feb", "peb"),
    ("maret", "march", "mar", "mrt"),
    ("april", "apr"),
    ("mei", "may"),
    ("juni", "june", "jun"),
    ("juli", "july", "jul"),
    ("agustus", "august", "agu", "agt", "agus", "aug", "ags"),
    ("september", "sep", "sept"),
    ("oktober", "october", "okt", "oct"),
    ("november", "nopember", "nov", "nop"),
    ("desember", "december", "des", "dec"),
), start=1):
    for _name in _names:
        _MONTHS[_name] = _number

_SEPARATOR = r"[\s./\-,]+"
_NUMERIC = re.compile(rf"(\d{{1,2}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{2}}|\d{{4}})")
_ISO = re.compile(rf"(\d{{4}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{1,2}})")
_OPTIONAL = rf"(?:{_SEPARATOR})?"
_DAY_NAME = re.compile(rf"(\d{{1,2}}){_OPTIONAL}([a-z]+){_OPTIONAL}(\d{{2}}|\d{{4}})")
_NAME_DAY = re.compile(rf"([a-z]+){_OPTIONAL}(\d{{1,2}}){_SEPARATOR}(\d{{2}}|\d{{4}})")
_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{2}|\d{4})")


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve(day: int, month: int, year_text: str, today: dt.date) -> dt.date | None:
    """The birth date for a day, month and a typed year of 2 or 4 digits (see the module docstring)."""
    if len(year_text) == 4:
        born = _date(int(year_text), month, day)
        return born if born is not None and born.year >= FIRST_YEAR and born <= today else None
    short = int(year_text)
    for century in (today.year // 100 * 100, today.year // 100 * 100 - 100):
        born = _date(century + short, month, day)
        if born is not None and born <= today and MIN_AGE <= _age(born, today) <= MAX_AGE:
            return born
    return None


def _month(name: str) -> int | None:
    return _MONTHS.get(name)


def parse_birth_date(text: str, today: dt.date) -> dt.date | None:
    """A typed birth date, or None when it is not one (see the module docstring for the forms read)."""
    cleaned = " ".join(text.casefold().split()).strip(" .,")
    if not cleaned or len(cleaned) > 40:
        return None
    if match := _COMPACT.fullmatch(cleaned):
        day, month, year = match.groups()
        return _resolve(int(day), int(month), year, today)
    if match := _ISO.fullmatch(cleaned):
        year, month, day = match.groups()
        return _resolve(int(day), int(month), year, today)
    if match := _NUMERIC.fullmatch(cleaned):
        day, month, year = match.groups()
        return _resolve(int(day), int(month), year, today)
    if match := _DAY_NAME.fullmatch(cleaned):
        day, name, year = match.groups()
        month = _month(name)
        return _resolve(int(day), month, year, today) if month else None
    if match := _NAME_DAY.fullmatch(cleaned):
        name, day, year = match.groups()
        month = _month(name)
        return _resolve(int(day), month, year, today) if month else None
    return None
