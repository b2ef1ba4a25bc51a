"""Gettext catalogs (Babel) and locale-aware formatting.

The `.po` catalogs in `locales/` are compiled in memory when the bot starts, so a compiled catalog can
never be stale; a missing or broken catalog stops the start with a clear error.
English msgids live in the code; mark them with `_()` (translated now) or `N_()` (translated later).
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent

from bot.domain.content import PROJECT_ROOT

SUPPORTED_LANGUAGES = ("id", "en")

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"
WITA = ZoneInfo("Asia/Makassar")

# Babel locale used for formatting, per supported language.
BABEL_LOCALES = {"id": "id_ID", "en": "en"}
# The money pattern per language: Rp16.800 (id) and Rp16,800 (en).
MONEY_PATTERNS = {"id": "¤#,##0", "en": "'Rp'#,##0"}
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


class CatalogError(RuntimeError):
    """A translation catalog is missing or cannot be compiled."""


def N_(message: str) -> str:
    """Marks a string for extraction without translating it (translated later with `_`)."""
    return message


def catalog_path(language: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> _gettext.GNUTranslations:
    path = catalog_path(language, locales_dir)
    if not path.exists():
        raise CatalogError(f"translation catalog missing: {path} (run `python -m bot i18n update`)")
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
    except Exception as exc:  # babel raises several error types for a broken file
        raise CatalogError(f"translation catalog {path} cannot be compiled: {exc}") from exc
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def _catalogs() -> dict[str, _gettext.GNUTranslations]:
    return {lang: compile_catalog(lang) for lang in SUPPORTED_LANGUAGES}


def load_catalogs() -> None:
    """Compile every catalog now (at start) so that a broken one fails loudly and early."""
    _catalogs.cache_clear()
    _catalogs()


def resolve_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """Stored choice → Telegram's language_code → DEFAULT_LANGUAGE."""
    if stored in SUPPORTED_LANGUAGES:
        return stored
    if telegram_code:
        base = telegram_code.split("-")[0].split("_")[0].lower()
        if base in SUPPORTED_LANGUAGES:
            return base
    return default


@dataclass(frozen=True)
class Translator:
    """Everything a reply needs for one user's language: gettext plus Babel formatting (times in WITA)."""

    language: str
    tz: ZoneInfo = WITA

    @property
    def _t(self) -> _gettext.GNUTranslations:
        return _catalogs()[self.language]

    @property
    def babel_locale(self) -> str:
        return BABEL_LOCALES[self.language]

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def money(self, amount: int | float | Decimal) -> str:
        return format_currency(
            amount, "IDR", format=MONEY_PATTERNS[self.language], locale=self.babel_locale,
            currency_digits=False,
        )

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.babel_locale)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.babel_locale)

    def local_date(self, value: dt.date) -> dt.date:
        """The calendar day shown to the user: a moment (aware; naive = UTC) becomes its day in WITA; a date
        (a birth date, a protection end) is a day already and stays as it is."""
        if isinstance(value, dt.datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return aware.astimezone(self.tz).date()
        return value

    def date(self, value: dt.date, fmt: str = "d MMMM y") -> str:
        """A day, e.g. `30 November 2026`; a datetime is converted to its WITA day first (never its UTC day)."""
        return format_date(self.local_date(value), fmt, locale=self.babel_locale)

    def short_date(self, value: dt.date) -> str:
        return format_date(self.local_date(value), "d MMM y", locale=self.babel_locale)

    def datetime(self, value: dt.datetime) -> str:
        """A moment as local time in WITA, e.g. `22 November 2026 08.00 WITA`."""
        local = value.astimezone(self.tz) if value.tzinfo else value.replace(tzinfo=dt.UTC).astimezone(self.tz)
        return format_datetime(local, "d MMMM y HH.mm", locale=self.babel_locale) + " " + self.tz_label

    def time(self, value: dt.datetime) -> str:
        local = value.astimezone(self.tz)
        return format_time(local, "HH.mm", locale=self.babel_locale) + " " + self.tz_label

    @property
    def tz_label(self) -> str:
        return {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Jayapura": "WIT"}.get(str(self.tz), str(self.tz))


def translator(language: str, tz: ZoneInfo = WITA) -> Translator:
    if language not in SUPPORTED_LANGUAGES:
        language = SUPPORTED_LANGUAGES[0]
    return Translator(language=language, tz=tz)
