"""/siaran's shared pieces: the flow's steps, the draft being composed (typed flow state), the admin check of
every step, and the entry point (/siaran starts a new draft)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

from telegram import Update
from telegram.ext import ConversationHandler

from bot.domain.audience import Audience, AudienceError
from bot.domain.broadcast import Content, Draft
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.guards import allowed, refuse, requires
from handlers.ui import say

CONTENT, AUDIENCE, AREA, CONFIRM, SCHEDULE = range(5)
Step = Callable[[Update, BotContext], Coroutine[Any, Any, int]]


@dataclass
class BroadcastDraft(FlowState):
    """The broadcast being composed: content, then audience (an area audience asks for the area)."""

    KEY: ClassVar[str] = "broadcast_draft"
    kind: str = ""  # "text" | "photo"; "" until the content arrived
    body: str | None = None  # HTML
    photo: str | None = None  # file_id
    audience_kind: str = ""
    audience_value: str | None = None
    area_kind: str = "kecamatan"  # the area level being picked

    def ready(self) -> Draft | None:
        """The draft to send, or None while content or audience is missing."""
        if not self.kind:
            return None
        try:
            audience = Audience(self.audience_kind, self.audience_value)
        except AudienceError:
            return None
        return Draft(Content(self.kind, self.body, self.photo), audience)


def admin_step(step: Step) -> Step:
    """A step of the flow: someone who is no longer an admin gets the refusal and leaves the flow."""

    @functools.wraps(step)
    async def guarded(update: Update, context: BotContext) -> int:
        if not allowed(context, "admin"):
            await refuse(update, context, "admin")
            return ConversationHandler.END
        return await step(update, context)

    return guarded


@requires("admin")
async def compose(update: Update, context: BotContext) -> int:
    return await new_draft(update, context)


async def new_draft(update: Update, context: BotContext) -> int:
    BroadcastDraft().save(context)
    _ = context.i18n.gettext
    await say(update, context, _("📣 <b>New broadcast</b>\nSend the text (bold, links and so on are kept), "
                                 "or a photo with a caption.\n/batal to stop."))
    return CONTENT
