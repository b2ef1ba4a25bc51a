"""The NIK as a value object: parsed once where the text arrives (`Nik.parse`), with one set of messages for
every feature (`nik_message`). On top of lokal-id's `parse_nik`: 16 digits, a real province, a real birth date,
a serial that is not 0000; optionally (`known_region=True`) a kecamatan in the current Kemendagri list.

Structure only: a valid shape does not prove the NIK is registered at Dukcapil (officials check that).

    try:
        nik = Nik.parse(text, today)
    except NikProblem as problem:
        await say(update, context, nik_message(t, problem))
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from lokal import parse_nik
from lokal.wilayah import wilayah_name

from bot.domain.i18n import N_, Translator
from bot.domain.privacy import mask_nik

NikReason = Literal["no_digits", "letters", "length", "province", "region", "birth_date", "serial"]

_SEPARATORS = re.compile(r"[\s.\-]")


def normalise(text: str) -> str:
    """The typed text without spaces, dots and dashes (NFKC: full-width digits become ASCII)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))


class NikProblem(ValueError):
    """Why a typed text is not a NIK: `reason`, and `digits`, how many digits were typed ("you typed 13")."""

    def __init__(self, reason: NikReason, digits: int = 0) -> None:
        super().__init__(reason)
        self.reason: NikReason = reason
        self.digits = digits


@dataclass(frozen=True, repr=False)
class Nik:
    """16 digits that passed `Nik.parse` (build it only that way). `repr`/`str` show the masked form only
    (logs, f-strings); use `.digits` on purpose."""

    digits: str
    birth_date: dt.date
    female: bool = False

    @classmethod
    def parse(cls, text: str, today: dt.date, *, known_region: bool = False) -> Nik:
        """The NIK in `text` (spaces, dots and dashes allowed), or `NikProblem`. `known_region`: also require
        a kecamatan in the current Kemendagri list (a NIK issued before a pemekaran may carry an old code)."""
        compact = normalise(text)
        count = sum(ch.isdigit() for ch in compact)
        if count == 0:
            raise NikProblem("no_digits")
        if not compact.isdigit() or not compact.isascii():
            raise NikProblem("letters", count)
        if len(compact) != 16:
            raise NikProblem("length", count)
        info = parse_nik(compact, lookup_wilayah=wilayah_name if known_region else None, reference_date=today)
        codes = {issue.code for issue in info.errors}
        if "province" in codes:
            raise NikProblem("province", 16)
        if "wilayah" in codes or info.warnings:
            raise NikProblem("region", 16)
        born = dt.date.fromisoformat(info.birth_date) if info.birth_date and "birth_date" not in codes else None
        if born is None or born > today:
            raise NikProblem("birth_date", 16)
        if codes:
            raise NikProblem("serial", 16)
        return cls(compact, born, female=info.gender == "P")

    def __repr__(self) -> str:
        return f"Nik({self.masked!r})"

    @property
    def masked(self) -> str:
        """6408********0001"""
        return mask_nik(self.digits)

    @property
    def province_code(self) -> str:
        """64"""
        return self.digits[:2]

    @property
    def kabupaten_code(self) -> str:
        """64.08"""
        return f"{self.digits[:2]}.{self.digits[2:4]}"

    @property
    def kecamatan_code(self) -> str:
        """64.08.01"""
        return f"{self.kabupaten_code}.{self.digits[4:6]}"

    @property
    def region_known(self) -> bool:
        """The kecamatan is in the current Kemendagri list (always true with `parse(..., known_region=True)`)."""
        return wilayah_name(self.kecamatan_code) is not None

    def matches_birth_date(self, born: dt.date) -> bool:
        """Digits 7–12 are DDMMYY of `born` (day + 40 for women); the century is not in the NIK."""
        day, month, year = int(self.digits[6:8]), int(self.digits[8:10]), int(self.digits[10:12])
        return day % 40 == born.day and month == born.month and year == born.year % 100


# One message per reason, for every feature (status check, Daftar Minat, ...): the same typo, the same words.
NIK_MESSAGES: dict[NikReason, str] = {
    "no_digits": N_("Please type only the 16 digits of your NIK (on your KTP)."),
    "letters": N_("A NIK has only digits (0–9), no letters or symbols. Please type the 16 digits on your KTP."),
    "province": N_("This number is not a valid NIK. Please check your KTP and type it again."),
    "region": N_("The first 6 digits of this NIK are not a known region code. Please check your KTP."),
    "birth_date": N_("Digits 7–12 of this NIK are not a real birth date. Please check your KTP."),
    "serial": N_("The last 4 digits of a NIK cannot be 0000. Please check your KTP."),
}


def nik_message(t: Translator, problem: NikProblem) -> str:
    """What to tell the user who typed something that is not a NIK."""
    if problem.reason == "length":
        return t.ngettext("A NIK has 16 digits; I counted {n}. Please check your KTP and type it again.",
                          "A NIK has 16 digits; I counted {n}. Please check your KTP and type it again.",
                          problem.digits).format(n=problem.digits)
    return t.gettext(NIK_MESSAGES[problem.reason])


def region_from_digits(text: str) -> str | None:
    """The kecamatan code (64.08.01) of the first six digits of a NIK, typed alone or as a whole NIK;
    None when not 6 or 16 digits or not a Kemendagri kecamatan. The rest of a NIK is not kept."""
    compact = normalise(text)
    if not compact.isascii() or not compact.isdigit() or len(compact) not in (6, 16):
        return None
    code = f"{compact[:2]}.{compact[2:4]}.{compact[4:6]}"
    return code if wilayah_name(code) else None
