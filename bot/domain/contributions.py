"""BPU contribution calculator: JKK, JKM, optional JHT for a declared income, a date and a sector.

Figures come from content/contributions.toml (with sources and validity periods). The PP 50/2025
discount depends on the date and on the sector ("transport" for ojek/ojol, couriers, drivers; else "other"),
and it is for self-paying ("mandiri") workers only: `[[discount_exclusions]]` records who it is not for
(PP 50/2025 Pasal 3: BPU whose JKK + JKM are paid through the APBN or APBD). A quote is always what a
self-paying worker pays; a worker the Pemda or the state pays for pays nothing themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.content import CONTENT_DIR, ContentError, load_toml

Sector = Literal["transport", "other"]
SECTORS: tuple[Sector, ...] = ("transport", "other")
Budget = Literal["APBD", "APBN"]
FUNDER_CODE = r"^[A-Z][A-Z_]{1,23}$"  # a roster sumber_dana code (bot/domain/roster.py)


class LegalBasis(BaseModel):
    """The legal basis shown to users with an amount, e.g. Lampiran II of PP 44/2015, last amended by PP 49/2023."""

    model_config = ConfigDict(extra="forbid")
    regulation: str = Field(min_length=3)
    part: str | None = None
    last_amended_by: str | None = None


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
    basis: LegalBasis | None = None

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


class DiscountExclusion(BaseModel):
    """Who a discount is not for: members whose contributions are paid through these budgets (they pay
    nothing themselves; the budget pays the full rate)."""

    model_config = ConfigDict(extra="forbid")
    discount: str  # the `name` of the discounts it limits
    budgets: list[Budget] = Field(min_length=1)
    funders: list[Annotated[str, Field(pattern=FUNDER_CODE)]] = Field(min_length=1)
    article: str = Field(min_length=3)
    promulgated: dt.date
    source: str = Field(min_length=5)

    @property
    def basis(self) -> str:
        """Where it is written, e.g. "PP 50/2025 Pasal 3"."""
        return f"{self.discount} {self.article}"

    def covers(self, funder: str) -> bool:
        """True when a roster row's sumber_dana (e.g. "APBD_PROVINSI") means one of the excluded budgets."""
        return funder.strip().upper() in self.funders


class ContributionTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rates: list[Rate]
    discounts: list[Discount] = []
    discount_exclusions: list[DiscountExclusion] = []

    @model_validator(mode="after")
    def _exclusions_name_discounts(self) -> ContributionTable:
        for exclusion in self.discount_exclusions:
            limited = [d for d in self.discounts if d.name == exclusion.discount]
            if not limited:
                raise ValueError(f"discount_exclusions: no discount named {exclusion.discount!r}")
            if exclusion.promulgated > max(d.valid_until for d in limited):
                raise ValueError(f"discount_exclusions: {exclusion.discount} promulgated after the discount ended")
        return self

    def exclusion(self, discount: Discount | None = None) -> DiscountExclusion | None:
        """The exclusion limiting `discount` (any discount's when None)."""
        return next((e for e in self.discount_exclusions if discount is None or e.discount == discount.name), None)

    def exclusion_for_funder(self, funder: str) -> DiscountExclusion | None:
        """The exclusion that applies to a member paid for by `funder` (a roster sumber_dana code)."""
        return next((e for e in self.discount_exclusions if e.covers(funder)), None)

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
