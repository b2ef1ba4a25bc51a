"""Daftar Minat: consent → name → NIK → phone (share-contact) → desa (kabupaten → kecamatan → desa) → work →
note → summary (confirm or edit) → reference number. /minatsaya lists the worker's requests.

The draft is an `InterestState` (user_data["interest"], stored encrypted, dropped on /batal and after sending),
so bad input never loses what was entered and a restart resumes the step. The steps: handlers/interest_steps.py;
the domain (saving, encryption, the worker's data): `InterestService` (bot/domain/interest.py).
"""

from __future__ import annotations

import html
from typing import cast

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.interest import AlreadyProtected, InvalidDraft
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.regions import is_desa, normalize_code
from bot.domain.routing import follow_up_text
from handlers import interest_jobs
from handlers.callbacks import InterestInDesa, Menu, any_of, one_of
from handlers.context import BotContext, HasServices
from handlers.flow import declare_flow, leave_flow
from handlers.interest_callbacks import (
    PAGE_KINDS,
    STEP_KINDS,
    IntBack,
    IntDesa,
    IntEdit,
    IntKabupaten,
    IntKecamatan,
    IntNoNote,
    IntOccupation,
    IntOtherKabupaten,
    IntOtherKecamatan,
    IntSend,
)
from handlers.interest_steps import (
    Result,
    advance,
    already_protected,
    contact_shared,
    desa_button,
    desa_typed,
    kabupaten_chosen,
    kecamatan_chosen,
    name_typed,
    nik_typed,
    note_typed,
    on,
    on_text,
    other_kabupaten,
    other_kecamatan,
    phone_typed,
    show,
    tap_please,
)
from handlers.interest_views import InterestState, desa_line, requests_text
from handlers.keyboards import button
from handlers.start import ensure_consent
from handlers.start_links import DeepLinkState
from handlers.ui import ack, say, show_main_menu

KEY = InterestState.KEY


def _desa_asked(update: Update, context: BotContext) -> str | None:
    """The desa this start names: 📝 from a poster's link (`InterestInDesa`) or `/daftarminat 6408012001`."""
    data = InterestInDesa.of(update)
    code = data.code if data is not None else normalize_code(context.args[0]) if context.args else None
    return code if code and is_desa(code) else None


async def start(update: Update, context: BotContext) -> Result:
    await ack(update)
    asked = _desa_asked(update, context)
    if not await ensure_consent(update, context, resume=InterestInDesa(asked) if asked else Menu("interest")):
        return ConversationHandler.END
    state = InterestState.load(context)
    _ = context.i18n.gettext
    if state.step:  # an unfinished request: carry on where it stopped
        if asked and not state.desa_code:  # the poster's desa fills the gap
            state.desa_code = asked
            state.step = state.next_step()
        return await show(update, context, state, state.step, _("Let's continue where you stopped."))
    note = None
    link = DeepLinkState.load(context)
    desa = asked or (link.value if link.kind == "desa" and is_desa(link.value) else None)
    if desa:
        state.desa_code = desa
        note = _("📍 Your desa: {desa} (from your link). You can change it at the end.").format(
            desa=html.escape(desa_line(desa)))
    return await show(update, context, state, state.next_step(), note)


async def occupation_chosen(update: Update, context: BotContext, state: InterestState, data: IntOccupation) -> str:
    if data.occupation not in OCCUPATION_LABELS:
        return await show(update, context, state, state.current)
    state.occupation = data.occupation
    return await advance(update, context, state)


async def no_note(update: Update, context: BotContext, state: InterestState, _data: IntNoNote) -> str:
    state.note, state.note_asked = None, True
    return await advance(update, context, state)


async def edit(update: Update, context: BotContext, state: InterestState, data: IntEdit) -> str:
    state.editing = True
    if data.step == "desa":
        state.kab = state.kec = None
        state.page = 0
        return await show(update, context, state, "kabupaten")
    return await show(update, context, state, data.step)


