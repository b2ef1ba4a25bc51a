"""Benefits and fees: figures as data (content/benefits.toml), the calculator's reply, income parsing.

Free of Telegram types. Texts that show figures use `{placeholders}` filled by `figure_values()`, so a figure
changed in the content file changes every page and FAQ answer that mentions it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from lokal import ParsedRupiah, parse_rupiah
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.content import CONTENT_DIR, ContentError, load_toml
from bot.domain.contributions import (
    Budget,
    ContributionTable,
    Discount,
    DiscountExclusion,
    LegalBasis,
    Quote,
    Sector,
    load_table,
    quote,
)
from bot.domain.i18n import N_, Translator

Unit = Literal["rupiah", "count", "percent", "months", "years", "days", "hours"]

# Typed amounts above this are taken as a typing mistake, not a monthly income.
INCOME_SANITY_LIMIT = 1_000_000_000
# A bare number below this (e.g. "2" or "1,5") is read as millions of rupiah: nobody earns Rp2 a month.
BARE_MILLIONS_BELOW = 100
# The calculator refuses a monthly income above this. Why Rp20 juta: the calculator is for pekerja rentan, BPU
# "whose income only covers daily needs" (shared/facts §1; Bontang's rule cites an income below about Rp1 juta);
# the lowest declared income is Rp1 juta (content/contributions.toml) and the highest income range offered is
# "Rp5 juta or more" (content/benefits.toml); and the JKK bracket table for higher incomes is not in the facts
# (§3: one source gives JKK up to Rp207,000, about Rp20.7 juta at 1% [?]), so above Rp20 juta a 1% figure is
# one we cannot stand behind. Twenty times the lowest level leaves room for a good month.
PLAUSIBLE_MONTHLY_INCOME = 20_000_000


class Figure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    amount: int = Field(gt=0)
    unit: Unit
    valid_from: dt.date
    valid_until: dt.date | None = None
    source: str = Field(min_length=5)

    @model_validator(mode="after")
    def _period(self) -> Figure:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(f"{self.id}: valid_until before valid_from")
        return self

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class Page(BaseModel):
    model_config = ConfigDict(extra="forbid")
    faq: str


class IncomeRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: int = Field(ge=0)
    high: int | None = None

    @model_validator(mode="after")
    def _order(self) -> IncomeRange:
        if self.high is not None and self.high <= self.low:
            raise ValueError(f"income range {self.low}-{self.high}: high must be above low")
        return self


class BenefitsContent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    figures: list[Figure]
    pages: list[Page]
    income_ranges: list[IncomeRange]

    @model_validator(mode="after")
    def _unique(self) -> BenefitsContent:
        ids = [f.id for f in self.figures]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"figure ids used twice: {duplicates}")
        return self

    def figure(self, figure_id: str, day: dt.date) -> Figure:
        for figure in self.figures:
            if figure.id == figure_id and figure.holds_on(day):
                return figure
        raise ContentError(f"benefits.toml: no figure {figure_id!r} holds on {day.isoformat()}")


@lru_cache(maxsize=4)
def load_benefits(path: Path = CONTENT_DIR / "benefits.toml") -> BenefitsContent:
    try:
        return BenefitsContent.model_validate(load_toml(path))
    except ValidationError as exc:
        raise ContentError(f"{path}: {exc}") from None


def format_figure(t: Translator, figure: Figure) -> str:
    if figure.unit == "rupiah":
        return t.money(figure.amount)
    if figure.unit == "percent":
        return t.number(figure.amount) + "%"
    return t.number(figure.amount)


def figure_values(t: Translator, day: dt.date, content: BenefitsContent | None = None) -> dict[str, str]:
    """Every `{placeholder}` the texts may use, formatted for this language and true on `day`."""
    lookup = FigureLookup(t, day, content)
    return {name: lookup[name] for name in lookup.names()}


class FigureLookup:
    """`{placeholder}` values computed on demand (formatting money with Babel is the costly part), for
    `str.format_map`: an answer formats only the figures it shows."""

    def __init__(self, t: Translator, day: dt.date, content: BenefitsContent | None = None) -> None:
        self.t = t
        self.day = day
        self.content = content or load_benefits()
        self._figures = {f.id: f for f in self.content.figures if f.holds_on(day)}
        self._cache: dict[str, str] = {}

    def names(self) -> list[str]:
        table = load_table()
        exclusion = [*_EXCLUSION_NAMES] if table.discount_exclusions else []
        basis = ["jkk_basis"] if any(r.programme == "JKK" and r.basis for r in table.rates) else []
        return [*self._figures, *_COMPUTED, *self._discount_names(), *exclusion, *basis]

    def _discount_names(self) -> list[str]:
        names = []
        for sector in ("transport", "other"):
            if any(sector in d.sectors for d in load_table().discounts):
                names += [f"discount_{sector}_from", f"discount_{sector}_until"]
        return [*names, "discount_percent", "fee_discounted"] if names else []

    def __getitem__(self, name: str) -> str:
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def _compute(self, name: str) -> str:
        t, day = self.t, self.day
        if name in self._figures:
            return format_figure(t, self._figures[name])
        table = load_table()
        jkk, jkm, jht = (table.rate(p, day) for p in ("JKK", "JKM", "JHT"))
        lowest = jkk.minimum_income or 0
        base = quote(lowest, "other", day, table)
        if name == "lowest_income":
            return t.money(lowest)
        if name == "jkk_percent":
            return t.number(jkk.value) + "%"
        if name == "jht_percent":
            return t.number(jht.value) + "%"
        if name == "jkk_min":
            return t.money(base.jkk_full)
        if name == "jkm_fee":
            return t.money(jkm.amount(lowest))
        if name == "fee_basic":
            return t.money(base.jkk_full + base.jkm_full)
        if name == "fee_with_jht":
            return t.money(base.jkk_full + base.jkm_full + base.jht)
        if name == "fee_today_other":
            return t.money(base.basic_total)
        if name == "fee_today_transport":
            return t.money(quote(lowest, "transport", day, table).basic_total)
        if name == "fee_today_by_work":
            return fees_by_work(t, day, table)
        if name == "today":
            return t.date(day)
        if name == "jkk_basis" and jkk.basis is not None:
            return legal_basis_text(t, jkk.basis)
        exclusion = table.exclusion()
        if exclusion is not None and name in _EXCLUSION_NAMES:
            return _exclusion_value(t, exclusion, name)
        discounts = table.discounts
        if name in ("discount_percent", "fee_discounted") and discounts:
            if name == "discount_percent":
                return t.number(discounts[0].percent) + "%"
            return t.money((base.jkk_full + base.jkm_full) * (100 - discounts[0].percent) / 100)
        for sector in ("transport", "other"):
            discount = next((d for d in discounts if sector in d.sectors), None)
            if discount is not None and name == f"discount_{sector}_from":
                return t.date(discount.valid_from)
            if discount is not None and name == f"discount_{sector}_until":
                return t.date(discount.valid_until)
        raise KeyError(name)


_COMPUTED = ("lowest_income", "jkk_percent", "jht_percent", "jkk_min", "jkm_fee", "fee_basic", "fee_with_jht",
             "fee_today_other", "fee_today_transport", "fee_today_by_work", "today")
# From content/contributions.toml [[discount_exclusions]]: who the discount is not for.
_EXCLUSION_NAMES = ("discount_name", "discount_excluded_budgets", "discount_excluded_payers",
                    "discount_exclusion_basis")


def _exclusion_value(t: Translator, exclusion: DiscountExclusion, name: str) -> str:
    if name == "discount_excluded_budgets":
        return join_or(t, list(exclusion.budgets))
    if name == "discount_excluded_payers":
        return budget_payers(t, exclusion)
    if name == "discount_exclusion_basis":
        return exclusion.basis
    return exclusion.discount  # discount_name


# ---------------------------------------------------------------- who pays: the discount and its exclusion

BUDGET_PAYERS: dict[Budget, str] = {
    "APBD": N_("the Pemda (APBD)"),
    "APBN": N_("the central government (APBN)"),
}


def join_or(t: Translator, items: list[str]) -> str:
    """"A", "A or B", "A, B or C" in the user's language."""
    if len(items) < 2:
        return "".join(items)
    return t.gettext("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def budget_payers(t: Translator, exclusion: DiscountExclusion) -> str:
    """Who pays for the excluded members, e.g. "Pemda (APBD) atau pemerintah pusat (APBN)"."""
    return join_or(t, [t.gettext(BUDGET_PAYERS[b]) for b in exclusion.budgets])


def legal_basis_text(t: Translator, basis: LegalBasis) -> str:
    """E.g. "Lampiran II PP 44/2015, terakhir diubah PP 49/2023"."""
    text = basis.regulation
    if basis.part:
        text = t.gettext("{part} of {regulation}").format(part=basis.part, regulation=basis.regulation)
    if basis.last_amended_by:
        text = t.gettext("{basis}, last amended by {amendment}").format(basis=text, amendment=basis.last_amended_by)
    return text


def fees_by_work(t: Translator, day: dt.date, table: ContributionTable | None = None) -> str:
    """Today's lowest self-paying JKK + JKM per kind of work; one amount when both are the same."""
    table = table or load_table()
    lowest = table.rate("JKK", day).minimum_income or 0
    transport, other = (quote(lowest, sector, day, table).basic_total for sector in ("transport", "other"))
    if transport == other:
        return t.gettext("{amount} for any work").format(amount=t.money(other))
    return t.gettext("ojek/courier/driver {transport}, other work {other}").format(
        transport=t.money(transport), other=t.money(other))


def pays_nothing_line(t: Translator, exclusion: DiscountExclusion, discount: Discount | None) -> str:
    """For anyone whose JKK + JKM the Pemda or the state pays: they pay nothing, the full fee is paid for them
    (never the discounted one: `discount` is the one in force or coming, None when there is none)."""
    text = t.gettext("🏛 Paid for by {payers}?\nThen you pay nothing yourself.").format(
        payers=budget_payers(t, exclusion))
    if discount is not None:
        text += " " + t.gettext("The full fee is paid for you, with no discount ({basis}).").format(
            basis=exclusion.basis)
    return text


# ---------------------------------------------------------------- income parsing

_SPACES = re.compile(r"\s+")
_BARE_NUMBER = re.compile(r"^(?:rp\.?\s*)?(\d{1,2}(?:[.,]\d{1,2})?)$")
# Forms lokal.parse_rupiah misses (checked in tests/test_calculator.py), mapped to forms it reads.
_REWRITES = (
    (re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(?:jeti|jta|jt\.|juta an|jutaan|jtan)\b"), r"\1 juta"),
    (re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(?:million|millions|mio|mln)\b"), r"\1 juta"),
    (re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(?:thousand)\b"), r"\1 ribu"),
    (re.compile(r"\b(?:sebulan|per ?bulan|perbulan|/bulan|/bln|sebln|per bln|bln|tiap bulan)\b"), " "),
    (re.compile(r"\b(?:sekitar|kira2|kira-kira|kurleb|kurang lebih|lebih kurang|cuma|hanya|sktr|kisaran)\b"), " "),
    (re.compile(r"\b(?:penghasilan|gaji|pendapatan|income|saya|sy|aku|dapat|dpt|around|about|approx)\b"), " "),
    (re.compile(r"\b(?:a month|per month|monthly)\b"), " "),
)


@dataclass(frozen=True)
class ParsedIncome:
    amount: int
    approximate: bool


_NUMBER = re.compile(r"\d[\d.,' ]*")  # one number, its separators included
MAX_INCOME_DIGITS = 15  # more digits than any income (and lokal's Decimal raises at 28)


def _too_long(text: str) -> bool:
    return any(sum(c.isdigit() for c in number) > MAX_INCOME_DIGITS for number in _NUMBER.findall(text))


def _read_rupiah(text: str) -> ParsedRupiah | None:
    """`lokal.parse_rupiah`, but None instead of an exception for any text it cannot read."""
    try:
        return parse_rupiah(text)
    except (ArithmeticError, ValueError):
        return None


def parse_income(text: str) -> ParsedIncome | None:
    """A monthly income in any everyday form ("1,5 juta", "1.500.000", "2jt", "sejuta", "Rp 2 jt/bulan");
    None when the text is not an amount we can trust."""
    cleaned = _SPACES.sub(" ", text.strip().lower())
    if not cleaned:
        return None
    bare = _BARE_NUMBER.match(cleaned)
    if bare:  # "2" or "1,5": millions, as people answer "how much a month?"
        value = float(bare.group(1).replace(",", "."))
        if 0 < value < BARE_MILLIONS_BELOW:
            return ParsedIncome(round(value * 1_000_000), approximate=False)
    if _too_long(cleaned):
        return None
    parsed = _read_rupiah(cleaned)
    if parsed is None:
        rewritten = cleaned
        for pattern, replacement in _REWRITES:
            rewritten = pattern.sub(replacement, rewritten)
        rewritten = _SPACES.sub(" ", rewritten).strip()
        parsed = _read_rupiah(rewritten) if rewritten and rewritten != cleaned else None
    if parsed is None or parsed.amount < 1000 or parsed.amount >= INCOME_SANITY_LIMIT:
        return None
    return ParsedIncome(int(parsed.amount), bool(parsed.approximate))


IncomeRefusal = Literal["unreadable", "negative", "zero", "too_high"]
_NEGATIVE = re.compile(r"^(?:rp\.?\s*)?(?:-|−|–|minus\b)\s*(?:rp\.?\s*)?\d")
_ZERO = re.compile(r"^(?:rp\.?\s*)?(?:0+(?:[.,]0+)*|nol|kosong|tidak ada|tdk ada|ga ada|gak ada|nothing|none)"
                   r"(?:\s*(?:rupiah|,-))?$")


def read_income(text: str) -> ParsedIncome | IncomeRefusal:
    """The calculator's reading of a typed monthly income: the amount, or why it is refused — a negative
    amount ("-2000000" is not read as Rp2.000.000), nothing ("0"), more than `PLAUSIBLE_MONTHLY_INCOME`,
    or no amount at all."""
    cleaned = _SPACES.sub(" ", text.strip().lower())
    if _NEGATIVE.match(cleaned):
        return "negative"
    if _ZERO.match(cleaned):
        return "zero"
    parsed = parse_income(cleaned)
    if parsed is None:  # "2 miliar", "2500000000": an amount, but past the parser's sanity limit
        whole = None if _too_long(cleaned) else _read_rupiah(cleaned)
        return "too_high" if whole is not None and whole.amount >= INCOME_SANITY_LIMIT else "unreadable"
    return "too_high" if parsed.amount > PLAUSIBLE_MONTHLY_INCOME else parsed


# ---------------------------------------------------------------- calculator replies


def range_declared_income(income_range: IncomeRange, day: dt.date) -> int:
    lowest = load_table().rate("JKK", day).minimum_income or 0
    return max(income_range.low, lowest)


def range_label(t: Translator, income_range: IncomeRange) -> str:
    _ = t.gettext
    if income_range.low == 0 and income_range.high is not None:
        return _("Under {amount}").format(amount=t.money(income_range.high))
    if income_range.high is None:
        return _("{amount} or more").format(amount=t.money(income_range.low))
    return _("{low} – {high}").format(low=t.money(income_range.low), high=t.money(income_range.high))


def sector_label(t: Translator, sector: Sector) -> str:
    _ = t.gettext
    return _("transport (ojek, courier, driver)") if sector == "transport" else _("other work")


def render_quote(t: Translator, result: Quote, typed_income: int | None = None, work: str | None = None) -> str:
    """The calculator's answer: JKK, JKM, optional JHT and totals per month for that day and sector. `work` is
    the job the user picked (already translated), shown instead of the sector; a transport job says so."""
    _ = t.gettext
    if work is None:
        work = sector_label(t, result.sector)
    elif result.sector == "transport":
        work = _("{work} · transport sector").format(work=work)
    lines = [
        _("<b>Your monthly contribution</b>"),
        _("For workers who pay it themselves (BPU mandiri)."),
        _("Date: {date} · Work: {sector}").format(date=t.date(result.day), sector=work),
        _("Declared income: {amount}").format(amount=t.money(result.declared_income)),
    ]
    if typed_income is not None and typed_income < result.declared_income:
        lines.append(_("(Incomes below {amount} count as {amount}, the lowest level.)").format(
            amount=t.money(result.declared_income)))
    lines.append("")
    if result.discounted:
        lines += [
            _("JKK (work accident): <s>{full}</s> {amount}").format(full=t.money(result.jkk_full),
                                                                  amount=t.money(result.jkk)),
            _("JKM (death): <s>{full}</s> {amount}").format(full=t.money(result.jkm_full),
                                                          amount=t.money(result.jkm)),
        ]
    else:
        lines += [
            _("JKK (work accident): {amount}").format(amount=t.money(result.jkk)),
            _("JKM (death): {amount}").format(amount=t.money(result.jkm)),
        ]
    lines += [
        _("<b>Total JKK + JKM: {amount} / month</b>").format(amount=t.money(result.basic_total)),
        "",
        _("Optional JHT (old-age savings): +{amount}").format(amount=t.money(result.jht)),
        _("Total with JHT: {amount} / month").format(amount=t.money(result.total_with_jht)),
    ]
    discount = result.discount
    if discount is not None:
        lines += ["", _("🎉 {percent} discount on JKK + JKM ({name}) until {until}.").format(
            percent=t.number(discount.percent) + "%", name=discount.name, until=t.date(discount.valid_until))]
    else:
        discount = _upcoming_discount(result.sector, result.day)
        if discount is not None:
            lines += ["", _("From {start} a {percent} discount on JKK + JKM applies ({name}).").format(
                start=t.date(discount.valid_from), percent=t.number(discount.percent) + "%", name=discount.name)]
    return "\n".join(lines + _who_pays_lines(t, result, discount))


def _who_pays_lines(t: Translator, result: Quote, discount: Discount | None) -> list[str]:
    """The discount is for self-paying workers; those the Pemda or the state pays for pay nothing."""
    table = load_table()
    exclusion = table.exclusion(discount) if discount is not None else table.exclusion()
    lines = []
    if discount is not None:
        lines.append(t.gettext("Only for those who pay themselves (mandiri)."))
    if exclusion is not None:
        lines += ["", pays_nothing_line(t, exclusion, discount)]
    basis = table.rate("JKK", result.day).basis
    if basis is not None:
        lines.append("<i>" + t.gettext("JKK basis: {basis}.").format(basis=legal_basis_text(t, basis)) + "</i>")
    return lines


def _upcoming_discount(sector: Sector, day: dt.date) -> Discount | None:
    future = [d for d in load_table().discounts if sector in d.sectors and d.valid_from > day]
    return min(future, key=lambda d: d.valid_from, default=None)


def render_bpu_alternative(t: Translator, sector: Sector, day: dt.date) -> str:
    """One short paragraph for other features (eligibility, status): what joining on one's own (BPU,
    "mandiri") costs today at the lowest level, with the PP 50/2025 discount when it applies."""
    _ = t.gettext
    table = load_table()
    lowest = table.rate("JKK", day).minimum_income or 0
    result = quote(lowest, sector, day, table)
    text = _("You can also join on your own (BPU, mandiri): JKK + JKM from {amount} a month "
             "(on {date}).").format(amount=t.money(result.basic_total), date=t.date(day))
    if result.discount is not None:
        text += " " + _("That includes the {percent} discount ({name}) until {until}; normally {full}.").format(
            percent=t.number(result.discount.percent) + "%", name=result.discount.name,
            until=t.date(result.discount.valid_until), full=t.money(result.jkk_full + result.jkm_full))
    return text
