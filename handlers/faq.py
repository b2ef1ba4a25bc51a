"""Tanya Jawab (menu:faq): topics as buttons, and any free text nobody else expects answered from the FAQ.

When the matcher is not sure, the reply says so and offers the three closest topics plus "ask an official"
(the question is stored, encrypted, for officials to read). It never turns a weak match into an answer.
"""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain.benefits import parse_income
from bot.domain.faq import load_faq, matcher, render_answer
from bot.domain.i18n import Translator
from handlers.context import BotContext
from handlers.start import ensure_consent
from handlers.ui import ack, say, show_main_menu

PENDING = "faq_question"  # user_data[PENDING] = {"text": the last free-text question, "suggested": [entry ids]}
MAX_QUESTION = 1000


def home_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("🏠 Main menu"), callback_data="menu:home")


def ask_official_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("🙋 Ask an official"), callback_data="faq:ask")


def categories_keyboard(t: Translator) -> InlineKeyboardMarkup:
    faq = load_faq(t.language)
    buttons = [InlineKeyboardButton(label, callback_data=f"faq:cat:{key}") for key, label in faq.categories.items()]
    return InlineKeyboardMarkup([*[[b] for b in buttons], [home_button(t)]])


def answer_keyboard(t: Translator, with_ask: bool, entry_id: str = "") -> InlineKeyboardMarkup:
    other = InlineKeyboardButton(t.gettext("❓ Other questions"), callback_data="menu:faq")
    first = [other, ask_official_button(t)] if with_ask else [other]
    rows = [first, [home_button(t)]]
    if entry_id.startswith("fee_"):  # answers about contributions lead straight to the calculator
        rows.insert(0, [InlineKeyboardButton(t.gettext("🧮 Fee calculator"), callback_data="calc:start")])
    return InlineKeyboardMarkup(rows)


def _today(context: BotContext) -> dt.date:
    return context.services.clock.now().astimezone(context.i18n.tz).date()


async def show_topics(update: Update, context: BotContext) -> None:
    await ack(update)
    t = context.i18n
    text = t.gettext("❓ <b>Questions</b>\nWrite your question in your own words, for example "
                     "<i>brp iuran sebulan?</i> or <i>kalo meninggal dpt brp?</i>\nOr pick a topic:")
    await say(update, context, text, categories_keyboard(t))


async def show_category(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    t = context.i18n
    faq = load_faq(t.language)
    key = query.data.removeprefix("faq:cat:")
    entries = faq.in_category(key)
    if not entries:
        await query.answer(t.gettext("This button has expired."))
        await show_topics(update, context)
        return
    await ack(update)
    buttons = [[InlineKeyboardButton(e.button, callback_data=f"faq:show:{e.id}")] for e in entries]
    back = InlineKeyboardButton(t.gettext("⬅️ Topics"), callback_data="menu:faq")
    await say(update, context, "<b>" + faq.categories[key] + "</b>",
              InlineKeyboardMarkup([*buttons, [back, home_button(t)]]))


async def show_entry(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    t = context.i18n
    entry_id = query.data.removeprefix("faq:show:")
    if load_faq(t.language).get(entry_id) is None:
        await query.answer(t.gettext("This button has expired."))
        await show_topics(update, context)
        return
    await ack(update)
    text = render_answer(t, entry_id, _today(context))
    with_ask = PENDING in context.user_data  # type: ignore[operator]
    await say(update, context, text, answer_keyboard(t, with_ask=with_ask, entry_id=entry_id))


async def answer_text(update: Update, context: BotContext) -> None:
    """Any text no conversation expects: answer it from the FAQ, or say we are not sure."""
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.i18n
    _ = t.gettext
    question = message.text.strip()[:MAX_QUESTION]
    result = matcher().match(question)
    if not result.confident and parse_income(question) is not None:  # an amount typed outside the calculator
        context.user_data.pop(PENDING, None)  # type: ignore[union-attr]
        calculator = InlineKeyboardButton(_("🧮 Fee calculator"), callback_data="calc:start")
        text = _("Is that your monthly income? The fee calculator works out your contribution for it.")
        await say(update, context, text, InlineKeyboardMarkup([[calculator], [home_button(t)]]))
        return
    if not result.matches or result.coverage == 0:
        context.user_data.pop(PENDING, None)  # type: ignore[union-attr]
        await show_main_menu(update, context, _("Sorry, I didn't understand that. 🙏"))
        return
    suggested = [m.entry_id for m in result.matches]
    context.user_data[PENDING] = {"text": question, "suggested": suggested}  # type: ignore[index]
    if result.confident and result.best is not None:
        text = render_answer(t, result.best.entry_id, _today(context))
        text += "\n\n" + _("<i>Not what you asked? Tap “Ask an official”.</i>")
        await say(update, context, text, answer_keyboard(t, with_ask=True, entry_id=result.best.entry_id))
        return
    faq = load_faq(t.language)
    buttons = [[InlineKeyboardButton(entry.button, callback_data=f"faq:show:{entry.id}")]
               for entry in (faq.get(i) for i in suggested) if entry is not None]
    text = _("I'm not sure I understood. 🤔 Is it one of these? If not, an official can answer you.")
    await say(update, context, text, InlineKeyboardMarkup([*buttons, [ask_official_button(t)], [home_button(t)]]))


async def ask_official(update: Update, context: BotContext) -> None:
    await ack(update)
    t = context.i18n
    _ = t.gettext
    pending = context.user_data.get(PENDING)  # type: ignore[union-attr]
    if not isinstance(pending, dict) or not pending.get("text"):
        await say(update, context, _("Write your question first, then tap “Ask an official”."),
                  InlineKeyboardMarkup([[home_button(t)]]))
        return
    if not await ensure_consent(update, context, resume="faq:ask"):
        return
    assert context.profile is not None
    services = context.services
    profile = await services.users.get(context.profile.id) or context.profile
    await services.questions.add(
        profile.id, t.language, str(pending["text"]), services.clock.now(),
        region_code=profile.region_code, suggested=[str(s) for s in pending.get("suggested", [])],
    )
    context.user_data.pop(PENDING, None)  # type: ignore[union-attr]
    await show_main_menu(update, context, _(
        "✅ Your question was passed on to the officials. They will read it and answer; this can take a few "
        "days. For urgent matters call 175."))


def register(application: Application) -> None:
    services = application.services  # type: ignore[attr-defined]
    if services.questions.erase_user not in services.erase_hooks:
        services.erase_hooks.append(services.questions.erase_user)

        async def my_data(user_id: int, t: Translator) -> list[str]:
            asked = await services.questions.for_user(user_id)
            if not asked:
                return []
            return [t.gettext("Questions for an official: {count} (last on {date})")
                    .format(count=len(asked), date=t.date(asked[-1].created_at.astimezone(t.tz).date()))]

        services.my_data_hooks.append(my_data)
    application.add_handler(CallbackQueryHandler(show_topics, pattern=r"^menu:faq$"))
    application.add_handler(CallbackQueryHandler(show_category, pattern=r"^faq:cat:[a-z_]+$"))
    application.add_handler(CallbackQueryHandler(show_entry, pattern=r"^faq:show:[a-z0-9_]+$"))
    application.add_handler(CallbackQueryHandler(ask_official, pattern=r"^faq:ask$"))


def register_free_text(application: Application) -> None:
    """Registered just before the core fallback: text that no conversation or feature took is a question."""
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, answer_text))
