"""/dataku (what the bot stores about me, the values themselves, masked where sensitive) and /hapusdata (erase it,
after a confirmation button); under /dataku, ✏️ buttons to correct the open interest request (the flow:
handlers/mydata_edit.py) and ↩️ to withdraw it (after a confirmation button).

Both go through `services.privacy`: the personal-data holders listed by the composition root (the same list as
`jagakerja erase-user`); corrections and withdrawals through `services.interest` (audited there)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.domain.i18n import LANGUAGE_NAMES, N_, Translator
from bot.domain.interest import EditField, InterestRequestView
from bot.domain.users import UserRecord
from handlers.callbacks import CallbackData
from handlers.context import BotContext
from handlers.keyboards import button, rows
from handlers.ui import ack, edit_or_say, say, set_buttons, show_main_menu

EDIT_LABELS: dict[EditField, str] = {
    "name": N_("✏️ Change name"),
    "nik": N_("✏️ Change NIK"),
    "phone": N_("✏️ Change phone"),
    "desa": N_("✏️ Change desa"),
    "occupation": N_("✏️ Change work"),
    "note": N_("✏️ Change note"),
}


@dataclass(frozen=True)
class EraseAnswer(CallbackData):
    """`erase:yes` / `erase:no`: the confirmation of /hapusdata."""

    PREFIX = "erase"
    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class EditRequest(CallbackData):
    """`mydata:edit:12:phone`: ✏️ under /dataku, change one field of the open request 12 (the flow's entry)."""

    PREFIX = "mydata:edit"
    request_id: int
    field: EditField


@dataclass(frozen=True)
class WithdrawRequest(CallbackData):
    """`mydata:withdraw:12`: ↩️ under /dataku (asks first)."""

    PREFIX = "mydata:withdraw"
    request_id: int


@dataclass(frozen=True)
class WithdrawAnswer(CallbackData):
    """`mydata:withdraw_answer:12:yes`: the confirmation of a withdrawal."""

    PREFIX = "mydata:withdraw_answer"
    request_id: int
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
    if profile.broadcasts_stopped_at is not None:
        lines.append(_("Announcements: stopped on {date} (to get them again: /lanjut)").format(
            date=t.date(profile.broadcasts_stopped_at)))
    else:
        lines.append(_("Announcements: you get them (to stop them: /berhenti)"))
    return lines


def data_keyboard(t: Translator, requests: Sequence[InterestRequestView]) -> InlineKeyboardMarkup | None:
    """✏️ for each field of each open request and ↩️ to withdraw it (the reference is named when there are
    several)."""
    keyboard: list[list[InlineKeyboardButton]] = []
    for r in requests:
        suffix = f" · {r.ref}" if len(requests) > 1 else ""
        keyboard += rows([button(t.gettext(label) + suffix, EditRequest(r.id, field))
                          for field, label in EDIT_LABELS.items()])
        keyboard.append([button(t.gettext("↩️ Withdraw request") + suffix, WithdrawRequest(r.id))])
    return InlineKeyboardMarkup(keyboard) if keyboard else None


async def data_view(context: BotContext, user_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /dataku message: the stored values, and the buttons to correct or withdraw the open requests."""
    services, t = context.services, context.i18n
    profile = await services.users.get(user_id) or context.profile
    assert profile is not None
    lines = profile_lines(profile, t)
    lines.extend(await services.privacy.describe_user(profile.id, t))
    requests = await services.interest.open_requests(profile.id)
    if requests:
        lines += ["", t.gettext("To correct your request, tap ✏️ below. To take it back: ↩️.")]
    lines += ["", t.gettext("To erase everything: /hapusdata")]
    return "\n".join(lines), data_keyboard(t, requests)


async def my_data(update: Update, context: BotContext) -> None:
    assert context.profile is not None
    text, keyboard = await data_view(context, context.profile.id)
    await say(update, context, text, keyboard)


async def withdraw_ask(update: Update, context: BotContext) -> None:
    data = WithdrawRequest.of(update)
    assert data is not None and context.profile is not None
    await ack(update)
    _ = context.i18n.gettext
    request = await context.services.interest.open_request(context.profile.id, data.request_id)
    if request is None:
        await say(update, context, _("This request is closed already; there is nothing to withdraw."))
        return
    keyboard = InlineKeyboardMarkup([[
        button(_("↩️ Yes, withdraw"), WithdrawAnswer(request.id, "yes")),
        button(_("No, keep it"), WithdrawAnswer(request.id, "no")),
    ]])
    await say(update, context, _("Withdraw your request {ref}? The desa will not follow it up any more. You can "
                                 "sign up again later.").format(ref=request.ref), keyboard)


async def withdraw_answered(update: Update, context: BotContext) -> None:
    data = WithdrawAnswer.of(update)
    assert data is not None and context.profile is not None
    await ack(update)
    _ = context.i18n.gettext
    if data.answer != "yes":
        await edit_or_say(update, context, _("Okay, your request stays."), None)
        return
    withdrawn = await context.services.interest.withdraw(context.profile.id, data.request_id)
    if withdrawn.outcome != "saved" or withdrawn.request is None:
        await edit_or_say(update, context, _("This request is closed already; there is nothing to withdraw."), None)
        return
    await edit_or_say(update, context, _("↩️ Request {ref} withdrawn. The desa will not follow it up. To sign up "
                                         "again later: /daftarminat").format(ref=withdrawn.request.ref), None)


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
    application.add_handler(CallbackQueryHandler(withdraw_ask, pattern=WithdrawRequest.pattern()))
    application.add_handler(CallbackQueryHandler(withdraw_answered, pattern=WithdrawAnswer.pattern()))
