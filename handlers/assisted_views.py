"""Assisted registration (an official registers a worker who has no Telegram): what the flow remembers, its
buttons (`ast:*`) and what each step looks like; the paper-consent marker on the follow-up card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.i18n import Translator
from bot.domain.interest import Draft, InterestRequestView
from bot.domain.markup import escape
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupations
from bot.domain.privacy import mask_nik, mask_phone
from bot.domain.regions import Region, region, short_name
from handlers.callbacks import CallbackData
from handlers.flow_state import FlowState
from handlers.keyboards import back_button, button, nav_row, paged, rows

ORDER = ("desa_code", "name", "nik", "phone", "occupation", "form")


@dataclass(frozen=True)
class AstStart(CallbackData):
    """➕ Register a worker without Telegram (on /tindaklanjut)."""

    PREFIX = "ast:go"


@dataclass(frozen=True)
class AstArea(CallbackData):
    """`ast:a:64.08.01`: open a kecamatan (its desa) or pick a desa in the picker."""

    PREFIX = "ast:a"
    code: str


@dataclass(frozen=True)
class AstTop(CallbackData):
    """↩️ Back to the first level of the picker."""

    PREFIX = "ast:top"


@dataclass(frozen=True)
class AstPage(CallbackData):
    PREFIX = "ast:p"
    page: int


@dataclass(frozen=True)
class AstOccupation(CallbackData):
    PREFIX = "ast:o"
    occupation: str


@dataclass(frozen=True)
class AstSave(CallbackData):
    """✅ The worker signed the paper form: register."""

    PREFIX = "ast:ok"


@dataclass(frozen=True)
class AstErase(CallbackData):
    """🗑 on an assisted request's card: asks for a confirmation."""

    PREFIX = "ast:x"
    request_id: int


@dataclass(frozen=True)
class AstEraseYes(CallbackData):
    PREFIX = "ast:xy"
    request_id: int


STEP_KINDS: tuple[type[CallbackData], ...] = (AstArea, AstTop, AstPage, AstOccupation, AstSave)


@dataclass
class AssistedState(FlowState):
    """The registration being entered (stored encrypted with user_data; dropped on /batal and after saving)."""

    KEY: ClassVar[str] = "assisted"
    step: str = ""
    area: str = ""  # the region the desa picker shows ("": the official's areas)
    page: int = 0
    desa_code: str | None = None
    name: str | None = None
    nik: str | None = None
    phone: str | None = None
    occupation: str | None = None
    form: str | None = None  # the paper consent form's number

    def next_step(self) -> str:
        return next((("desa" if f == "desa_code" else f) for f in ORDER if not getattr(self, f)), "confirm")

    def draft(self) -> Draft:
        return Draft(name=self.name, nik=self.nik, phone=self.phone, desa_code=self.desa_code,
                     occupation=self.occupation)


def place(code: str | None) -> str:
    found = region(code) if code else None
    return short_name(found) if found else (code or "")


def picker(
    t: Translator, state: AssistedState, regions: Sequence[Region], other: bool,
) -> tuple[str, InlineKeyboardMarkup]:
    """The official's areas (state.area ""), or the kecamatan/desa inside state.area; `other`: ↩️ to the areas."""
    _ = t.gettext
    buttons = [button(short_name(r), AstArea(r.code)) for r in regions]
    keyboard = paged(buttons, state.page, AstPage)
    if other:
        keyboard.append([button(_("↩️ Other area"), AstTop())])
    keyboard.append(nav_row(t))
    title = _("<b>Register a worker without Telegram</b>")
    if not state.area:
        return title + "\n" + _("Where does the worker live? Tap the area."), InlineKeyboardMarkup(keyboard)
    found = region(state.area)
    ask = _("Which kecamatan in {area}?") if found is not None and found.level == 2 else \
        _("Which desa/kelurahan in {area}? Tap it, or type its name.")
    return title + "\n" + ask.format(area=escape(place(state.area))), InlineKeyboardMarkup(keyboard)


def question(t: Translator, state: AssistedState) -> tuple[str, InlineKeyboardMarkup]:
    """Every step but the desa picker's."""
    _ = t.gettext
    nav = InlineKeyboardMarkup([nav_row(t)])
    if state.step == "name":
        return _("<b>Register a worker without Telegram</b>\nDesa: {desa}\nType the worker's full name, as on "
                 "the KTP.").format(desa=escape(place(state.desa_code))), nav
    if state.step == "nik":
        return _("Type the worker's NIK (16 digits on the KTP). I delete the message after reading it."), nav
    if state.step == "phone":
        return _("Type a phone number the desa can call (the worker's, or a family member's), "
                 "e.g. 0812 3456 7890."), nav
    if state.step == "occupation":
        keyboard = rows([button(_(o.label_msgid), AstOccupation(o.id)) for o in occupations()])
        return _("What is the worker's main work?"), InlineKeyboardMarkup([*keyboard, nav_row(t)])
    if state.step == "form":
        return _("📄 <b>Paper consent</b>\nThe worker must read (or hear) the consent form and sign it in front of "
                 "you. Keep the signed form at the desa office.\nType the number of the signed form."), nav
    return summary(t, state), InlineKeyboardMarkup([
        [button(_("✅ The worker signed form #{form}: register").format(form=state.form or ""), AstSave())],
        nav_row(t),
    ])


def summary(t: Translator, state: AssistedState) -> str:
    _ = t.gettext
    return "\n".join([
        _("<b>Please check with the worker</b>"),
        _("Name: {name}").format(name=escape(state.name or "")),
        _("NIK: {nik}").format(nik=mask_nik(state.nik or "")),
        _("Phone: {phone}").format(phone=mask_phone(state.phone or "")),
        _("Desa: {desa}").format(desa=escape(place(state.desa_code))),
        _("Work: {work}").format(work=_(OCCUPATION_LABELS.get(state.occupation or "", "–"))),
        _("📄 Paper consent form #{form}").format(form=escape(state.form or "")),
    ])


def assisted_line(t: Translator, r: InterestRequestView) -> str | None:
    """The follow-up card's marker for a request an official registered (None for a worker's own request)."""
    if not r.is_assisted:
        return None
    line = t.gettext("📋 Registered by official {official}, paper consent form #{form}").format(
        official=r.assisted_by or "?", form=escape(r.consent_form or "?"))
    return line + (f" ({t.datetime(r.consent_at)})" if r.consent_at else "") + "\n" + t.gettext(
        "No Telegram: tell the worker yourself about every decision.")


def erase_button(t: Translator, r: InterestRequestView) -> list[InlineKeyboardButton]:
    """🗑 for an assisted request on its card (the worker cannot use /hapusdata)."""
    return [button(t.gettext("🗑 Erase data (the worker asked)"), AstErase(r.id))] if r.is_assisted else []


def confirm_erase(t: Translator, r: InterestRequestView, back: CallbackData) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    return _("Erase {ref} ({name}) and the notes about it? Only when the worker asked for it. This cannot be "
             "undone.").format(ref=escape(r.ref), name=escape(r.name)), InlineKeyboardMarkup([[
                 button(_("🗑 Yes, erase"), AstEraseYes(r.id)), back_button(t, back)]])
