"""/dataku (what the bot stores about me) and /hapusdata (erase it, after a confirmation button).

Both go through `services.privacy`: the personal-data holders listed by the composition root (the same list as
`jagakerja erase-user`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.i18n import LANGUAGE_NAMES, Translator
from bot.domain.users import UserRecord
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.keyboards import button
from handlers.ui import ack, say, set_buttons, show_main_menu


@dataclass(frozen=True)
class EraseAnswer(CallbackData):
    """`erase:yes` / `erase:no`: the confirmation of /hapusdata."""

    PREFIX = "erase"
    answer: Literal["yes", "no"]


def profile_lines(profile: UserRecord, t: Translator) -> list[str]:
    """The user row itself: id, language, consent, the link they came from, first contact."""
    _ = t.gettext
    lines = [_("<b>What I store about you</b>"), _("Telegram ID: {id}").format(id=profile.id)]
    if profile.language:
        lines.append(_("Language: {language}").format(language=LANGUAGE_NAMES[profile.language]))
    if profile.consent_at is not None:
        decision = _("agreed") if profile.consent_status == "given" else _("did not agree")
        lines.append(_("Consent: {decision} on {when} (text version {version})").format(
            decision=decision, when=t.datetime(profile.consent_at), version=profile.consent_version))
    if profile.start_payload:
        lines.append(_("Link you came from: {payload}").format(payload=profile.start_payload))
    lines.append(_("First seen: {when}").format(when=t.datetime(profile.created_at)))
    return lines


async def my_data(update: Update, context: BotContext) -> None:
    assert context.profile is not None
    services, t = context.services, context.i18n
    profile = await services.users.get(context.profile.id) or context.profile
    lines = profile_lines(profile, t)
    lines.extend(await services.privacy.describe_user(profile.id, t))
    lines += ["", t.gettext("To erase everything: /hapusdata")]
    await say(update, context, "\n".join(lines))


async def erase_request(update: Update, context: BotContext) -> None:
    _ = context.i18n.gettext
    keyboard = InlineKeyboardMarkup([[
        button(_("🗑 Yes, erase"), EraseAnswer("yes")),
        button(_("↩️ No, keep"), EraseAnswer("no")),
    ]])
    text = _("Erase all your data? This removes your consent, your requests and your reminders. "
             "It cannot be undone.")
    await say(update, context, text, keyboard)


async def erase_answered(update: Update, context: BotContext) -> None:
    answer = EraseAnswer.of(update)
    assert answer is not None and context.profile is not None
    await ack(update)
    await set_buttons(update, context)
    _ = context.i18n.gettext
    if answer.answer != "yes":
        await show_main_menu(update, context, _("Okay, nothing was erased."))
        return
    user_id = context.profile.id
    await context.services.privacy.erase_user(user_id)
    context.application.drop_user_data(user_id)
    await say(update, context, _("Done. All your data has been erased. 🙏 Send /start if you want to use "
                                 "the bot again."))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["dataku", "mydata"], my_data))
    application.add_handler(CommandHandler(["hapusdata", "deletedata"], erase_request))
    application.add_handler(CallbackQueryHandler(erase_answered, pattern=EraseAnswer.pattern()))
