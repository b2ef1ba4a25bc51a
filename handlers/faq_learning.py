"""The admins' "📚 Make it an FAQ" on an answered question (issue 11): add the worker's question as another
way of asking an existing entry (the closest entries, or any entry by topic), or create a new entry (the
`faq_learn` flow: topic, title and answer in Indonesian, English optional). Effective at once; audited by
`FaqLearningService`; exported to locales/*/faq.toml by `jagakerja faq export-learned`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot.domain.faq_learning import ANSWER_MAX, ANSWER_MIN, TITLE_MAX, TITLE_MIN, LearningError, NewEntry, check_text
from bot.domain.markup import escape
from bot.domain.questions import AccessDenied, OfficialQuestion
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.flow_state import FlowState
from handlers.guards import requires
from handlers.keyboards import back_button, button, rows
from handlers.questions_callbacks import (
    LearnMenu,
    LearnNew,
    LearnNewTopics,
    LearnPhrasing,
    LearnTopic,
    OpenQuestion,
    SkipEnglish,
)
from handlers.questions_views import quote
from handlers.ui import ack, edit_or_say, say, tell, typed

TITLE, ANSWER, TITLE_EN, ANSWER_EN = "title", "answer", "title_en", "answer_en"


@dataclass
class LearnState(FlowState):
    """A new FAQ entry being typed by an admin."""

    KEY: ClassVar[str] = "faq_learn"
    question_id: int = 0
    category: str = ""
    title: str = ""
    answer: str = ""
    title_en: str = ""


async def _answered(update: Update, context: BotContext, question_id: int) -> OfficialQuestion | None:
    try:
        found = await context.services.questions.question(context.actor, question_id, audit=False)
    except AccessDenied:
        found = None
    if found is None or found.answer is None:
        await tell(update, context, context.i18n.gettext("Only an answered question can become an FAQ."))
        return None
    return found


@requires("admin")
async def learn_menu(update: Update, context: BotContext) -> None:
    data = LearnMenu.of(update)
    question = await _answered(update, context, data.question_id if data else 0)
    if question is None:
        return
    await ack(update)
    t, qid = context.i18n, question.id
    _ = t.gettext
    closest = context.services.faq_learning.candidates(t.language, question.text)
    topics = context.services.faq.topics(t.language)
    keyboard = [[button("➕ " + e.button, LearnPhrasing(qid, e.id))] for e in closest]
    keyboard += rows([button(label, LearnTopic(qid, key)) for key, label in topics.items()], 2)
    keyboard.append([button(_("🆕 Create a new entry"), LearnNewTopics(qid))])
    keyboard.append([back_button(t, OpenQuestion(qid))])
    text = "\n".join([_("📚 <b>Make question #{id} an FAQ</b>").format(id=qid), quote(question.text),
                      _("Its text becomes part of the FAQ: check that it holds no personal data."),
                      _("Add it as another way of asking an entry (➕ the closest, or pick a topic), "
                        "or create a new entry:")])
    await edit_or_say(update, context, text, InlineKeyboardMarkup(keyboard))


@requires("admin")
async def learn_topic(update: Update, context: BotContext) -> None:
    data = LearnTopic.of(update)
    if data is None or await _answered(update, context, data.question_id) is None:
        return
    await ack(update)
    t = context.i18n
    entries = context.services.faq.in_topic(t.language, data.category)
    keyboard = [[button(e.button, LearnPhrasing(data.question_id, e.id))] for e in entries]
    keyboard.append([back_button(t, LearnMenu(data.question_id))])
    await edit_or_say(update, context, t.gettext("Which entry does question #{id} ask for?").format(
        id=data.question_id), InlineKeyboardMarkup(keyboard))


@requires("admin")
async def learn_phrasing(update: Update, context: BotContext) -> None:
    data = LearnPhrasing.of(update)
    if data is None or await _answered(update, context, data.question_id) is None:
        return
    t = context.i18n
    try:
        await context.services.faq_learning.add_phrasing(context.actor, data.question_id, data.entry_id)
    except LearningError:
        await tell(update, context, t.gettext("This button has expired."))
        return
    await ack(update)
    entry = context.services.faq.entry(t.language, data.entry_id)
    text = t.gettext("✅ Learned: questions like #{id} are now answered with “{entry}”.").format(
        id=data.question_id, entry=escape(entry.button if entry else data.entry_id))
    await edit_or_say(update, context, text, InlineKeyboardMarkup([[back_button(t, OpenQuestion(data.question_id))]]))


@requires("admin")
async def new_entry_topics(update: Update, context: BotContext) -> None:
    data = LearnNewTopics.of(update)
    if data is None or await _answered(update, context, data.question_id) is None:
        return
    await ack(update)
    t = context.i18n
    topics = context.services.faq.topics(t.language)
    keyboard = rows([button(label, LearnNew(data.question_id, key)) for key, label in topics.items()], 2)
    keyboard.append([back_button(t, LearnMenu(data.question_id))])
    await edit_or_say(update, context, t.gettext("🆕 New entry: which topic?"), InlineKeyboardMarkup(keyboard))


@requires("admin")
async def start_new_entry(update: Update, context: BotContext) -> str | int:
    data = LearnNew.of(update)
    if data is None or data.category not in context.services.faq.topics("id"):
        await tell(update, context, context.i18n.gettext("This button has expired."))
        return ConversationHandler.END
    if await _answered(update, context, data.question_id) is None:
        return ConversationHandler.END
    await ack(update)
    LearnState(data.question_id, data.category).save(context)
    await say(update, context, context.i18n.gettext(
        "Type the entry's title in Indonesian (the question it answers, {low}–{high} characters). /batal to stop."
    ).format(low=TITLE_MIN, high=TITLE_MAX))
    return TITLE


async def _typed(update: Update, context: BotContext, low: int, high: int) -> str | None:
    text = check_text(typed(update), low, high)
    if text is None:
        await say(update, context, context.i18n.gettext(
            "Please type {low}–{high} characters, or /batal.").format(low=low, high=high))
    return text


async def got_title(update: Update, context: BotContext) -> str | int:
    state = LearnState.load(context)
    if (text := await _typed(update, context, TITLE_MIN, TITLE_MAX)) is None:
        return TITLE
    state.title = text
    state.save(context)
    await say(update, context, context.i18n.gettext("Now type the answer in Indonesian (plain text)."))
    return ANSWER


async def got_answer(update: Update, context: BotContext) -> str | int:
    state = LearnState.load(context)
    if (text := await _typed(update, context, ANSWER_MIN, ANSWER_MAX)) is None:
        return ANSWER
    state.answer = text
    state.save(context)
    t = context.i18n
    keyboard = InlineKeyboardMarkup([[button(t.gettext("⏭ No English"), SkipEnglish())]])
    await say(update, context, t.gettext("Type the title in English, or tap “No English” (English readers then "
                                         "see the Indonesian text)."), keyboard)
    return TITLE_EN


async def got_title_en(update: Update, context: BotContext) -> str | int:
    state = LearnState.load(context)
    if (text := await _typed(update, context, TITLE_MIN, TITLE_MAX)) is None:
        return TITLE_EN
    state.title_en = text
    state.save(context)
    await say(update, context, context.i18n.gettext("Now type the answer in English."))
    return ANSWER_EN


async def got_answer_en(update: Update, context: BotContext) -> str | int:
    if (text := await _typed(update, context, ANSWER_MIN, ANSWER_MAX)) is None:
        return ANSWER_EN
    return await _save(update, context, text)


async def skip_english(update: Update, context: BotContext) -> str | int:
    await ack(update)
    return await _save(update, context, None)


async def _save(update: Update, context: BotContext, answer_en: str | None) -> str | int:
    state = LearnState.load(context)
    LearnState.clear(context)
    t = context.i18n
    new = NewEntry(state.category, state.title, state.answer, state.title_en or None, answer_en)
    try:
        entry_id = await context.services.faq_learning.create_entry(context.actor, state.question_id, new)
    except (LearningError, AccessDenied):
        await say(update, context, t.gettext("Sorry, that did not work: the question is gone or the text is "
                                             "incomplete. Nothing was saved."))
        return ConversationHandler.END
    text = t.gettext("✅ New FAQ entry “{title}” ({id}) saved: it answers questions like #{qid} from now on.")
    await say(update, context, text.format(title=escape(state.title), id=entry_id, qid=state.question_id),
              InlineKeyboardMarkup([[back_button(t, OpenQuestion(state.question_id))]]))
    return ConversationHandler.END


def register(application: Application) -> None:
    application.add_handler(declare_flow(
        application,
        LearnState.KEY,
        entry_points=[CallbackQueryHandler(start_new_entry, pattern=LearnNew.pattern())],
        steps={
            TITLE: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_title)],
            ANSWER: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_answer)],
            TITLE_EN: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_title_en),
                       CallbackQueryHandler(skip_english, pattern=SkipEnglish.pattern())],
            ANSWER_EN: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_answer_en)],
        },
    ))
    application.add_handler(CallbackQueryHandler(learn_menu, pattern=LearnMenu.pattern()))
    application.add_handler(CallbackQueryHandler(learn_topic, pattern=LearnTopic.pattern()))
    application.add_handler(CallbackQueryHandler(learn_phrasing, pattern=LearnPhrasing.pattern()))
    application.add_handler(CallbackQueryHandler(new_entry_topics, pattern=LearnNewTopics.pattern()))
