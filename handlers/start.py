"""/start (with deep links), language choice, the consent screen, the main menu."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.consent import agreed_current, answered_current, consent_text, typed_agreement
from bot.domain.i18n import LANGUAGE_NAMES
from handlers.callbacks import CallbackData, Menu, one_of
from handlers.context import BotContext
from handlers.flow import CANCEL_COMMANDS, cancel
from handlers.flow_state import FlowState
from handlers.keyboards import button
from handlers.start_links import land, mark_landed, remember_link, resume_command, run_command
from handlers.ui import ack, say, set_buttons, show_main_menu, typed

LanguageCode = Literal["id", "en"]  # SUPPORTED_LANGUAGES (a test keeps them the same)


@dataclass(frozen=True)
class ChooseLanguage(CallbackData):
    """`lang:id`: the language buttons of /start and /bahasa (any other code is forged)."""

    PREFIX = "lang"
    code: LanguageCode


@dataclass(frozen=True)
class ConsentAnswer(CallbackData):
    """`consent:yes` / `consent:no`: the answer to the consent screen."""

    PREFIX = "consent"
    answer: Literal["yes", "no"]


@dataclass
class ConsentAsked(FlowState):
    """The consent screen waits for an answer (its message, to take its buttons off once answered by typing)."""

    KEY: ClassVar[str] = "consent_asked"
    message_id: int = 0


@dataclass
class ResumeAfterConsent(FlowState):
    """The button (packed callback data) to offer as "Continue" once the user agrees to the consent text."""

    KEY: ClassVar[str] = "resume_after_consent"
    data: str = ""


def language_keyboard() -> InlineKeyboardMarkup:
    codes: tuple[LanguageCode, ...] = get_args(LanguageCode)
    return InlineKeyboardMarkup([[button(LANGUAGE_NAMES[code], ChooseLanguage(code)) for code in codes]])


def consent_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    _ = context.i18n.gettext
    return InlineKeyboardMarkup([[
        button(_("✅ I agree"), ConsentAnswer("yes")),
        button(_("❌ I don't agree"), ConsentAnswer("no")),
    ]])


async def start(update: Update, context: BotContext) -> None:
    assert context.profile is not None
    _ = context.i18n.gettext
    remember_link(context, await context.services.users.follow_link(
        context.profile.id, context.args[0] if context.args else None))
    if context.profile.language is None:
        text = _("Hello! 👋 I am <b>JagaKerja</b>. I help you check and get BPJS Ketenagakerjaan "
                 "protection (work accident and death cover).")
        await say(update, context, text + "\n\n" + _("Choose your language:"), language_keyboard())
        return
    if not answered_current(context.profile):
        await ask_consent(update, context)
        return
    if not await land(update, context, _("Welcome back! 👋"), greeting=True):
        await show_main_menu(update, context, _("Welcome back! 👋"))


async def ask_consent(update: Update, context: BotContext, hint: str | None = None) -> None:
    text = consent_text(context.i18n)
    shown = await say(update, context, f"{hint}\n\n{text}" if hint else text, consent_keyboard(context))
    await _retire_consent_screen(update, context)
    ConsentAsked(shown.message_id).save(context)


async def _retire_consent_screen(update: Update, context: BotContext) -> None:
    """Take the buttons off the consent screen shown before (best effort: it may be gone)."""
    old, chat = ConsentAsked.load(context).message_id, update.effective_chat
    if old and chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_reply_markup(chat.id, old, reply_markup=None)


def has_current_consent(context: BotContext) -> bool:
    return context.profile is not None and agreed_current(context.profile)


async def ensure_consent(update: Update, context: BotContext, resume: CallbackData | str | None = None) -> bool:
    """True when the user has agreed to the current consent text; otherwise show the consent screen
    (and remember `resume`, a button: once they agree, what it opens opens)."""
    if has_current_consent(context):
        return True
    if resume:
        ResumeAfterConsent(resume.pack() if isinstance(resume, CallbackData) else resume).save(context)
    await say(update, context, context.i18n.gettext("Before I ask for any personal data, I need your consent."))
    await ask_consent(update, context)
    return False


async def choose_language_command(update: Update, context: BotContext) -> None:
    await say(update, context, context.i18n.gettext("Choose your language:"), language_keyboard())


async def language_chosen(update: Update, context: BotContext) -> None:
    chosen = ChooseLanguage.of(update)
    assert chosen is not None and context.profile is not None
    services = context.services
    if not await services.users.choose_language(context.profile.id, chosen.code):
        await ack(update)
        return
    context.i18n = services.translator(chosen.code)
    await ack(update, LANGUAGE_NAMES[chosen.code])
    if not answered_current(context.profile):
        await ask_consent(update, context)
    else:
        await show_main_menu(update, context, context.i18n.gettext("Language changed."))


async def consent_answered(update: Update, context: BotContext) -> None:
    answer = ConsentAnswer.of(update)
    assert answer is not None
    await ack(update)
    await set_buttons(update, context)
    await _answer_consent(update, context, answer.answer == "yes")


async def consent_typed(update: Update, context: BotContext) -> None:
    """Text typed at the consent screen: "ya", "setuju", "ok", "yes" … agree; anything else shows the screen
    again with a hint (a user who refused before and was asked again gets it once, then the text goes on)."""
    assert context.profile is not None
    if typed_agreement(typed(update)):
        await _retire_consent_screen(update, context)
        await _answer_consent(update, context, True)
        return
    _ = context.i18n.gettext
    hint = _('Before anything else, please answer this: tap {yes} or {no} below, or type "yes".').format(
        yes=_("✅ I agree"), no=_("❌ I don't agree"))
    await ask_consent(update, context, "👉 " + hint)
    if answered_current(context.profile):
        ConsentAsked.clear(context)


async def _answer_consent(update: Update, context: BotContext, agreed: bool) -> None:
    """Record the answer, then go on: to what the user asked for before the screen, to where their link points,
    or to the menu."""
    assert context.profile is not None
    await context.services.users.answer_consent(context.profile.id, agreed)
    ConsentAsked.clear(context)
    _ = context.i18n.gettext
    resume = ResumeAfterConsent.load(context).data
    ResumeAfterConsent.clear(context)
    if not agreed:
        intro = _("That's fine. You can still read about benefits and ask questions. "
                  "Checking your status or signing up needs your consent; I will ask again then.")
        if not await land(update, context, intro, refused=True):
            await show_main_menu(update, context, intro)
        return
    intro = _("Thank you! 🙏 You can withdraw your consent at any time with /hapusdata.")
    if resume:
        mark_landed(context)  # what they asked for comes first
        if (command := resume_command(resume)) is not None:
            await say(update, context, intro)
            await run_command(update, context, *command)
        else:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("▶️ Continue"), callback_data=resume)]])
            await say(update, context, intro, keyboard)
        return
    if not await land(update, context, intro):
        await show_main_menu(update, context, intro)


class ConsentText(MessageHandler[BotContext, None]):
    """Typed text while the consent screen waits for an answer (after the flows: a flow's step still takes its
    own text; before the free-text features)."""

    def __init__(self, application: Application) -> None:
        super().__init__(filters.TEXT & ~filters.COMMAND, consent_typed)
        self._application = application

    def check_update(self, update: object) -> bool | dict[str, list[str]] | None:
        result = super().check_update(update)
        user = update.effective_user if isinstance(update, Update) else None
        data = self._application.user_data.get(user.id) if result and user is not None else None
        return result if data and ConsentAsked.KEY in data else None


async def home(update: Update, context: BotContext) -> None:
    await ack(update)
    await show_main_menu(update, context)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler(["bahasa", "language"], choose_language_command))
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=ChooseLanguage.pattern()))
    application.add_handler(CallbackQueryHandler(consent_answered, pattern=ConsentAnswer.pattern()))
    application.add_handler(ConsentText(application))
    application.add_handler(CallbackQueryHandler(home, pattern=one_of(Menu("home"))))
    # /batal outside any conversation: nothing to stop, show the menu (conversations handle it first).
    application.add_handler(CommandHandler(list(CANCEL_COMMANDS), cancel))
