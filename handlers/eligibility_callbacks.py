"""The buttons of Cek Kelayakan (`elig:*`), as typed callback data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.eligibility import Answer
from handlers.callbacks import CallbackData

AgeBand = Literal["lt18", "18to29", "30to45", "46to55", "56to65", "gt65"]  # bot.domain.eligibility.AGE_BANDS
IncomeRange = Literal["lt1", "1to2", "2to3", "3to5", "gt5"]  # bot.domain.eligibility.INCOME_RANGES
INCOME_IDS: tuple[IncomeRange, ...] = ("lt1", "1to2", "2to3", "3to5", "gt5")


@dataclass(frozen=True)
class EligKabupaten(CallbackData):
    """`elig:kab:64.08`: a kabupaten/kota of the home province."""

    PREFIX = "elig:kab"
    code: str


@dataclass(frozen=True)
class EligOutside(CallbackData):
    """🌏 Outside the province: the region comes from the first NIK digits."""

    PREFIX = "elig:outside"


@dataclass(frozen=True)
class EligKabupatenPage(CallbackData):
    PREFIX = "elig:kabpage"
    page: int


@dataclass(frozen=True)
class EligKecamatan(CallbackData):
    """`elig:kec:64.08.01`"""

    PREFIX = "elig:kec"
    code: str


@dataclass(frozen=True)
class EligSkipKecamatan(CallbackData):
    PREFIX = "elig:kec_skip"


@dataclass(frozen=True)
class EligKecamatanPage(CallbackData):
    PREFIX = "elig:kecpage"
    page: int


@dataclass(frozen=True)
class EligAge(CallbackData):
    PREFIX = "elig:age"
    band: Literal[AgeBand, "none"]


@dataclass(frozen=True)
class EligOccupation(CallbackData):
    PREFIX = "elig:occ"
    occupation: str


@dataclass(frozen=True)
class EligIncome(CallbackData):
    PREFIX = "elig:inc"
    income: Literal[IncomeRange, "none"]


@dataclass(frozen=True)
class EligMember(CallbackData):
    """Already a BPJS Ketenagakerjaan member?"""

    PREFIX = "elig:mem"
    answer: Answer


@dataclass(frozen=True)
class EligWelfare(CallbackData):
    """On the welfare list (DTKS/DTSEN)?"""

    PREFIX = "elig:wel"
    answer: Answer


@dataclass(frozen=True)
class EligBack(CallbackData):
    PREFIX = "elig:back"


@dataclass(frozen=True)
class EligRestart(CallbackData):
    """🔄 Check again (under a result)."""

    PREFIX = "elig:restart"


STEP_KINDS: tuple[type[CallbackData], ...] = (
    EligKabupaten, EligOutside, EligKabupatenPage, EligKecamatan, EligSkipKecamatan, EligKecamatanPage, EligAge,
    EligOccupation, EligIncome, EligMember, EligWelfare, EligBack,
)
