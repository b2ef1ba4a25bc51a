"""/dataku ✏️, what the correction flow remembers (`EditState`) and shows: one question per field, Daftar Minat's
desa picker and work buttons (the same kinds of buttons, handled by this flow while it is the active one), and the
answer after a saved change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.domain.i18n import N_, Translator
from bot.domain.interest import EditField, InterestRequestView, request_lines
from bot.domain.regions import Region
from handlers.flow_state import FlowState
from handlers.interest_views import InterestState, render, render_picker
from handlers.keyboards import nav_row
from handlers.mydata import data_keyboard

PICKER_STEPS = ("kabupaten", "kecamatan", "desa")
TEXT_PROMPTS = {
    "name": N_("✏️ Type your full name, as on your KTP."),
    "nik": N_("✏️ Type your NIK (16 digits on your KTP). It is stored encrypted; only your desa's officials can "
              "see it."),
}
STOP_HINT = N_("(/batal stops without changing anything.)")


@dataclass
class EditState(FlowState):
    """The field being changed (`step`: name, nik, phone, kabupaten/kecamatan/desa, occupation, note) of the open
    request `request_id`; the desa picker's place. Stored encrypted with user_data: a restart resumes the step."""

    KEY: ClassVar[str] = "mydata_edit"
    step: str = ""
    request_id: int = 0
    kab: str | None = None
    kec: str | None = None
    page: int = 0

    @property
    def field(self) -> EditField:
        if self.step in PICKER_STEPS:
            return "desa"
        return self.step if self.step in ("name", "nik", "phone", "occupation") else "note"  # type: ignore[return-value]

    def picker(self) -> InterestState:
        """Daftar Minat's state for its picker and step views (never saved: only rendered)."""
        return InterestState(step=self.step, kab=self.kab, kec=self.kec, page=self.page)


def question(state: EditState, t: Translator,
             kabupaten: list[Region]) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup]:
    """The question of the state's step."""
    _ = t.gettext
    if state.step in TEXT_PROMPTS:
        return _(TEXT_PROMPTS[state.step]) + "\n" + _(STOP_HINT), InlineKeyboardMarkup([nav_row(t)])
    if state.step in PICKER_STEPS:
        return render_picker(state.picker(), t, kabupaten)
    text, markup = render(state.picker(), t)  # phone (share contact), occupation, note: as in Daftar Minat
    return text + "\n" + _(STOP_HINT), markup


def saved_text(t: Translator, request: InterestRequestView) -> tuple[str, InlineKeyboardMarkup | None]:
    """After a change: the request as it is now, with the buttons to change more."""
    lines = [t.gettext("✅ Changed. The officials of your desa see the change on your request."), "",
             *request_lines(request, t)]
    return "\n".join(lines), data_keyboard(t, [request])
