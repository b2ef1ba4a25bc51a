"""/start (with deep links), language choice, the consent screen, the main menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.consent import agreed_current, answered_current, consent_text
from bot.domain.i18n import LANGUAGE_NAMES
from handlers.callbacks import CallbackData, Menu, one_of
from handlers.context import BotContext
from handlers.flow import CANCEL_COMMANDS, cancel
from handlers.flow_state import FlowState
from handlers.keyboards import button
from handlers.ui import ack, say, set_buttons, show_main_menu

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
class DeepLinkState(FlowState):
    """The link the user came from (`/start desa_…`): a later flow (Daftar Minat) preselects that village."""

    KEY: ClassVar[str] = "deep_link"
    kind: str = ""  # "desa", "invite" or "other"
    value: str = ""


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
    link = await context.services.users.follow_link(context.profile.id, context.args[0] if context.args else None)
    if link is not None:
        DeepLinkState(link.kind, link.value).save(context)
    if context.profile.language is None:
        text = _("Hello! 👋 I am <b>JagaKerja</b>. I help you check and get BPJS Ketenagakerjaan "
                 "protection (work accident and death cover).")
        await say(update, context, text + "\n\n" + _("Choose your language:"), language_keyboard())
        return
    if not answered_current(context.profile):
        await ask_consent(update, context)
        return
    await show_main_menu(update, context, _("Welcome back! 👋"))


async def ask_consent(update: Update, context: BotContext) -> None:
    await say(update, context, consent_text(context.i18n), consent_keyboard(context))


def has_current_consent(context: BotContext) -> bool:
    return context.profile is not None and agreed_current(context.profile)


async def ensure_consent(update: Update, context: BotContext, resume: CallbackData | str | None = None) -> bool:
    """True when the user has agreed to the current consent text; otherwise show the consent screen
    (and remember `resume`, a button, to offer a "Continue" button once they agree)."""
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
    assert answer is not None and context.profile is not None
    await ack(update)
    agreed = answer.answer == "yes"
    await context.services.users.answer_consent(context.profile.id, agreed)
    await set_buttons(update, context)
    _ = context.i18n.gettext
    resume = ResumeAfterConsent.load(context).data
    ResumeAfterConsent.clear(context)
    if agreed:
        intro = _("Thank you! 🙏 You can withdraw your consent at any time with /hapusdata.")
        if resume:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("▶️ Continue"), callback_data=resume)]])
            await say(update, context, intro, keyboard)
            return
    else:
        intro = _("That's fine. You can still read about benefits and ask questions. "
                  "Checking your status or signing up needs your consent; I will ask again then.")
    await show_main_menu(update, context, intro)


async def home(update: Update, context: BotContext) -> None:
    await ack(update)
    await show_main_menu(update, context)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler(["bahasa", "language"], choose_language_command))
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=ChooseLanguage.pattern()))
    application.add_handler(CallbackQueryHandler(consent_answered, pattern=ConsentAnswer.pattern()))
    application.add_handler(CallbackQueryHandler(home, pattern=one_of(Menu("home"))))
    # /batal outside any conversation: nothing to stop, show the menu (conversations handle it first).
    application.add_handler(CommandHandler(list(CANCEL_COMMANDS), cancel))
