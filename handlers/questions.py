"""/pertanyaan: the officials' inbox of workers' questions ("🙋 Tanya petugas"), their area only (admins:
everywhere, and the questions nobody else serves); a question's screen; the answer typed in Telegram (the
`question_answer` flow) that reaches the worker with their question quoted; the worker's "🙏 Thank you" /
"😕 Still confused". Notices and the digest: `handlers/questions_jobs.py`; screens:
`handlers/questions_views.py`; the admins' "📚 Make it an FAQ": `handlers/faq_learning.py`.

Callback data names a question by id only; every press re-checks role (`@requires`) and area (the service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, cast

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.questions import MAX_ANSWER, AccessDenied, OfficialQuestion, WorkerUnreachable, clean_answer
from handlers import questions_jobs
from handlers.context import BotContext, HasServices
from handlers.flow import declare_flow
from handlers.flow_state import FlowState
from handlers.guards import refuse, requires
from handlers.questions_callbacks import AnswerQuestion, GiveFeedback, OpenQuestion, ShowInbox
from handlers.questions_views import inbox_view, question_keyboard, question_text, quote
from handlers.ui import ack, edit_or_say, say, set_buttons, tell, typed

TYPING = "typing"


@dataclass
class AnswerState(FlowState):
    """While an official types the answer to a question."""

    KEY: ClassVar[str] = "question_answer"
    question_id: int = 0


async def _not_yours(update: Update, context: BotContext) -> None:
    await tell(update, context, context.i18n.gettext("This question is not in your area (or no longer exists)."))


async def show_question(update: Update, context: BotContext, question: OfficialQuestion) -> None:
    t = context.i18n
    text = question_text(t, question, context.services.clock.now())
    await edit_or_say(update, context, text, question_keyboard(t, question, context.actor.is_admin))


@requires("staff")
async def show_inbox(update: Update, context: BotContext) -> None:
    await ack(update)
    data = ShowInbox.of(update) or ShowInbox()
    page = await context.services.questions.inbox(context.actor, data.filter_id, data.page)
    text, keyboard = inbox_view(context.i18n, page, context.services.clock.now())
    await edit_or_say(update, context, text, keyboard)


@requires("staff")
async def open_question(update: Update, context: BotContext) -> None:
    data = OpenQuestion.of(update)
    try:
        question = await context.services.questions.question(context.actor, data.question_id if data else 0)
    except AccessDenied:
        await _not_yours(update, context)
        return
    await ack(update)
    await show_question(update, context, question)


@requires("staff")
async def ask_answer(update: Update, context: BotContext) -> str | int:
    data = AnswerQuestion.of(update)
    try:
        question = await context.services.questions.question(context.actor, data.question_id if data else 0,
                                                             audit=False)
    except AccessDenied:
        await _not_yours(update, context)
        return ConversationHandler.END
    await ack(update)
    AnswerState(question.id).save(context)
    text = context.i18n.gettext("Type your answer to question #{id}; the worker will read it. /batal to stop.")
    await say(update, context, text.format(id=question.id) + "\n" + quote(question.text))
    return TYPING


async def got_answer(update: Update, context: BotContext) -> str | int:
    _ = context.i18n.gettext
    state = AnswerState.load(context)
    text, too_long = clean_answer(typed(update))
    if too_long or text is None:
        await say(update, context, _("Please keep it under {n} characters and try again, or /batal.").format(
                  n=MAX_ANSWER)
                  if too_long else _("Please type a few words, or /batal."))
        return TYPING
    try:
        done = await context.services.questions.answer(context.actor, state.question_id, text)
    except AccessDenied:
        AnswerState.clear(context)
        await refuse(update, context, "staff")
        return ConversationHandler.END
    except WorkerUnreachable:  # nothing saved: the official sends it again (or /batal)
        await say(update, context, _("The worker could not be reached just now, so nothing was saved. "
                                     "Send the answer again in a minute, or /batal."))
        return TYPING
    AnswerState.clear(context)
    await say(update, context, _("✅ Sent to the worker.") if done.delivered else
              _("Saved, but the worker cannot be reached (they may have blocked the bot)."))
    await show_question(update, context, done.question)
    return ConversationHandler.END


async def feedback(update: Update, context: BotContext) -> None:
    """The worker's "🙏 Thank you" / "😕 Still confused" under an answer (their own question only, once)."""
    data = GiveFeedback.of(update)
    _ = context.i18n.gettext
    found = None
    if data is not None and context.profile is not None:
        found = await context.services.questions.feedback(context.profile.id, data.question_id, data.kind)
    if found is None or data is None:
        await ack(update, _("This button has expired."))
        return
    await ack(update)
    await set_buttons(update, context, None)
    if data.kind == "thanks":
        await say(update, context, _("🙏 You're welcome! Glad it helped."))
    else:
        await say(update, context, _("😕 We passed your question on again; an official will answer you. "
                                     "For urgent matters call 175."))


def register(application: Application) -> None:
    questions_jobs.register(application, cast(HasServices, application).services)
    application.add_handler(declare_flow(
        application,
        AnswerState.KEY,
        entry_points=[CallbackQueryHandler(ask_answer, pattern=AnswerQuestion.pattern())],
        steps={TYPING: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_answer)]},
    ))
    application.add_handler(CommandHandler(["pertanyaan", "questions"], show_inbox))
    application.add_handler(CallbackQueryHandler(show_inbox, pattern=ShowInbox.pattern()))
    application.add_handler(CallbackQueryHandler(open_question, pattern=OpenQuestion.pattern()))
    application.add_handler(CallbackQueryHandler(feedback, pattern=GiveFeedback.pattern()))
