"""/tindaklanjut: the officials' queue (their area only), request cards, status changes that reach the
worker, notes. Notices about new requests and the daily digest: `handlers/followup_jobs.py`; screens:
`handlers/followup_views.py`; buttons: `handlers/followup_callbacks.py`.

Callback data names a request by id only; every press re-checks role (`@requires`) and area (the service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, cast

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain import followup as fu
from bot.domain.followup import AccessDenied, Card, WorkerUnreachable
from bot.domain.i18n import N_
from bot.domain.interest import InterestRequestView
from bot.domain.markup import escape
from handlers import followup_jobs
from handlers.context import BotContext, HasServices
from handlers.flow import declare_flow
from handlers.flow_state import FlowState
from handlers.followup_callbacks import (
    ConfirmStatus,
    OpenRequest,
    RefusalMenu,
    RefusalReason,
    RevealNik,
    SetStatus,
    ShowQueue,
    TypeNote,
    TypeReason,
)
from handlers.followup_views import card_keyboard, card_text, confirm_registered, queue_view, refusal_menu
from handlers.guards import refuse, requires
from handlers.ui import ack, edit_or_say, say, tell, typed

TYPING = "typing"
UNREACHABLE = N_("The worker could not be reached just now, so nothing was changed. Please try again in a minute.")


@dataclass
class FollowupText(FlowState):
    """While an official types a reason ("why") or a note ("note") for a request."""

    KEY: ClassVar[str] = "followup_text"
    kind: str = ""
    id: int = 0


async def _not_yours(update: Update, context: BotContext) -> None:
    await tell(update, context, context.i18n.gettext("This request is not in your area (or no longer exists)."))


async def _show_card(update: Update, context: BotContext, card: Card, full_nik: bool = False) -> None:
    text = card_text(context.i18n, card, context.services.clock.now(), full_nik)
    await edit_or_say(update, context, text, card_keyboard(context.i18n, card.request, full_nik))


@requires("staff")
async def show_queue(update: Update, context: BotContext) -> None:
    await ack(update)
    data = ShowQueue.of(update) or ShowQueue()
    page = await context.services.followup.queue(context.actor, data.filter_id, data.page)
    text, keyboard = queue_view(context.i18n, page, context.services.clock.now())
    await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def open_card(update: Update, context: BotContext) -> None:
    data = OpenRequest.of(update)
    try:
        card = await context.services.followup.card(context.actor, data.request_id if data else 0)
    except AccessDenied:
        await _not_yours(update, context)
        return
    await ack(update)
    await _show_card(update, context, card)


@requires("staff")
async def show_nik(update: Update, context: BotContext) -> None:
    data = RevealNik.of(update)
    try:
        card = await context.services.followup.reveal_nik(context.actor, data.request_id if data else 0)
    except AccessDenied:
        await _not_yours(update, context)
        return
    await ack(update)
    await _show_card(update, context, card, full_nik=True)


async def _request(update: Update, context: BotContext, request_id: int) -> InterestRequestView | None:
    try:
        return await context.services.followup.request(context.actor, request_id)
    except AccessDenied:
        await _not_yours(update, context)
        return None


async def _apply(update: Update, context: BotContext, request_id: int, status: str, reason: str | None) -> None:
    try:
        change = await context.services.followup.change_status(context.actor, request_id, status, reason)
    except AccessDenied:
        await _not_yours(update, context)
        return
    except WorkerUnreachable:  # the worker is told first: nothing was saved
        await tell(update, context, context.i18n.gettext(UNREACHABLE))
        return
    await ack(update, context.i18n.gettext("Saved: {status}").format(status=fu.status_label(context.i18n, status)))
    await _show_card(update, context, change.card)


@requires("staff")
async def set_status(update: Update, context: BotContext) -> None:
    data = SetStatus.of(update)
    if data is None:
        return
    if data.status != "registered":
        await _apply(update, context, data.request_id, data.status, None)
        return
    request = await _request(update, context, data.request_id)  # "registered" is confirmed first
    if request is not None:
        await ack(update)
        text, keyboard = confirm_registered(context.i18n, request)
        await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def confirm_status(update: Update, context: BotContext) -> None:
    data = ConfirmStatus.of(update)
    if data is not None:
        await _apply(update, context, data.request_id, data.status, None)


@requires("staff")
async def show_refusal_menu(update: Update, context: BotContext) -> None:
    data = RefusalMenu.of(update)
    request = await _request(update, context, data.request_id if data else 0)
    if request is not None:
        await ack(update)
        text, keyboard = refusal_menu(context.i18n, request)
        await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def refusal_reason(update: Update, context: BotContext) -> None:
    data = RefusalReason.of(update)
    if data is not None:
        await _apply(update, context, data.request_id, "not_eligible", f"reason:{data.code}")


# ----------------------------------------------------------------------------- typed reason / note


@requires("staff")
async def ask_text(update: Update, context: BotContext) -> str | int:
    data = TypeReason.of(update) or TypeNote.of(update)
    request = await _request(update, context, data.request_id if data else 0)
    if request is None:
        return ConversationHandler.END
    await ack(update)
    _ = context.i18n.gettext
    kind = "why" if isinstance(data, TypeReason) else "note"
    FollowupText(kind=kind, id=request.id).save(context)
    if kind == "why":
        text = _("Type the reason for {ref} (short; the worker will read it). /batal to stop.")
    else:
        text = _("Type a note for {ref} (only officials see it). /batal to stop.")
    await say(update, context, text.format(ref=escape(request.ref)))
    return TYPING


async def _save_text(context: BotContext, pending: FollowupText, text: str) -> Card:
    """The typed reason (a status change: the worker is told first) or note."""
    followup = context.services.followup
    if pending.kind == "why":
        return (await followup.change_status(context.actor, pending.id, "not_eligible", text)).card
    return await followup.add_note(context.actor, pending.id, text)


async def got_text(update: Update, context: BotContext) -> str | int:
    _ = context.i18n.gettext
    pending = FollowupText.load(context)
    limit = fu.REASON_MAX if pending.kind == "why" else fu.NOTE_MAX
    text, too_long = fu.clean_text(typed(update), limit)
    if too_long or text is None:
        await say(update, context, _("Please keep it under {n} characters and try again, or /batal.").format(
            n=limit) if too_long else _("Please type a few words, or /batal."))
        return TYPING
    try:
        card = await _save_text(context, pending, text)
    except AccessDenied:
        FollowupText.clear(context)
        await refuse(update, context, "staff")
        return ConversationHandler.END
    except WorkerUnreachable:  # nothing saved: the official sends it again (or /batal)
        await say(update, context, _(UNREACHABLE) + "\n" + _("Send the reason again, or /batal."))
        return TYPING
    FollowupText.clear(context)
    await say(update, context, _("Saved. 👍"))
    await _show_card(update, context, card)
    return ConversationHandler.END


def register(application: Application) -> None:
    followup_jobs.register(application, cast(HasServices, application).services)
    application.add_handler(declare_flow(
        application,
        FollowupText.KEY,
        entry_points=[CallbackQueryHandler(ask_text, pattern=TypeReason.pattern()),
                      CallbackQueryHandler(ask_text, pattern=TypeNote.pattern())],
        steps={TYPING: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_text)]},
    ))
    application.add_handler(CommandHandler(["tindaklanjut", "followup"], show_queue))
    application.add_handler(CallbackQueryHandler(show_queue, pattern=ShowQueue.pattern()))
    application.add_handler(CallbackQueryHandler(open_card, pattern=OpenRequest.pattern()))
    application.add_handler(CallbackQueryHandler(show_nik, pattern=RevealNik.pattern()))
    application.add_handler(CallbackQueryHandler(set_status, pattern=SetStatus.pattern()))
    application.add_handler(CallbackQueryHandler(confirm_status, pattern=ConfirmStatus.pattern()))
    application.add_handler(CallbackQueryHandler(show_refusal_menu, pattern=RefusalMenu.pattern()))
    application.add_handler(CallbackQueryHandler(refusal_reason, pattern=RefusalReason.pattern()))
