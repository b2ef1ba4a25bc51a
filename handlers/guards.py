"""Who may act: `@requires("staff")` / `@requires("admin")` on a handler, one refusal text per role, checked on
the server from `context.actor` (resolved once per update in group -1; callback data is never trusted).
Area checks live in the domain services (an official sees only their own area)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

from telegram import Update

from bot.domain.i18n import N_
from handlers.context import BotContext
from handlers.ui import ack

Need = Literal["staff", "admin"]
R = TypeVar("R")
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, R]]

REFUSALS: dict[Need, str] = {
    "staff": N_("This is only for village officials."),
    "admin": N_("This is only for admins."),
}


def allowed(context: BotContext, need: Need) -> bool:
    actor = context.actor
    return actor.is_admin if need == "admin" else actor.is_staff


async def refuse(update: Update, context: BotContext, need: Need) -> None:
    """The same short answer for every command/button a user may not use (nothing is revealed)."""
    text = context.i18n.gettext(REFUSALS[need])
    if update.callback_query is not None:
        await ack(update, text, alert=True)
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text)


def requires(need: Need) -> Callable[[Handler[Any]], Handler[Any]]:
    """Run the handler only for actors with the role; everyone else gets the role's refusal."""

    def decorate(handler: Handler[Any]) -> Handler[Any]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> Any:
            if not allowed(context, need):
                await refuse(update, context, need)
                return None
            return await handler(update, context)

        return guarded

    return decorate
