"""Daftar Minat: what the flow remembers (`InterestState`), the question of each step, the summary, and the
list of /minatsaya."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.domain.followup import reason_text
from bot.domain.i18n import N_, Translator
from bot.domain.interest import Draft, InterestRequestView, nik_outside
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupations
from bot.domain.privacy import mask_nik, mask_phone
from bot.domain.regions import Region, desa_of, kecamatan_of, region, short_name
from bot.domain.roster_requests import roster_import_of
from handlers.callbacks import CallbackData, Menu
from handlers.flow_state import FlowState
from handlers.interest_callbacks import (
    IntBack,
    IntDesa,
    IntDesaPage,
    IntEdit,
    IntKabupaten,
    IntKabupatenPage,
    IntKecamatan,
    IntKecamatanPage,
    IntNoNote,
    IntOccupation,
    IntOtherKabupaten,
    IntOtherKecamatan,
    IntSend,
)
from handlers.keyboards import MENU_ITEMS, button, main_menu_button, nav_row, paged, rows

ORDER = ("name", "nik", "phone", "desa", "occupation", "note")
FIELDS_DONE = {"name": "name", "nik": "nik", "phone": "phone", "desa": "desa_code", "occupation": "occupation",
               "note": "note_asked"}
STATUS_LABELS = {
    "new": N_("🕐 Received, waiting for the desa"),
    "contacted": N_("📞 The desa has contacted you"),
    "proposed": N_("📤 Proposed by the desa to the district"),
    "registered": N_("✅ Registered"),
    "not_eligible": N_("⛔️ Not eligible"),
    "unreachable": N_("📵 The desa could not reach you"),
    "withdrawn": N_("↩️ Withdrawn by you"),
}
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


@dataclass
class InterestState(FlowState):
    """The request being entered (stored encrypted with user_data; dropped on /batal and after sending), so bad
    input never loses what was entered and a restart resumes the step."""

    KEY: ClassVar[str] = "interest"
    step: str = ""
    name: str | None = None
    nik: str | None = None
    phone: str | None = None
    desa_code: str | None = None
    occupation: str | None = None
    note: str | None = None
    note_asked: bool = False
    editing: bool = False  # changing one field from the summary: back to the summary after it
    kab: str | None = None  # the desa picker's kabupaten and kecamatan
    kec: str | None = None
    page: int = 0

    @property
    def current(self) -> str:
        return self.step or "name"

    def next_step(self) -> str:
        if self.editing:
            return "confirm"
        for step in ORDER:
            if not getattr(self, FIELDS_DONE[step]):
                return step
        return "confirm"

    def draft(self) -> Draft:
        return Draft(name=self.name, nik=self.nik, phone=self.phone, desa_code=self.desa_code,
                     occupation=self.occupation, note=self.note)


def region_name(code: str | None) -> str:
    found = region(code) if code else None
    return short_name(found) if found else (code or "")


def desa_line(code: str) -> str:
    found = region(code)
    if found is None:
        return code
    kec = region(found.kecamatan_code or "")
    return f"{found.name}, {kec.name if kec else ''}, {region_name(found.kabupaten_code)}"


def summary(state: InterestState, t: Translator) -> str:
    _ = t.gettext
    assert state.name and state.nik and state.phone and state.desa_code and state.occupation
    lines = [
        _("<b>Please check your request</b>"),
        _("Name: {name}").format(name=html.escape(state.name)),
        _("NIK: {nik}").format(nik=mask_nik(state.nik)),
        _("Phone: {phone}").format(phone=mask_phone(state.phone)),
        _("Desa: {desa}").format(desa=html.escape(desa_line(state.desa_code))),
        _("Work: {work}").format(work=_(OCCUPATION_LABELS[state.occupation])),
        _("Note: {note}").format(note=html.escape(state.note) if state.note else "–"),
    ]
    if nik_outside(state.nik, state.desa_code):
        nik_region = region_name(state.nik[:2] + "." + state.nik[2:4])
        lines += ["", _("⚠️ Your NIK is from {nik_region}, not {region}. The officials will check whether you can be "
                        "covered here.").format(nik_region=html.escape(nik_region),
                                                region=html.escape(region_name(state.desa_code[:5])))]
    return "\n".join(lines)


def _regions(found: Sequence[Region], kind: type[IntKabupaten | IntKecamatan | IntDesa]) -> list[InlineKeyboardButton]:
    return [button(short_name(r), kind(r.code)) for r in found]


def render_picker(state: InterestState, t: Translator, kabupaten: Sequence[Region]) -> tuple[str, Markup]:
    """The desa picker: kabupaten → kecamatan → desa (typing the desa's name works too)."""
    _ = t.gettext
    back: CallbackData | None = IntBack() if state.editing else None
    if state.step == "kabupaten":
        keyboard = paged(_regions(kabupaten, IntKabupaten), 0, IntKabupatenPage, per_page=20)
        keyboard.append(nav_row(t, back))
        return _("Where do you live? Tap your kabupaten/kota."), InlineKeyboardMarkup(keyboard)
    if state.step == "kecamatan":
        assert state.kab is not None
        keyboard = paged(_regions(kecamatan_of(state.kab), IntKecamatan), state.page, IntKecamatanPage)
        keyboard += [[button(_("↩️ Other kabupaten"), IntOtherKabupaten())], nav_row(t, back)]
        return _("Which kecamatan in {region}?").format(region=html.escape(region_name(state.kab))), \
            InlineKeyboardMarkup(keyboard)
    assert state.kec is not None
    keyboard = paged(_regions(desa_of(state.kec), IntDesa), state.page, IntDesaPage)
    keyboard += [[button(_("↩️ Other kecamatan"), IntOtherKecamatan())], nav_row(t, back)]
    return _("Which desa/kelurahan in {kecamatan}? Tap it, or type its name.").format(
        kecamatan=html.escape(region_name(state.kec))), InlineKeyboardMarkup(keyboard)


def render(state: InterestState, t: Translator) -> tuple[str, Markup]:
    """Every step but the desa picker's."""
    _ = t.gettext
    nav = nav_row(t, IntBack() if state.editing else None)
    if state.step == "name":
        return _("<b>Sign up interest</b>\nWhat is your full name, as on your KTP? Please type it."), \
            InlineKeyboardMarkup([nav])
    if state.step == "nik":
        return _("Please type your NIK (16 digits on your KTP). It is stored encrypted; only your desa's officials "
                 "can see it."), InlineKeyboardMarkup([nav])
    if state.step == "phone":
        keyboard = ReplyKeyboardMarkup([[KeyboardButton(_("📱 Share my number"), request_contact=True)]],
                                       resize_keyboard=True, one_time_keyboard=True)
        return _("Which phone number can the desa call? Tap <b>📱 Share my number</b> below, or type it "
                 "(e.g. 0812 3456 7890)."), keyboard
    if state.step == "occupation":
        keyboard_rows = rows([button(_(o.label_msgid), IntOccupation(o.id)) for o in occupations()])
        return _("What is your main work?"), InlineKeyboardMarkup([*keyboard_rows, nav])
    if state.step == "note":
        return _("Anything the desa should know (e.g. the best time to call)? Type a short note, or tap "
                 "<b>No note</b>."), InlineKeyboardMarkup([[button(_("⏭ No note"), IntNoNote())], nav])
    return summary(state, t), InlineKeyboardMarkup([
        [button(_("✅ Send"), IntSend())],
        [button(_("✏️ Name"), IntEdit("name")), button(_("✏️ NIK"), IntEdit("nik")),
         button(_("✏️ Phone"), IntEdit("phone"))],
        [button(_("✏️ Desa"), IntEdit("desa")), button(_("✏️ Work"), IntEdit("occupation")),
         button(_("✏️ Note"), IntEdit("note"))],
        nav_row(t),
    ])


def requests_text(requests: Sequence[InterestRequestView], t: Translator) -> str:
    """/minatsaya: the worker's requests with their status."""
    _ = t.gettext
    lines = [_("<b>Your interest requests</b>")]
    for r in requests:
        lines += ["", f"<b>{r.ref}</b> · {_(STATUS_LABELS.get(r.status, r.status))}",
                  _("{desa} · {work} · sent {date}").format(
                      desa=html.escape(region_name(r.desa_code)), work=_(OCCUPATION_LABELS.get(r.occupation, "other")),
                      date=t.date(r.created_at))]
        if roster_import_of(r.status_reason) is not None:  # closed by a roster import (issue 12)
            lines.append(_("Confirmed by the district's list of participants"))
        if r.status_reason and r.status in ("not_eligible", "unreachable"):
            reason = reason_text(t, r.status_reason) or ""  # a preset in the reader's words, never "reason:member"
            lines.append(_("Reason: {reason}").format(reason=html.escape(reason)))
    return "\n".join(lines)


def protected_view(t: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """Daftar Minat with a NIK the roster already covers: no request is filed, and nothing of the roster is shown
    (a typed NIK proves nothing: the details need the status check's second factor)."""
    _ = t.gettext
    text = _("🛡 This NIK is already registered as a participant, so there is no need to sign up interest. "
             "See the details (and get reminders) in 🛡 Check protection.")
    label = t.gettext(dict(MENU_ITEMS)[Menu("status")])
    return text, InlineKeyboardMarkup([[button(label, Menu("status"))], [main_menu_button(t)]])
