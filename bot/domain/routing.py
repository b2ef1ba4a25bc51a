"""Who follows up a place: the one routing rule for workers' requests (Daftar Minat) and questions.

The officials of the most precise area holding the place that has any: the desa's own officials, else those of
its kecamatan, else those of its kabupaten/kota; when nobody serves it (or the place is unknown), the admins
(`ADMIN_IDS` and the admins added by admins). Every call reads the active officials, so an invite accepted or a
role revoked changes the route at once. Free of Telegram types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.domain.i18n import Translator
from bot.domain.regions import region
from storage.officials import OfficialRecord, OfficialRepository, area_prefixes
from storage.routing import DesaWaiting

Level = Literal["desa", "kecamatan", "kabupaten", "admins"]
LEVELS: dict[int, Level] = {4: "desa", 3: "kecamatan", 2: "kabupaten"}  # parts of a region code → level


@dataclass(frozen=True)
class Responsible:
    """Who follows up a place: `people` (Telegram ids) at `level`; `area_code` is the area they serve (for
    "admins": the place's kabupaten/kota when it is known, to name the district team)."""

    level: Level
    area_code: str | None
    people: tuple[int, ...]


def route(region_code: str | None, active: Iterable[OfficialRecord], admin_ids: Iterable[int]) -> Responsible:
    """The routing rule on a list of active officials (see the module's docstring)."""
    officials = [o for o in active if o.role == "official"]
    if region_code:
        for area in reversed(area_prefixes(region_code)):
            level = LEVELS.get(len(area.split(".")))
            if level is None:
                continue
            found = sorted({o.user_id for o in officials if area in o.area_codes})
            if found:
                return Responsible(level, area, tuple(found))
    admins = sorted(set(admin_ids) | {o.user_id for o in active if o.role == "admin"})
    kabupaten = ".".join(region_code.split(".")[:2]) if region_code and region(region_code) else None
    return Responsible("admins", kabupaten, tuple(admins))


def has_own_official(desa_code: str, active: Iterable[OfficialRecord]) -> bool:
    """An official serves this desa itself (not only through its kecamatan or kabupaten)."""
    return any(o.role == "official" and desa_code in o.area_codes for o in active)


class Router:
    """The routing rule on the officials table (read at every call) and the configured admins."""

    def __init__(self, officials: OfficialRepository | None, admin_ids: Iterable[int]) -> None:
        self.officials = officials
        self.admin_ids = frozenset(admin_ids)

    async def active(self) -> list[OfficialRecord]:
        return await self.officials.list_active() if self.officials is not None else []

    async def responsible(self, region_code: str | None) -> Responsible:
        return route(region_code, await self.active(), self.admin_ids)

    async def admins(self) -> list[int]:
        """Every admin: `ADMIN_IDS` and the active admins added by admins."""
        return list(route(None, await self.active(), self.admin_ids).people)


@dataclass(frozen=True)
class UncoveredDesa:
    """A desa with requests waiting and no official of its own; `covered_by` follows them up meanwhile."""

    desa_code: str
    waiting: int
    oldest: dt.datetime
    covered_by: Responsible


@dataclass(frozen=True)
class GapDigest:
    """For one admin, in their language: the desa with waiting requests and no official of their own."""

    admin_id: int
    language: str
    desa: list[UncoveredDesa]


def uncovered(waiting: Iterable[DesaWaiting], active: list[OfficialRecord],
              admin_ids: Iterable[int]) -> list[UncoveredDesa]:
    """The desa among `waiting` that no official serves directly, with who covers them now."""
    return [UncoveredDesa(w.desa_code, w.waiting, w.oldest, route(w.desa_code, active, admin_ids))
            for w in waiting if not has_own_official(w.desa_code, active)]


def place_name(code: str | None) -> str:
    """`Desa Senyiur`, `Kelurahan Bontang Kuala`, `Kecamatan Muara Ancalong`, `Kabupaten Kutai Timur`."""
    found = region(code) if code else None
    if found is None:
        return code or ""
    if found.level == 2:  # the name already says Kabupaten / Kota
        return found.name
    return f"{found.kind.capitalize()} {found.name}"


def follow_up_text(t: Translator, desa_code: str, who: Responsible) -> str:
    """What the worker is told about who will contact them (plain text: escape it for HTML)."""
    _ = t.gettext
    if who.level == "desa":
        return _("The officials of {desa} will contact you.").format(desa=place_name(desa_code))
    if who.level == "kecamatan":
        return _("{desa} has no official in this bot yet, so the officials of {kecamatan} will contact you.").format(
            desa=place_name(desa_code), kecamatan=place_name(who.area_code))
    if who.area_code:
        return _("{desa} has no official in this bot yet, so the Disnakertrans team of {kabupaten} will contact "
                 "you.").format(desa=place_name(desa_code), kabupaten=place_name(who.area_code))
    return _("The Disnakertrans team will contact you.")