async def send(update: Update, context: BotContext, state: InterestState, _data: IntSend) -> Result:
    t = context.i18n
    _ = t.gettext
    assert context.profile is not None
    try:
        submitted = await context.services.interest.submit(context.profile.id, state.draft(), t.language)
    except AlreadyProtected:  # the roster took them in while they were filling the form
        return await already_protected(update, context, typed_nik=False)
    except InvalidDraft:
        state.editing = False
        return await show(update, context, state, state.next_step() if state.draft().missing() else "nik",
                          "⚠️ " + _("Something in your request needs fixing. Please check it again."))
    request = submitted.request
    leave_flow(context, KEY)
    lines = []
    if submitted.updated:
        lines.append(_("You had already signed up with this NIK, so I updated that request instead of making a "
                       "new one."))
    lines += [
        _("✅ Received! Your reference number: <b>{ref}</b>").format(ref=request.ref),
        html.escape(follow_up_text(t, request.desa_code, await context.services.followup.who_follows_up(
            request.desa_code))) + " " + _("This is not yet a registration: the district decides."),
        _("See your requests any time: /minatsaya"),
    ]
    await show_main_menu(update, context, "\n\n".join(lines))
    return ConversationHandler.END


async def back(update: Update, context: BotContext, state: InterestState, _data: IntBack) -> str:
    return await show(update, context, state, "confirm" if state.editing else state.current)


async def turn_page(update: Update, context: BotContext) -> str:
    """◀️ ▶️ in the desa picker (any page kind)."""
    await ack(update)
    state = InterestState.load(context)
    state.page = next(data.page for kind in PAGE_KINDS if (data := kind.of(update)) is not None)
    return await show(update, context, state, state.current)


async def stale_button(update: Update, context: BotContext) -> str:
    """A button from an earlier message (or another step): show the current step again."""
    await ack(update)
    state = InterestState.load(context)
    return await show(update, context, state, state.current)


def steps() -> dict[object, list[BaseHandler[Update, BotContext, Result]]]:
    """The step table: which buttons (and typed text) each step takes; anything else goes to the fallbacks
    (◀️ Back, ◀️ ▶️ pages, a shared contact, a stale button, "please tap")."""
    return {
        "name": [on_text(name_typed)],
        "nik": [on_text(nik_typed)],
        "phone": [MessageHandler(filters.CONTACT, contact_shared), on_text(phone_typed)],
        "kabupaten": [on(IntKabupaten, kabupaten_chosen), on(IntOtherKabupaten, other_kabupaten)],
        "kecamatan": [on(IntKabupaten, kabupaten_chosen), on(IntOtherKabupaten, other_kabupaten),
                      on(IntKecamatan, kecamatan_chosen), on(IntOtherKecamatan, other_kecamatan)],
        "desa": [on(IntKecamatan, kecamatan_chosen), on(IntOtherKecamatan, other_kecamatan),
                 on(IntDesa, desa_button), on_text(desa_typed)],
        "occupation": [on(IntOccupation, occupation_chosen)],
        "note": [on(IntNoNote, no_note), on_text(note_typed)],
        "confirm": [on(IntEdit, edit), on(IntSend, send)],
    }


async def my_requests(update: Update, context: BotContext) -> None:
    await ack(update)
    assert context.profile is not None
    t = context.i18n
    requests = await context.services.interest.for_user(context.profile.id)
    if not requests:
        keyboard = InlineKeyboardMarkup([[button(t.gettext("📝 Sign up interest"), Menu("interest"))]])
        await say(update, context, t.gettext("You have no interest requests yet."), keyboard)
        return
    await say(update, context, requests_text(requests, t))


def register(application: Application) -> None:
    interest_jobs.register(application, cast(HasServices, application).services)  # roster confirmations
    application.add_handler(declare_flow(
        application,
        KEY,
        entry_points=[
            CallbackQueryHandler(start, pattern=one_of(Menu("interest"))),
            CallbackQueryHandler(start, pattern=InterestInDesa.pattern()),
            CommandHandler(["daftarminat", "signup"], start),
        ],
        steps=steps(),
        fallbacks=[
            on(IntBack, back),
            CallbackQueryHandler(turn_page, pattern=any_of(PAGE_KINDS)),
            MessageHandler(filters.CONTACT, contact_shared),
            CallbackQueryHandler(stale_button, pattern=any_of(STEP_KINDS)),
            on_text(tap_please),
        ],
    ))
    application.add_handler(CommandHandler(["minatsaya", "myrequests"], my_requests))
