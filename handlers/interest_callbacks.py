"""The buttons of Daftar Minat (`int:*`), as typed callback data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.callbacks import CallbackData

Field = Literal["name", "nik", "phone", "desa", "occupation", "note"]  # the steps a summary can edit


@dataclass(frozen=True)
class IntBack(CallbackData):
    """◀️ Back while editing: to the summary."""

    PREFIX = "int:back"


@dataclass(frozen=True)
class IntKabupaten(CallbackData):
    """`int:kab:64.08`: a kabupaten/kota of the home province."""

    PREFIX = "int:kab"
    code: str


@dataclass(frozen=True)
class IntOtherKabupaten(CallbackData):
    """↩️ Other kabupaten."""

    PREFIX = "int:kab_change"


@dataclass(frozen=True)
class IntKabupatenPage(CallbackData):
    PREFIX = "int:kabpage"
    page: int


@dataclass(frozen=True)
class IntKecamatan(CallbackData):
    PREFIX = "int:kec"
    code: str


@dataclass(frozen=True)
class IntOtherKecamatan(CallbackData):
    """↩️ Other kecamatan."""

    PREFIX = "int:kec_change"


@dataclass(frozen=True)
class IntKecamatanPage(CallbackData):
    PREFIX = "int:kecpage"
    page: int


@dataclass(frozen=True)
class IntDesa(CallbackData):
    """`int:desa:64.08.01.2001`"""

    PREFIX = "int:desa"
    code: str


@dataclass(frozen=True)
class IntDesaPage(CallbackData):
    PREFIX = "int:desapage"
    page: int


@dataclass(frozen=True)
class IntOccupation(CallbackData):
    PREFIX = "int:occ"
    occupation: str


@dataclass(frozen=True)
class IntNoNote(CallbackData):
    """⏭ No note."""

    PREFIX = "int:note_skip"


@dataclass(frozen=True)
class IntEdit(CallbackData):
    """✏️ on the summary: `int:edit:phone`."""

    PREFIX = "int:edit"
    step: Field


@dataclass(frozen=True)
class IntSend(CallbackData):
    """✅ Send."""

    PREFIX = "int:send"


PAGE_KINDS = (IntKabupatenPage, IntKecamatanPage, IntDesaPage)
STEP_KINDS: tuple[type[CallbackData], ...] = (
    IntBack, IntKabupaten, IntOtherKabupaten, IntKecamatan, IntOtherKecamatan, IntDesa, IntOccupation, IntNoNote,
    IntEdit, IntSend, *PAGE_KINDS,
)
