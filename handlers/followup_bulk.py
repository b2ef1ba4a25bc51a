"""Select several requests and change their status together (issue 12): a list with ☐/☑ buttons (from the
queue, "☑️ Select several", or from a search, `handlers/followup_search.py`), then one status for all.

The selection is a `FlowState` (ids only, no names), stored with user_data: it survives a restart. Each change
goes through `FollowupService.change_many` → `change_status` (the worker is told, each change is audited);
decided requests are skipped and the official sees "5 changed, 1 skipped"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.domain import followup as fu
from bot.domain.followup import BulkResult, BulkStatus, FilterId
from bot.domain.i18n import N_, Translator
from bot.domain.interest import InterestRequestView
from bot.domain.markup import escape
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.followup_callbacks import OpenRequest, ShowQueue
from handlers.guards import requires
from handlers.keyboards import back_button, button
from handlers.ui import ack, edit_or_say

BULK_LABELS: dict[BulkStatus, str] = {
    "contacted": N_("📞 Contacted"), "proposed": N_("📤 Proposed"), "unreachable": N_("📵 Unreachable"),
}


@dataclass
class BulkSelection(FlowState):
    """The requests on the selection list and the ones ticked (ids only)."""

    KEY: ClassVar[str] = "followup_bulk"
    ids: list[int] = field(default_factory=list)
    selected: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class BulkOpen(CallbackData):
    """`fb:o:{filter}`: a selection list of the queue's newest requests with this filter."""

    PREFIX = "fb:o"
    filter_id: FilterId = "open"


@dataclass(frozen=True)
class BulkToggle(CallbackData):
    PREFIX = "fb:t"
    request_id: int


@dataclass(frozen=True)
class BulkAll(CallbackData):
    """`fb:a`: tick every request on the list (or none, when all are ticked)."""

    PREFIX = "fb:a"


@dataclass(frozen=True)
class BulkShow(CallbackData):
    PREFIX = "fb:l"


@dataclass(frozen=True)
class BulkAsk(CallbackData):
    """`fb:q:{status}`: "Set N requests to …?" (confirmed with `BulkApply`)."""

    PREFIX = "fb:q"
    status: BulkStatus


@dataclass(frozen=True)
class BulkApply(CallbackData):
    PREFIX = "fb:y"
    status: BulkStatus


def _row(t: Translator, r: InterestRequestView, ticked: bool) -> list[InlineKeyboardButton]:
    label = f"{'☑' if ticked else '☐'} {fu.STATUS_ICONS.get(r.status, '')} {r.name[:18]} · {fu.place(r.desa_code)[:12]}"
    return [button(label, BulkToggle(r.id)), button("›", OpenRequest(r.id))]


def selection_view(t: Translator, items: list[InterestRequestView], state: BulkSelection,
                   header: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    chosen = [r for r in items if r.id in state.selected]
    lines = [header] if header else []
    lines.append(_("☑️ <b>Select requests</b> · {k} of {n} selected").format(k=len(chosen), n=len(items)))
    lines.append(_("Tap a request to tick it (› opens it), then choose the new status for all ticked ones.")
                 if items else _("Nothing here. 🎉"))
    keyboard = [_row(t, r, r.id in state.selected) for r in items]
    if items:
        everything = len(chosen) == len(items)
        keyboard.append([button(_("☐ Clear all") if everything else _("☑ Select all"), BulkAll())])
        keyboard.append([button(t.gettext(label), BulkAsk(status)) for status, label in BULK_LABELS.items()])
    keyboard.append([back_button(t, ShowQueue("open", 0))])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def show_selection(update: Update, context: BotContext, state: BulkSelection, header: str | None = None) -> None:
    """Save the selection and show it (requests gone or out of the area meanwhile drop off the list)."""
    items = await context.services.followup.selection(context.actor, state.ids)
    state.ids = [r.id for r in items]
    state.selected = [i for i in state.selected if i in state.ids]
    state.save(context)
    text, keyboard = selection_view(context.i18n, items, state, header)
    await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def open_selection(update: Update, context: BotContext) -> None:
    await ack(update)
    data = BulkOpen.of(update) or BulkOpen()
    items = await context.services.followup.first_of_queue(context.actor, data.filter_id)
    await show_selection(update, context, BulkSelection(ids=[r.id for r in items]))


@requires("staff")
async def toggle(update: Update, context: BotContext) -> None:
    state = BulkSelection.load(context)
    data = BulkToggle.of(update)
    await ack(update)
    if data is not None and data.request_id in state.ids:
        if data.request_id in state.selected:
            state.selected.remove(data.request_id)
        else:
            state.selected.append(data.request_id)
    await show_selection(update, context, state)


@requires("staff")
async def toggle_all(update: Update, context: BotContext) -> None:
    await ack(update)
    state = BulkSelection.load(context)
    state.selected = [] if set(state.selected) >= set(state.ids) else list(state.ids)
    await show_selection(update, context, state)


@requires("staff")
async def redisplay(update: Update, context: BotContext) -> None:
    await ack(update)
    await show_selection(update, context, BulkSelection.load(context))


@requires("staff")
async def ask(update: Update, context: BotContext) -> None:
    _ = context.i18n.gettext
    data = BulkAsk.of(update)
    state = BulkSelection.load(context)
    if data is None or not state.selected:
        await ack(update, _("Tick one or more requests first."), alert=True)
        return
    await ack(update)
    label = context.i18n.gettext(BULK_LABELS[data.status])
    text = context.i18n.ngettext("Set {n} request to {status}?", "Set {n} requests to {status}?",
                                 len(state.selected)).format(n=len(state.selected), status=escape(label))
    text += "\n" + _("Requests already registered or not eligible are left as they are.")
    keyboard = InlineKeyboardMarkup([[button(_("✅ Yes, change them"), BulkApply(data.status)),
                                      back_button(context.i18n, BulkShow())]])
    await edit_or_say(update, context, text, keyboard)


def result_text(t: Translator, result: BulkResult) -> str:
    parts = [t.ngettext("{n} changed", "{n} changed", len(result.changed)).format(n=len(result.changed))]
    if result.skipped:
        parts.append(t.ngettext("{n} skipped (already decided or already so)",
                                "{n} skipped (already decided or already so)", result.skipped).format(n=result.skipped))
    text = "✅ " + ", ".join(parts) + "."
    if result.failed:
        text += "\n" + t.ngettext(
            "{n} not changed: the worker could not be reached just now. Try again in a minute.",
            "{n} not changed: the workers could not be reached just now. Try again in a minute.",
            result.failed).format(n=result.failed)
    return text


@requires("staff")
async def apply(update: Update, context: BotContext) -> None:
    data = BulkApply.of(update)
    state = BulkSelection.load(context)
    if data is None or not state.selected:
        await redisplay(update, context)
        return
    await ack(update)
    result = await context.services.followup.change_many(context.actor, state.selected, data.status)
    state.selected = []
    await show_selection(update, context, state, header=result_text(context.i18n, result))


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(open_selection, pattern=BulkOpen.pattern()))
    application.add_handler(CallbackQueryHandler(toggle, pattern=BulkToggle.pattern()))
    application.add_handler(CallbackQueryHandler(toggle_all, pattern=BulkAll.pattern()))
    application.add_handler(CallbackQueryHandler(redisplay, pattern=BulkShow.pattern()))
    application.add_handler(CallbackQueryHandler(ask, pattern=BulkAsk.pattern()))
    application.add_handler(CallbackQueryHandler(apply, pattern=BulkApply.pattern()))
