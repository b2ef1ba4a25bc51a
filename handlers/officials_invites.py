"""/undang (admins): invite an official for desa / kecamatan (kabupaten → kecamatan → tick desa, or the whole
kecamatan), or another admin. The ticked desa are typed flow state (`officials_pick`), so a restart keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from telegram import InlineKeyboardMarkup, Update

from bot.domain.markup import escape
from bot.domain.officials import InviteError, areas_text, bot_link
from bot.domain.regions import HOME_PROVINCE, children, region, short_name
from handlers.context import BotContext
from handlers.flow_state import FlowState
from handlers.guards import requires
from handlers.keyboards import back_button, button, rows
from handlers.officials_callbacks import (
    InviteRole,
    InviteTicked,
    InviteWholeKecamatan,
    PickKabupaten,
    PickKecamatan,
    ToggleDesa,
)
from handlers.ui import ack, edit_or_say, say


@dataclass
class InvitePick(FlowState):
    """The kecamatan an admin is in and the desa ticked so far."""

    KEY: ClassVar[str] = "officials_pick"
    kec: str = ""
    desa: list[str] = field(default_factory=list)


@requires("admin")
async def invite_start(update: Update, context: BotContext) -> None:
    await ack(update)
    _ = context.i18n.gettext
    InvitePick.clear(context)
    keyboard = InlineKeyboardMarkup([
        [button(_("🏘 Official for desa / kecamatan"), InviteRole("official"))],
        [button(_("🛡 Another admin"), InviteRole("admin"))],
    ])
    await edit_or_say(update, context, _("<b>Invite</b>\nWho do you want to invite?"), keyboard)


@requires("admin")
async def chose_role(update: Update, context: BotContext) -> None:
    data = InviteRole.of(update)
    await ack(update)
    if data is not None and data.role == "admin":
        await _create(update, context, "admin", [])
        return
    _ = context.i18n.gettext
    buttons = [button(short_name(r), PickKabupaten(r.code)) for r in children(HOME_PROVINCE)]
    await edit_or_say(update, context, _("Choose the kabupaten/kota:"), InlineKeyboardMarkup(rows(buttons)))


@requires("admin")
async def pick_kecamatan(update: Update, context: BotContext) -> None:
    await ack(update)
    _ = context.i18n.gettext
    data = PickKabupaten.of(update)
    found = region(data.code) if data is not None else None
    if found is None or found.level != 2:
        return
    buttons = [button(r.name, PickKecamatan(r.code)) for r in children(found.code)]
    keyboard = [*rows(buttons), [back_button(context.i18n, InviteRole("official"))]]
    await edit_or_say(update, context, _("{kabupaten}: choose the kecamatan:").format(
        kabupaten=escape(found.name)), InlineKeyboardMarkup(keyboard))


async def _show_desa_picker(update: Update, context: BotContext, kecamatan_code: str) -> None:
    _ = context.i18n.gettext
    found = region(kecamatan_code)
    if found is None or found.level != 3:
        return
    chosen = InvitePick.load(context).desa
    buttons = [button(("✅ " if r.code in chosen else "") + r.name, ToggleDesa(r.code))
               for r in children(kecamatan_code)]
    keyboard = [[button(_("🏘 The whole kecamatan"), InviteWholeKecamatan(kecamatan_code))], *rows(buttons)]
    if chosen:
        keyboard.append([button(_("✉️ Create invite ({n} desa)").format(n=len(chosen)), InviteTicked())])
    keyboard.append([back_button(context.i18n, PickKabupaten(found.kabupaten_code))])
    text = _("Kecamatan {name}: tap one or more desa, then “Create invite”. Or invite for the whole "
             "kecamatan.").format(name=escape(found.name))
    await edit_or_say(update, context, text, InlineKeyboardMarkup(keyboard))


@requires("admin")
async def pick_desa(update: Update, context: BotContext) -> None:
    await ack(update)
    data = PickKecamatan.of(update)
    code = data.code if data is not None else ""
    InvitePick(kec=code).save(context)
    await _show_desa_picker(update, context, code)


@requires("admin")
async def toggle_desa(update: Update, context: BotContext) -> None:
    await ack(update)
    data = ToggleDesa.of(update)
    found = region(data.code) if data is not None else None
    if found is None or found.level != 4 or found.kecamatan_code is None:
        return
    pick = InvitePick.load(context)
    if pick.kec != found.kecamatan_code:
        pick = InvitePick(kec=found.kecamatan_code)
    pick.desa.remove(found.code) if found.code in pick.desa else pick.desa.append(found.code)
    pick.save(context)
    await _show_desa_picker(update, context, found.kecamatan_code)


@requires("admin")
async def invite_whole(update: Update, context: BotContext) -> None:
    await ack(update)
    data = InviteWholeKecamatan.of(update)
    if data is not None:
        await _create(update, context, "official", [data.code])


@requires("admin")
async def invite_ticked(update: Update, context: BotContext) -> None:
    await ack(update)
    chosen = InvitePick.load(context).desa
    if chosen:
        await _create(update, context, "official", list(chosen))


async def _create(update: Update, context: BotContext, role: str, codes: list[str]) -> None:
    t = context.i18n
    _ = t.gettext
    try:
        created = await context.services.officials.create_invite(context.actor, role, codes)
    except InviteError:
        await say(update, context, _("That area is not valid. Start again with /undang."))
        return
    InvitePick.clear(context)
    link = bot_link(context.bot.username, created.payload)
    who_text = _("an admin") if role == "admin" else areas_text(created.invite.area_codes)
    text = "\n".join([
        _("✉️ <b>Invite created</b> for: {who}").format(who=who_text),
        _("Send this link to the person. It works once, until {when}.").format(
            when=t.datetime(created.invite.expires_at)),
        "",
        escape(link),
    ])
    await edit_or_say(update, context, text, None)
