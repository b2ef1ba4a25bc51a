"""/daftarkan (and ➕ on /tindaklanjut): an official registers a worker who has no Telegram, at the balai desa.

desa (the official's own area; admins anywhere) → name → NIK (the message deleted) → phone → work → the paper
consent form's number → summary → ✅ "the worker signed the form". The request is stored like a worker's
(encrypted) but owned by nobody on Telegram; the official is told about it instead of the worker, and can erase it
when the worker asks (🗑 on its card: the worker cannot use /hapusdata). Steps: handlers/assisted_steps.py;
screens and buttons: handlers/assisted_views.py; the domain: `InterestService.submit_assisted`."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.domain.followup import AccessDenied
from bot.domain.interest import InvalidDraft
from bot.domain.markup import escape
from handlers.assisted_steps import (
    area_chosen,
    desa_typed,
    duplicate_text,
    form_typed,
    name_typed,
    nik_typed,
    occupation_chosen,
    on,
    on_text,
    phone_typed,
    show,
    tap_please,
    top_level,
    turn_page,
)
from handlers.assisted_views import (
    STEP_KINDS,
    AssistedState,
    AstArea,
    AstEraseYes,
    AstOccupation,
    AstPage,
    AstSave,
    AstStart,
    AstTop,
    confirm_erase,
    place,
)
from handlers.assisted_views import AstErase as AstEraseAsk
from handlers.callbacks import any_of
from handlers.context import BotContext
from handlers.flow import Result, declare_flow, leave_flow
from handlers.followup_callbacks import OpenRequest, ShowQueue
from handlers.guards import requires
from handlers.keyboards import button
from handlers.ui import ack, edit_or_say, say, tell

KEY = AssistedState.KEY


@requires("staff")
async def start(update: Update, context: BotContext) -> Result:
    await ack(update)
    state = AssistedState()
    areas = context.services.interest.assisted_areas(context.actor)
    if len(areas) == 1 and areas[0].level == 4:  # an official of one desa: that desa
        state.desa_code = areas[0].code
    return await show(update, context, state, state.next_step())


async def save(update: Update, context: BotContext, state: AssistedState, _data: AstSave) -> Result:
    t = context.i18n
    _ = t.gettext
    try:
        done = await context.services.interest.submit_assisted(context.actor, state.draft(), state.form or "",
                                                               context.services.config.default_language)
    except InvalidDraft:
        return await show(update, context, state, state.next_step() if state.draft().missing() else "nik",
                          "⚠️ " + _("Something needs fixing. Please check it again."))
    leave_flow(context, KEY)
    if done.outcome == "outside":
        await say(update, context, "⚠️ " + _("You can register workers of your own area only."))
        return ConversationHandler.END
    if done.outcome == "duplicate":
        await say(update, context, "⚠️ " + duplicate_text(context, done.request))
        return ConversationHandler.END
    request = done.request
    assert request is not None
    text = "\n".join([
        _("✅ Registered: <b>{ref}</b> ({name}, {desa}).").format(
            ref=escape(request.ref), name=escape(request.name), desa=escape(place(request.desa_code))),
        _("Write {ref} on the paper form and keep the form at the desa office.").format(ref=escape(request.ref)),
        _("The worker has no Telegram: you will get the messages about this request, please pass them on."),
    ])
    await say(update, context, text, InlineKeyboardMarkup([[button(_("Open"), OpenRequest(request.id))]]))
    return ConversationHandler.END


async def stale_button(update: Update, context: BotContext) -> str:
    """A button from an earlier step: show the current step again."""
    await ack(update)
    state = AssistedState.load(context)
    return await show(update, context, state, state.step or "desa")


@requires("staff")
async def ask_erase(update: Update, context: BotContext) -> None:
    data = AstEraseAsk.of(update)
    try:
        request = await context.services.followup.request(context.actor, data.request_id if data else 0)
    except AccessDenied:
        request = None
    if request is None or not request.is_assisted:
        await tell(update, context, context.i18n.gettext("This request is not in your area (or no longer exists)."))
        return
    await ack(update)
    text, keyboard = confirm_erase(context.i18n, request, OpenRequest(request.id))
    await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def erase(update: Update, context: BotContext) -> None:
    data = AstEraseYes.of(update)
    erased = await context.services.interest.erase_assisted(context.actor, data.request_id if data else 0)
    _ = context.i18n.gettext
    if erased is None:
        await tell(update, context, _("This request is not in your area (or no longer exists)."))
        return
    await ack(update)
    keyboard = InlineKeyboardMarkup([[button(_("◀ Back to list"), ShowQueue("open", 0))]])
    await edit_or_say(update, context, _("🗑 {ref} and the notes about it are erased.").format(
        ref=escape(erased.ref)), keyboard)


def steps() -> dict[object, list[BaseHandler[Update, BotContext, Result]]]:
    return {
        "desa": [on(AstArea, area_chosen), on(AstTop, top_level), on(AstPage, turn_page), on_text(desa_typed)],
        "name": [on_text(name_typed)],
        "nik": [on_text(nik_typed)],
        "phone": [on_text(phone_typed)],
        "occupation": [on(AstOccupation, occupation_chosen)],
        "form": [on_text(form_typed)],
        "confirm": [on(AstSave, save)],
    }


def register(application: Application) -> None:
    application.add_handler(declare_flow(
        application,
        KEY,
        entry_points=[CommandHandler("daftarkan", start),
                      CallbackQueryHandler(start, pattern=AstStart.pattern())],
        steps=steps(),
        fallbacks=[CallbackQueryHandler(stale_button, pattern=any_of(STEP_KINDS)), on_text(tap_please)],
    ))
    application.add_handler(CallbackQueryHandler(ask_erase, pattern=AstEraseAsk.pattern()))
    application.add_handler(CallbackQueryHandler(erase, pattern=AstEraseYes.pattern()))
