"""/petugas (admins): the active officials and admins, and revoking access (it takes effect at once)."""

from __future__ import annotations

import contextlib

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update

from bot.domain.markup import escape
from bot.domain.officials import areas_text
from handlers.context import BotContext
from handlers.guards import requires
from handlers.keyboards import button, rows
from handlers.officials_callbacks import OfficialsList, RevokeAsk, RevokeConfirm
from handlers.ui import ack, edit_or_say

SHOWN = 40


@requires("admin")
async def list_officials(update: Update, context: BotContext) -> None:
    await ack(update)
    staff, t = context.services.officials, context.i18n
    _ = t.gettext
    found = await staff.list_active()
    if not found:
        await edit_or_say(update, context, _("No officials yet. Invite one with /undang."), None)
        return
    lines = [_("<b>Officials</b> ({n})").format(n=len(found))]
    buttons = []
    for official in found[:SHOWN]:
        name = staff.display_name(official)
        areas = _("admin") if official.role == "admin" else areas_text(official.area_codes)
        lines.append(_("• {name} ({id}) — {areas}, since {date}").format(
            name=escape(name), id=official.user_id, areas=areas, date=t.short_date(official.created_at)))
        buttons.append(button(_("🚫 {name}").format(name=name[:20]), RevokeAsk(official.user_id)))
    lines += ["", _("Tap a name to revoke access. Invite more with /undang.")]
    await edit_or_say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows(buttons)))


@requires("admin")
async def revoke_ask(update: Update, context: BotContext) -> None:
    await ack(update)
    _ = context.i18n.gettext
    staff, data = context.services.officials, RevokeAsk.of(update)
    official = await staff.active(data.user_id) if data is not None else None
    if official is None:
        await edit_or_say(update, context, _("This official has no access any more."), None)
        return
    name = staff.display_name(official)
    keyboard = InlineKeyboardMarkup([[
        button(_("🚫 Yes, revoke"), RevokeConfirm(official.user_id)),
        button(_("↩️ No"), OfficialsList()),
    ]])
    await edit_or_say(update, context, _("Revoke access of {name}? They lose it at once.").format(
        name=escape(name)), keyboard)


@requires("admin")
async def revoke_do(update: Update, context: BotContext) -> None:
    await ack(update)
    _ = context.i18n.gettext
    data = RevokeConfirm.of(update)
    if data is None:
        return
    done = await context.services.officials.revoke(context.actor, data.user_id)
    text = _("🚫 Access revoked.") if done else _("This official has no access any more.")
    await edit_or_say(update, context, text + " " + _("See /petugas."), None)
    if done:
        with contextlib.suppress(Exception):  # a convenience only; the role is already gone
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(data.user_id))
