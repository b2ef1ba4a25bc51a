"""BPU contribution calculator: JKK, JKM, optional JHT for a declared income, a date and a sector.

Figures come from content/contributions.toml (with sources and validity periods). The PP 50/2025
discount depends on the date and on the sector ("transport" for ojek/ojol, couriers, drivers; else "other").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.content import CONTENT_DIR, ContentError, load_toml

Sector = Literal["transport", "other"]
SECTORS: tuple[Sector, ...] = ("transport", "other")


class Rate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programme: Literal["JKK", "JKM", "JHT"]
    kind: Literal["percent_of_income", "fixed"]
    value: Decimal = Field(gt=0)
    minimum_income: int | None = None
    valid_from: dt.date
    valid_until: dt.date | None = None
    source: str = Field(min_length=5)
    optional: bool = False

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def amount(self, income: int) -> Decimal:
        if self.kind == "fixed":
            return self.value
        base = max(income, self.minimum_income or 0)
        return Decimal(base) * self.value / 100


class Discount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    percent: Decimal = Field(gt=0, le=100)
    programmes: list[Literal["JKK", "JKM", "JHT"]]
    sectors: list[Sector]
    valid_from: dt.date
    valid_until: dt.date
    source: str = Field(min_length=5)

    @model_validator(mode="after")
    def _period(self) -> Discount:
        if self.valid_until < self.valid_from:
            raise ValueError(f"{self.name}: valid_until before valid_from")
        return self

    def applies(self, day: dt.date, sector: Sector, programme: str) -> bool:
        return self.valid_from <= day <= self.valid_until and sector in self.sectors and programme in self.programmes


class ContributionTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rates: list[Rate]
    discounts: list[Discount] = []

    def rate(self, programme: str, day: dt.date) -> Rate:
        for rate in self.rates:
            if rate.programme == programme and rate.holds_on(day):
                return rate
        raise ContentError(f"no {programme} rate holds on {day.isoformat()}")

    def discount(self, programme: str, day: dt.date, sector: Sector) -> Discount | None:
        return next((d for d in self.discounts if d.applies(day, sector, programme)), None)


@dataclass(frozen=True)
class Quote:
    """What a BPU worker pays per month, in whole rupiah."""

    day: dt.date
    sector: Sector
    declared_income: int  # after applying the lowest declared income
    jkk: int
    jkm: int
    jht: int
    jkk_full: int
    jkm_full: int
    discount: Discount | None

    @property
    def basic_total(self) -> int:
        """JKK + JKM, the protection a Pemda scheme pays for."""
        return self.jkk + self.jkm

    @property
    def total_with_jht(self) -> int:
        return self.basic_total + self.jht

    @property
    def discounted(self) -> bool:
        return self.discount is not None


def _rupiah(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=4)
def load_table(path: Path = CONTENT_DIR / "contributions.toml") -> ContributionTable:
    try:
        return ContributionTable.model_validate(load_toml(path))
    except ValidationError as exc:
        raise ContentError(f"{path}: {exc}") from None


def quote(income: int, sector: Sector, day: dt.date, table: ContributionTable | None = None) -> Quote:
    """Contributions for a declared monthly income (below the lowest bracket counts as the lowest)."""
    table = table or load_table()
    jkk_rate, jkm_rate, jht_rate = (table.rate(p, day) for p in ("JKK", "JKM", "JHT"))
    declared = max(income, jkk_rate.minimum_income or 0)
    amounts: dict[str, int] = {}
    full: dict[str, int] = {}
    used: Discount | None = None
    for programme, rate in (("JKK", jkk_rate), ("JKM", jkm_rate), ("JHT", jht_rate)):
        value = rate.amount(declared)
        full[programme] = _rupiah(value)
        discount = table.discount(programme, day, sector)
        if discount is not None:
            value = value * (100 - discount.percent) / 100
            used = discount
        amounts[programme] = _rupiah(value)
    return Quote(day=day, sector=sector, declared_income=declared, jkk=amounts["JKK"], jkm=amounts["JKM"],
                 jht=amounts["JHT"], jkk_full=full["JKK"], jkm_full=full["JKM"], discount=used)
