"""/dataku ✏️: the worker corrects one field of their open interest request (the right to correct that the consent
text promises). A flow (`declare_flow` + `EditState`): it survives a restart, /batal or 🏠 leave it, and a typed
answer that does not check out gets Daftar Minat's kind message while the step stays. Every value is checked with
Daftar Minat's validators (the NIK through `Nik.parse`) and saved by `InterestService.edit`: encrypted like the
original, written with its audit entry, and shown on the officials' card ("changed by the worker").

The steps: handlers/mydata_edit_steps.py; what they show: handlers/mydata_edit_views.py."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.domain.interest import EditField
from bot.domain.regions import desa_of, kecamatan_of
from handlers.callbacks import any_of
from handlers.context import BotContext
from handlers.flow import Result, declare_flow, leave_flow
from handlers.interest_callbacks import (
    PAGE_KINDS,
    STEP_KINDS,
    IntDesa,
    IntKabupaten,
    IntKecamatan,
    IntNoNote,
    IntOccupation,
    IntOtherKabupaten,
    IntOtherKecamatan,
)
from handlers.mydata import EditRequest
from handlers.mydata_edit_steps import (
    KEY,
    contact_shared,
    desa_chosen,
    desa_typed,
    name_typed,
    nik_typed,
    note_typed,
    on,
    on_text,
    phone_typed,
    save,
    show,
    tap_please,
)
from handlers.mydata_edit_views import EditState
from handlers.start import ensure_consent
from handlers.ui import ack, say

FIRST_STEP: dict[EditField, str] = {"name": "name", "nik": "nik", "phone": "phone", "desa": "kecamatan",
                                    "occupation": "occupation", "note": "note"}


async def start(update: Update, context: BotContext) -> Result:
    data = EditRequest.of(update)
    await ack(update)
    assert data is not None and context.profile is not None
    if not await ensure_consent(update, context, resume=data):
        return ConversationHandler.END
    request = await context.services.interest.open_request(context.profile.id, data.request_id)
    if request is None:
        leave_flow(context, KEY)
        await say(update, context, context.i18n.gettext("This request is closed already; it cannot be changed "
                                                        "any more. See /dataku"))
        return ConversationHandler.END
    state = EditState(request_id=request.id)
    if data.field == "desa" and context.services.interest.home_kabupaten(request.kabupaten_code) is not None:
        state.kab = request.kabupaten_code  # start the picker in the request's kabupaten
    return await show(update, context, state, FIRST_STEP[data.field])


# ----------------------------------------------------------------------------- buttons

async def occupation_chosen(update: Update, context: BotContext, state: EditState, data: IntOccupation) -> Result:
    return await save(update, context, state, data.occupation)  # an unknown one: InvalidDraft, the step stays


async def no_note(update: Update, context: BotContext, state: EditState, _data: IntNoNote) -> Result:
    return await save(update, context, state, None)


async def kabupaten_chosen(update: Update, context: BotContext, state: EditState, data: IntKabupaten) -> Result:
    found = context.services.interest.home_kabupaten(data.code)
    if found is None:
        return await show(update, context, state, "kabupaten")
    state.kab, state.kec, state.page = found.code, None, 0
    return await show(update, context, state, "kecamatan")


async def other_kabupaten(update: Update, context: BotContext, state: EditState, _data: IntOtherKabupaten) -> Result:
    state.kab = state.kec = None
    state.page = 0
    return await show(update, context, state, "kabupaten")


async def kecamatan_chosen(update: Update, context: BotContext, state: EditState, data: IntKecamatan) -> Result:
    if data.code not in {r.code for r in kecamatan_of(state.kab or "")}:
        return await show(update, context, state, "kecamatan",
                          "⚠️ " + context.i18n.gettext("Please pick a kecamatan from the list."))
    state.kec, state.page = data.code, 0
    return await show(update, context, state, "desa")


async def other_kecamatan(update: Update, context: BotContext, state: EditState, _data: IntOtherKecamatan) -> Result:
    state.kec, state.page = None, 0
    return await show(update, context, state, "kecamatan")


async def desa_button(update: Update, context: BotContext, state: EditState, data: IntDesa) -> Result:
    if data.code not in {r.code for r in desa_of(state.kec or "")}:
        return await show(update, context, state, "desa", "⚠️ " + context.i18n.gettext(
            "Please tap one of the buttons 👇"))
    return await desa_chosen(update, context, state, data.code)


async def turn_page(update: Update, context: BotContext) -> Result:
    """◀️ ▶️ in the desa picker (any page kind)."""
    await ack(update)
    state = EditState.load(context)
    state.page = next(data.page for kind in PAGE_KINDS if (data := kind.of(update)) is not None)
    return await show(update, context, state, state.step)


async def stale_button(update: Update, context: BotContext) -> Result:
    """A Daftar Minat button of another step (an older message): show the current step again."""
    await ack(update)
    state = EditState.load(context)
    return await show(update, context, state, state.step)


def steps() -> dict[object, list[BaseHandler[Update, BotContext, Result]]]:
    picker: list[BaseHandler[Update, BotContext, Result]] = [
        on(IntKabupaten, kabupaten_chosen), on(IntOtherKabupaten, other_kabupaten),
        on(IntKecamatan, kecamatan_chosen), on(IntOtherKecamatan, other_kecamatan)]
    return {
        "name": [on_text(name_typed)],
        "nik": [on_text(nik_typed)],
        "phone": [MessageHandler(filters.CONTACT, contact_shared), on_text(phone_typed)],
        "kabupaten": picker,
        "kecamatan": picker,
        "desa": [*picker, on(IntDesa, desa_button), on_text(desa_typed)],
        "occupation": [on(IntOccupation, occupation_chosen)],
        "note": [on(IntNoNote, no_note), on_text(note_typed)],
    }


def register(application: Application) -> None:
    application.add_handler(declare_flow(
        application,
        KEY,
        entry_points=[CallbackQueryHandler(start, pattern=EditRequest.pattern())],
        steps=steps(),
        fallbacks=[
            CallbackQueryHandler(turn_page, pattern=any_of(PAGE_KINDS)),
            CallbackQueryHandler(stale_button, pattern=any_of(STEP_KINDS)),
            MessageHandler(filters.CONTACT, contact_shared),
            on_text(tap_please),
        ],
    ))
