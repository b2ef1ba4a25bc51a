"""Occupation categories (content/occupations.toml) with translatable labels and their sector."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.domain.content import ContentError, load_toml
from bot.domain.contributions import SECTORS, Sector
from bot.domain.i18n import N_

LABELS: dict[str, str] = {
    "ojek": N_("Ojek / ojol driver"),
    "driver_courier": N_("Driver / courier"),
    "farmer": N_("Farmer"),
    "farm_labourer": N_("Farm labourer"),
    "fisher": N_("Fisher"),
    "trader": N_("Small trader / UMKM"),
    "casual_labourer": N_("Casual labourer"),
    "construction": N_("Construction worker"),
    "religious": N_("Religious worker"),
    "village_staff": N_("RT/RW or village staff"),
    "livestock": N_("Livestock keeper"),
    "other": N_("Other work"),
}


@dataclass(frozen=True)
class Occupation:
    id: str
    sector: Sector

    @property
    def label_msgid(self) -> str:
        return LABELS[self.id]


@lru_cache(maxsize=1)
def occupations() -> tuple[Occupation, ...]:
    items = []
    for entry in load_toml("occupations.toml").get("occupations", []):
        if entry.get("id") not in LABELS:
            raise ContentError(f"occupations.toml: {entry.get('id')!r} has no label in bot/occupations.py")
        if entry.get("sector") not in SECTORS:
            raise ContentError(f"occupations.toml: {entry['id']}: sector must be one of {SECTORS}")
        items.append(Occupation(id=entry["id"], sector=entry["sector"]))
    return tuple(items)


def occupation(occupation_id: str) -> Occupation | None:
    return next((o for o in occupations() if o.id == occupation_id), None)
