"""Where a `t.me/<bot>?start=<payload>` link lands (the payloads: bot/domain/deeplink.py), and going on as if the
user had typed a command (a feature's link; the feature a user asked for before agreeing to the consent text).

The link is remembered (`DeepLinkState`, stored with user_data: it survives the language and consent steps and a
restart in between) and lands once: at /start for a user who has answered the consent text, else right after
the answer. A desa's link names the desa and offers Daftar Minat with it filled in; a feature's link opens the
feature; anything else gets the normal welcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardMarkup, Update

from bot.domain.deeplink import DeepLink, needs_consent
from bot.domain.markup import escape
from bot.domain.regions import region
from handlers.callbacks import InterestInDesa, Menu
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.keyboards import button, main_menu_button
from handlers.ui import say

# Buttons remembered before the consent screen (`ensure_consent(resume=...)`) → the command that opens the same.
RESUME_COMMANDS = {
    Menu("status").pack(): "cekstatus",
    Menu("eligibility").pack(): "cekkelayakan",
    Menu("interest").pack(): "daftarminat",
    Menu("help").pack(): "bantuan",
}


@dataclass
class DeepLinkState(FlowState):
    """The link the user came from (`/start desa_…`): where it lands once they are through language and
    consent; a later Daftar Minat still preselects that desa."""

    KEY: ClassVar[str] = "deep_link"
    kind: str = ""  # "desa", "invite", "feature" or "other"
    value: str = ""
    landed: bool = True  # False until the link has been shown where it points


def remember_link(context: BotContext, link: DeepLink | None) -> None:
    if link is not None:
        DeepLinkState(link.kind, link.value, landed=link.kind not in ("desa", "feature")).save(context)


def resume_command(data: str) -> tuple[str, str] | None:
    """The command (and its argument) that opens what a remembered button opens; None when there is none."""
    if data in RESUME_COMMANDS:
        return RESUME_COMMANDS[data], ""
    desa = InterestInDesa.unpack(data)
    if desa is not None:
        return "daftarminat", desa.code.replace(".", "")
    return None


async def run_command(update: Update, context: BotContext, command: str, argument: str = "") -> None:
    """Go on as if the user had typed `/command argument`: the command goes through every handler after this
    update is done (the user's updates run in order), so a flow starts exactly as from the typed command."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    text = f"/{command} {argument}".strip()
    message = {
        "message_id": 0,  # never a message of the chat: nothing can edit or delete a real one by mistake
        "date": int(dt.datetime.now(dt.UTC).timestamp()),
        "chat": chat.to_dict() if chat is not None else {"id": user.id, "type": "private"},
        "from": user.to_dict(),
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(command) + 1}],
    }
    typed = Update.de_json({"update_id": -abs(update.update_id), "message": message}, context.bot)
    await context.application.update_queue.put(typed)


def desa_landing(context: BotContext, code: str) -> tuple[str, InlineKeyboardMarkup] | None:
    """"You came from the poster of Desa …" and 📝 Daftar Minat with that desa; None for an unknown desa."""
    found = region(code)
    if found is None or found.level != 4 or found.kecamatan_code is None:
        return None
    t = context.i18n
    _ = t.gettext
    kecamatan, kabupaten = region(found.kecamatan_code), region(found.kabupaten_code)
    place = ("Kelurahan " if found.kind == "kelurahan" else "Desa ") + found.name
    text = "\n".join([
        _("📍 You came from the poster of {desa}, Kec. {kecamatan} ({kabupaten}).").format(
            desa=escape(place), kecamatan=escape(kecamatan.name if kecamatan else ""),
            kabupaten=escape(kabupaten.name if kabupaten else "")),
        _("Sign up your interest in BPJS Ketenagakerjaan here: your desa is already filled in."),
    ])
    keyboard = InlineKeyboardMarkup([
        [button(_("📝 Sign up interest in {desa}").format(desa=found.name), InterestInDesa(found.code))],
        [main_menu_button(t)],
    ])
    return text, keyboard


async def land(update: Update, context: BotContext, intro: str | None = None, *, refused: bool = False,
               greeting: bool = False) -> bool:
    """Show where the remembered link points, once (`intro` first); False when there is nothing to show (the
    caller shows the menu). `refused`: the user has just refused consent: a feature that asks for personal
    data is not opened (it would ask again at once). `greeting`: the intro only greets, a feature opens
    without it."""
    link = DeepLinkState.load(context)
    if link.landed:
        return False
    link.landed = True
    link.save(context)
    if link.kind == "desa" and (landing := desa_landing(context, link.value)) is not None:
        text, keyboard = landing
        await say(update, context, f"{intro}\n\n{text}" if intro else text, keyboard)
        return True
    if link.kind == "feature" and not (refused and needs_consent(link.value)):
        if intro and not greeting:
            await say(update, context, intro)
        await run_command(update, context, link.value)
        return True
    return False


def mark_landed(context: BotContext) -> None:
    """The user went on to something else first (a feature they asked for before the consent screen)."""
    if DeepLinkState.stored(context):
        link = DeepLinkState.load(context)
        link.landed = True
        link.save(context)
