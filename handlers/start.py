"""/start (with deep links), language choice, the consent screen, the main menu."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.consent import CONSENT_VERSION, consent_text
from bot.domain.deeplink import parse_payload
from bot.domain.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.domain.regions import is_desa
from handlers.context import BotContext
from handlers.flow import CANCEL_COMMANDS, cancel
from handlers.ui import ack, say, show_main_menu


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}") for code in SUPPORTED_LANGUAGES]]
    )


def consent_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    _ = context.i18n.gettext
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("✅ I agree"), callback_data="consent:yes"),
        InlineKeyboardButton(_("❌ I don't agree"), callback_data="consent:no"),
    ]])


async def start(update: Update, context: BotContext) -> None:
    assert context.profile is not None
    services = context.services
    _ = context.i18n.gettext
    link = parse_payload(context.args[0] if context.args else None)
    if link is not None:
        await services.users.set_start_payload(context.profile.id, link.raw)
        context.user_data["deep_link"] = {"kind": link.kind, "value": link.value}  # type: ignore[index]
        if link.kind == "desa" and is_desa(link.value):
            await services.users.set_region(context.profile.id, link.value)
    if context.profile.language is None:
        text = _("Hello! 👋 I am <b>JagaKerja</b>. I help you check and get BPJS Ketenagakerjaan "
                 "protection (work accident and death cover).")
        await say(update, context, text + "\n\n" + _("Choose your language:"), language_keyboard())
        return
    if context.profile.consent_status is None or context.profile.consent_version != CONSENT_VERSION:
        await ask_consent(update, context)
        return
    await show_main_menu(update, context, _("Welcome back! 👋"))


async def ask_consent(update: Update, context: BotContext) -> None:
    await say(update, context, consent_text(context.i18n), consent_keyboard(context))


def has_current_consent(context: BotContext) -> bool:
    profile = context.profile
    return profile is not None and profile.has_consented and profile.consent_version == CONSENT_VERSION


async def ensure_consent(update: Update, context: BotContext, resume: str | None = None) -> bool:
    """True when the user has agreed to the current consent text; otherwise show the consent screen
    (and remember `resume`, a callback data, to offer a "Continue" button once they agree)."""
    if has_current_consent(context):
        return True
    if resume:
        context.user_data["resume_after_consent"] = resume  # type: ignore[index]
    await say(update, context, context.i18n.gettext("Before I ask for any personal data, I need your consent."))
    await ask_consent(update, context)
    return False


async def choose_language_command(update: Update, context: BotContext) -> None:
    await say(update, context, context.i18n.gettext("Choose your language:"), language_keyboard())


async def language_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and context.profile is not None
    code = query.data.split(":", 1)[1]
    if code not in SUPPORTED_LANGUAGES:
        await ack(update)
        return
    services = context.services
    await services.users.set_language(context.profile.id, code)
    context.i18n = services.translator(code)
    await query.answer(LANGUAGE_NAMES[code])
    _ = context.i18n.gettext
    if context.profile.consent_status is None or context.profile.consent_version != CONSENT_VERSION:
        await ask_consent(update, context)
    else:
        await show_main_menu(update, context, _("Language changed."))


async def consent_answered(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and context.profile is not None
    await ack(update)
    services = context.services
    agreed = query.data == "consent:yes"
    await services.users.record_consent(
        context.profile.id, CONSENT_VERSION, "given" if agreed else "refused"
    )
    if query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)
    _ = context.i18n.gettext
    resume = context.user_data.pop("resume_after_consent", None)  # type: ignore[union-attr]
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
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=r"^lang:"))
    application.add_handler(CallbackQueryHandler(consent_answered, pattern=r"^consent:(yes|no)$"))
    application.add_handler(CallbackQueryHandler(home, pattern=r"^menu:home$"))
    # /batal outside any conversation: nothing to stop, show the menu (conversations handle it first).
    application.add_handler(CommandHandler(list(CANCEL_COMMANDS), cancel))
