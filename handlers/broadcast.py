"""/siaran: compose a broadcast (content → audience → preview → send now or schedule). Admins only.

This module holds the flow's step table and its first steps (content, audience, area); the draft and the entry
point are `handlers.broadcast_draft`, the preview / send / schedule steps `handlers.broadcast_confirm`, what they
show `handlers.broadcast_views`; the job's buttons and /siaran_status are `handlers.broadcast_jobs`, the sending
itself `bot.domain.broadcast` (through `handlers.broadcast_sender`).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.audience import AREA_LEVELS, Audience, pick_area
from bot.domain.i18n import SUPPORTED_LANGUAGES
from bot.domain.regions import HOME_PROVINCE
from handlers.broadcast_callbacks import (
    AreaChoice,
    AskSchedule,
    AudienceChoice,
    CancelDraft,
    LanguageChoice,
    ScheduleAt,
    SendNow,
)
from handlers.broadcast_confirm import (
    ask_schedule,
    cancel_draft,
    schedule_quick,
    schedule_typed,
    send_now,
    show_preview,
)
from handlers.broadcast_draft import AREA, AUDIENCE, CONFIRM, CONTENT, SCHEDULE, BroadcastDraft, admin_step, compose
from handlers.broadcast_views import areas_view, audience_keyboard, language_keyboard
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.ui import ack, say


@admin_step
async def content_received(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    draft = BroadcastDraft.load(context)
    if message.photo:
        draft.kind, draft.photo, draft.body = "photo", message.photo[-1].file_id, message.caption_html or None
    else:
        draft.kind, draft.photo, draft.body = "text", None, message.text_html
    draft.save(context)
    await say(update, context, context.i18n.gettext("Who should get it?"), audience_keyboard(context.i18n))
    return AUDIENCE


async def content_invalid(update: Update, context: BotContext) -> int:
    await say(update, context, context.i18n.gettext("Please send a text or a photo (with a caption if you like)."))
    return CONTENT


@admin_step
async def audience_chosen(update: Update, context: BotContext) -> int:
    choice = AudienceChoice.of(update)
    assert choice is not None
    await ack(update)
    if choice.kind in AREA_LEVELS:
        draft = BroadcastDraft.load(context)
        draft.area_kind = choice.kind
        draft.save(context)
        return await show_areas(update, context, HOME_PROVINCE)
    if choice.kind == "language":
        await say(update, context, context.i18n.gettext("Which language?"), language_keyboard())
        return AUDIENCE
    return await audience_ready(update, context, Audience(choice.kind))


@admin_step
async def language_chosen(update: Update, context: BotContext) -> int:
    choice = LanguageChoice.of(update)
    assert choice is not None
    await ack(update)
    if choice.code not in SUPPORTED_LANGUAGES:
        return AUDIENCE
    return await audience_ready(update, context, Audience("language", choice.code))


async def show_areas(update: Update, context: BotContext, parent: str) -> int:
    text, keyboard = areas_view(context.i18n, BroadcastDraft.load(context).area_kind, parent)
    await say(update, context, text, keyboard)
    return AREA


@admin_step
async def area_picked(update: Update, context: BotContext) -> int:
    choice = AreaChoice.of(update)
    assert choice is not None
    await ack(update)
    return await _area_code(update, context, choice.code)


@admin_step
async def area_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    return await _area_code(update, context, message.text.strip())


async def _area_code(update: Update, context: BotContext, text: str) -> int:
    picked = pick_area(BroadcastDraft.load(context).area_kind, text)
    if picked is not None and picked.narrow is not None:
        return await show_areas(update, context, picked.narrow)
    if picked is None or picked.audience is None:
        _ = context.i18n.gettext
        await say(update, context, _("I don't know that region code. Pick a button or type a code like 64.08.01."))
        return AREA
    return await audience_ready(update, context, picked.audience)


async def audience_ready(update: Update, context: BotContext, audience: Audience) -> int:
    draft = BroadcastDraft.load(context)
    draft.audience_kind, draft.audience_value = audience.kind, audience.value
    draft.save(context)
    return await show_preview(update, context)


def conversation(application: Application) -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    return declare_flow(
        application,
        "broadcast",
        entry_points=[CommandHandler(["siaran", "broadcast"], compose)],
        steps={
            CONTENT: [MessageHandler((text | filters.PHOTO), content_received),
                      MessageHandler(~filters.COMMAND, content_invalid)],
            AUDIENCE: [CallbackQueryHandler(audience_chosen, pattern=AudienceChoice.pattern()),
                       CallbackQueryHandler(language_chosen, pattern=LanguageChoice.pattern())],
            AREA: [CallbackQueryHandler(area_picked, pattern=AreaChoice.pattern()), MessageHandler(text, area_typed)],
            CONFIRM: [CallbackQueryHandler(send_now, pattern=SendNow.pattern()),
                      CallbackQueryHandler(ask_schedule, pattern=AskSchedule.pattern())],
            SCHEDULE: [CallbackQueryHandler(schedule_quick, pattern=ScheduleAt.pattern()),
                       MessageHandler(text, schedule_typed)],
        },
        fallbacks=[CallbackQueryHandler(cancel_draft, pattern=CancelDraft.pattern())],
    )


def register(application: Application) -> None:
    application.add_handler(conversation(application))
