"""The one flow mechanism: a multi-step flow is declared as a step table (`declare_flow`), stored in the
database (survives a restart), left with /batal or 🏠 Main menu from any step, and only the flow a user entered
last takes their text and buttons. Its state is a typed `FlowState` (handlers/flow_state.py)."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.callbacks import CallbackData, Menu, one_of
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.ui import ack, show_main_menu, typed

CANCEL_COMMANDS = ("batal", "cancel")
ACTIVE_FLOW_KEY = "active_flow"  # user_data: the name of the conversation the user entered last
NO_FLOW = "-"  # the user went to the main menu: no half-finished flow takes their text


def leave_flows_for_menu(update: Update, context: BotContext) -> None:
    """A main-menu button (`menu:*`) leaves any half-finished flow: its draft is dropped and it stops taking
    the user's text (a flow whose entry point is that button makes itself active again right after)."""
    data = context.user_data
    if Menu.of(update) is None or data is None:
        return
    active = data.get(ACTIVE_FLOW_KEY)
    if active and active != NO_FLOW:
        data.pop(active, None)
    if active is not None:
        data[ACTIVE_FLOW_KEY] = NO_FLOW


def leave_flow(context: BotContext, name: str) -> None:
    """The flow `name` is over (finished or cancelled): its state `user_data[name]` is dropped and, if it was
    the active flow, no flow is active any more: an older half-finished flow does not take the user's text back
    (it answers again when the user re-enters it)."""
    data = context.user_data
    if data is not None:
        data.pop(name, None)
        if data.get(ACTIVE_FLOW_KEY) == name:
            data[ACTIVE_FLOW_KEY] = NO_FLOW


class FlowConversation(ConversationHandler[Any]):
    """A ConversationHandler that only answers while it is the user's active flow.

    A user who leaves a flow half-way by tapping another feature leaves the first one waiting in its state;
    without this, the older flow (registered earlier) would take the text meant for the newer one. Entering a
    flow (an entry point) makes it the active one; steps and fallbacks of the other flows then stand aside,
    and their old buttons get the "expired" answer. A flow whose user_data is gone (/hapusdata erased it, or
    it was never marked active) stands aside too: its step would run on an empty state.
    """

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._application = application  # read-only: whose user_data says which flow is active

    def _is_entry(self, update: Update) -> bool:
        return any(handler.check_update(update) not in (None, False) for handler in self.entry_points)

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if result is None or not isinstance(update, Update) or self._is_entry(update):
            return result
        user = update.effective_user
        data = self._application.user_data.get(user.id) if user is not None else None
        active = data.get(ACTIVE_FLOW_KEY) if data else None
        return result if active == self.name else None

    async def handle_update(
        self, update: Update, application: Application[Any, Any, Any, Any, Any, Any], check_result: Any,
        context: Any,
    ) -> object:
        if self._is_entry(update) and context.user_data is not None:
            context.user_data[ACTIVE_FLOW_KEY] = self.name
        return await super().handle_update(update, application, check_result, context)


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the conversation; keep nothing of it in user_data under the conversation's prefix."""
    await ack(update)
    t = context.i18n
    await show_main_menu(update, context, t.gettext("Okay, stopped. Nothing was sent."))
    return ConversationHandler.END


def declare_flow(
    application: Application[Any, Any, Any, Any, Any, Any],
    name: str,
    entry_points: Sequence[BaseHandler[Update, Any, Any]],
    steps: dict[object, list[BaseHandler[Update, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Update, Any, Any]] = (),
) -> FlowConversation:
    """A flow as a step table: {step: [handlers]}, stored in the database (survives restarts); /batal and the
    main-menu button leave it from any step (dropping `user_data[name]`, the flow's state); a new entry point
    restarts it."""

    async def leave(update: Update, context: BotContext) -> int:
        leave_flow(context, name)
        return await cancel(update, context)

    with warnings.catch_warnings():
        # PTB warns that buttons are tracked per chat, not per message: intended (one flow per user at a time).
        warnings.filterwarnings("ignore", message=".*per_message=False.*", category=PTBUserWarning)
        return FlowConversation(
            application,
            entry_points=list(entry_points),
            states=steps,
            fallbacks=[
                CommandHandler(list(CANCEL_COMMANDS), leave),
                CallbackQueryHandler(leave, pattern=one_of(Menu("home"))),
                *fallbacks,
            ],
            name=name,
            persistent=True,
            allow_reentry=True,
        )


# ----------------------------------------------------------------------------- step-table cells

S = TypeVar("S", bound=FlowState)
K = TypeVar("K", bound=CallbackData)
Result = str | int  # the next step, or ConversationHandler.END
ButtonStep = Callable[[Update, BotContext, S, K], Awaitable[Result]]
TextStep = Callable[[Update, BotContext, S, str], Awaitable[Result]]
Redisplay = Callable[[Update, BotContext, S], Awaitable[Result]]


def on_button(state_type: type[S], kind: type[K], step: ButtonStep[S, K], redisplay: Redisplay[S],
              ) -> CallbackQueryHandler[BotContext, Result]:
    """A button of `kind` at a step: `step(update, context, state, data)` with the flow's typed state; a button
    whose data does not unpack (forged) shows the current step again."""

    async def handle(update: Update, context: BotContext) -> Result:
        await ack(update)
        data = kind.of(update)
        state = state_type.load(context)
        if data is None:
            return await redisplay(update, context, state)
        return await step(update, context, state, data)

    return CallbackQueryHandler(handle, pattern=kind.pattern())


def on_text(state_type: type[S], step: TextStep[S]) -> MessageHandler[BotContext, Result]:
    """Typed text at a step: `step(update, context, state, text)` (an edited message counts as typed again)."""

    async def handle(update: Update, context: BotContext) -> Result:
        return await step(update, context, state_type.load(context), typed(update))

    return MessageHandler(filters.TEXT & ~filters.COMMAND, handle)
