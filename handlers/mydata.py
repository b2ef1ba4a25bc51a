"""/dataku (what the bot stores about me) and /hapusdata (erase it, after a confirmation button)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.i18n import LANGUAGE_NAMES
from handlers.context import BotContext
from handlers.ui import ack, say, show_main_menu


async def my_data(update: Update, context: BotContext) -> None:
    assert context.profile is not None
    services, t = context.services, context.i18n
    _ = t.gettext
    profile = await services.users.get(context.profile.id) or context.profile
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
    for hook in services.my_data_hooks:
        lines.extend(await hook(profile.id, t))
    lines += ["", _("To erase everything: /hapusdata")]
    await say(update, context, "\n".join(lines))


async def erase_request(update: Update, context: BotContext) -> None:
    _ = context.i18n.gettext
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("🗑 Yes, erase"), callback_data="erase:yes"),
        InlineKeyboardButton(_("↩️ No, keep"), callback_data="erase:no"),
    ]])
    text = _("Erase all your data? This removes your consent, your requests and your reminders. "
             "It cannot be undone.")
    await say(update, context, text, keyboard)


async def erase_answered(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.profile is not None
    await ack(update)
    if query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)
    _ = context.i18n.gettext
    if query.data != "erase:yes":
        await show_main_menu(update, context, _("Okay, nothing was erased."))
        return
    user_id = context.profile.id
    await context.services.erase_user(user_id)
    context.application.drop_user_data(user_id)
    await say(update, context, _("Done. All your data has been erased. 🙏 Send /start if you want to use "
                                 "the bot again."))


def register(application: Application) -> None:
    application.add_handler(CommandHandler(["dataku", "mydata"], my_data))
    application.add_handler(CommandHandler(["hapusdata", "deletedata"], erase_request))
    application.add_handler(CallbackQueryHandler(erase_answered, pattern=r"^erase:(yes|no)$"))
