"""Officials: /undang (admin invites for desa / kecamatan, or another admin; `handlers/officials_invites.py`),
accepting an invite link (`/start inv_<code>`, here), /petugas (list and revoke; `handlers/officials_list.py`).
Every step re-checks the role on the server: `@requires(...)` on the handler, the service on the action."""

from __future__ import annotations

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain.deeplink import parse_payload
from bot.domain.i18n import N_
from bot.domain.officials import areas_text
from handlers.commands_menu import ADMIN_COMMANDS, STAFF_COMMANDS, command_lines, commands_for
from handlers.context import BotContext
from handlers.keyboards import button
from handlers.officials_callbacks import (
    AcceptInvite,
    DeclineInvite,
    InviteRole,
    InviteTicked,
    InviteWholeKecamatan,
    OfficialsList,
    PickKabupaten,
    PickKecamatan,
    RevokeAsk,
    RevokeConfirm,
    ToggleDesa,
)
from handlers.officials_invites import (
    chose_role,
    invite_start,
    invite_ticked,
    invite_whole,
    pick_desa,
    pick_kecamatan,
    toggle_desa,
)
from handlers.officials_list import list_officials, revoke_ask, revoke_do
from handlers.ui import ack, edit_or_say, say

# ----------------------------------------------------------------------------- accepting an invite

EXPIRED = N_("This invite link does not work any more (already used or expired). Please ask your admin for a new "
             "one.")


async def publish_staff_commands(context: BotContext, user_id: int, is_admin: bool) -> None:
    commands = commands_for(context.i18n.language, staff=True, admin=is_admin)
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
    except Exception:  # a convenience only
        return


async def invite_opened(update: Update, context: BotContext) -> None:
    """`/start inv_<code>`: show what the invite is for and ask to accept."""
    _ = context.i18n.gettext
    link = parse_payload(context.args[0] if context.args else None)
    invite = None
    if link is not None and link.kind == "invite":
        invite = await context.services.officials.find_invite(link.value, context.actor.user_id)
    if link is None or invite is None:
        await say(update, context, _(EXPIRED))
        return
    what = _("an admin of JagaKerja") if invite.role == "admin" else \
        _("an official for: {areas}").format(areas=areas_text(invite.area_codes))
    text = _("👋 You are invited to help as {what}.\n\nYou will see the requests from this area, contact the "
             "workers and report back. Accept?").format(what=what)
    keyboard = InlineKeyboardMarkup([[
        button(_("✅ Accept"), AcceptInvite(link.value)),
        button(_("❌ No"), DeclineInvite()),
    ]])
    await say(update, context, text, keyboard)


async def invite_declined(update: Update, context: BotContext) -> None:
    await ack(update)
    await edit_or_say(update, context, context.i18n.gettext("Okay, the invite was not used."), None)


async def invite_accepted(update: Update, context: BotContext) -> None:
    query, data = update.callback_query, AcceptInvite.of(update)
    assert query is not None and query.from_user is not None and data is not None
    _ = context.i18n.gettext
    await ack(update)
    official = await context.services.officials.accept_invite(data.code, query.from_user.id, query.from_user.first_name)
    if official is None:
        await edit_or_say(update, context, _(EXPIRED), None)
        return
    if official.role == "admin":
        lines = [_("✅ You are now an admin. Your commands:"), *command_lines(context.i18n, ADMIN_COMMANDS)]
    else:
        lines = [_("✅ Welcome! You now serve: {areas}").format(areas=areas_text(official.area_codes)),
                 _("New requests from your area will come here. Your commands:")]
    text = "\n".join([*lines, *command_lines(context.i18n, STAFF_COMMANDS), _("All commands: /bantuan")])
    await edit_or_say(update, context, text, None)
    await publish_staff_commands(context, official.user_id, official.role == "admin")


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", invite_opened, filters=filters.Regex(r"^/start(@\w+)? inv_")))
    application.add_handler(CommandHandler(["undang", "invite"], invite_start))
    application.add_handler(CallbackQueryHandler(chose_role, pattern=InviteRole.pattern()))
    application.add_handler(CallbackQueryHandler(invite_whole, pattern=InviteWholeKecamatan.pattern()))
    application.add_handler(CallbackQueryHandler(invite_ticked, pattern=InviteTicked.pattern()))
    application.add_handler(CallbackQueryHandler(pick_kecamatan, pattern=PickKabupaten.pattern()))
    application.add_handler(CallbackQueryHandler(pick_desa, pattern=PickKecamatan.pattern()))
    application.add_handler(CallbackQueryHandler(toggle_desa, pattern=ToggleDesa.pattern()))
    application.add_handler(CallbackQueryHandler(invite_accepted, pattern=AcceptInvite.pattern()))
    application.add_handler(CallbackQueryHandler(invite_declined, pattern=DeclineInvite.pattern()))
    application.add_handler(CommandHandler(["petugas", "officials"], list_officials))
    application.add_handler(CallbackQueryHandler(list_officials, pattern=OfficialsList.pattern()))
    application.add_handler(CallbackQueryHandler(revoke_ask, pattern=RevokeAsk.pattern()))
    application.add_handler(CallbackQueryHandler(revoke_do, pattern=RevokeConfirm.pattern()))
