"""Officials: /undang (admin invites for desa / kecamatan, or another admin), accepting an invite link
(`/start inv_<code>`), /petugas (list and revoke). Every step re-checks the role on the server."""

from __future__ import annotations

import contextlib
import html

from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.domain import officials as service
from bot.domain.deeplink import parse_payload
from bot.domain.i18n import Translator
from bot.domain.regions import HOME_PROVINCE, children, region, short_name
from bot.domain.roles import Actor
from handlers.commands_menu import commands_for
from handlers.context import BotContext
from handlers.ui import ack, edit_or_say, rows, say

PICK_KEY = "officials_pick"  # user_data: {"kec": code, "desa": [codes]} while an admin picks an area
async def current_actor(update: Update, context: BotContext) -> Actor:
    return context.actor


async def refuse(update: Update, context: BotContext, admin_only: bool = False) -> None:
    """The same short answer for every command/button a user may not use (nothing is revealed)."""
    _ = context.i18n.gettext
    text = _("This is only for admins.") if admin_only else _("This is only for village officials.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await say(update, context, text)


async def require_admin(update: Update, context: BotContext) -> Actor | None:
    who = await current_actor(update, context)
    if who.is_admin:
        return who
    await refuse(update, context, admin_only=True)
    return None


async def require_staff(update: Update, context: BotContext) -> Actor | None:
    who = await current_actor(update, context)
    if who.is_staff:
        return who
    await refuse(update, context)
    return None


def arg(data: str | None, index: int) -> str:
    parts = (data or "").split(":")
    return parts[index] if len(parts) > index else ""


def areas_text(codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(html.escape(n) for n in service.area_names(codes))


async def publish_staff_commands(context: BotContext, user_id: int, is_admin: bool) -> None:
    commands = commands_for(context.i18n.language, staff=True, admin=is_admin)
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(user_id))
    except Exception:  # a convenience only
        return


# ----------------------------------------------------------------------------- /undang


async def invite_start(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    _ = context.i18n.gettext
    context.user_data.pop(PICK_KEY, None)  # type: ignore[union-attr]
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("🏘 Official for desa / kecamatan"), callback_data="ofc:role:official")],
        [InlineKeyboardButton(_("🛡 Another admin"), callback_data="ofc:role:admin")],
    ])
    await edit_or_say(update, context, _("<b>Invite</b>\nWho do you want to invite?"), keyboard)


async def pick_kabupaten(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    _ = context.i18n.gettext
    buttons = [InlineKeyboardButton(short_name(r), callback_data=f"ofc:kab:{r.code}")
               for r in children(HOME_PROVINCE)]
    await edit_or_say(update, context, _("Choose the kabupaten/kota:"), InlineKeyboardMarkup(rows(buttons)))


async def pick_kecamatan(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    _ = context.i18n.gettext
    code = arg(update.callback_query.data if update.callback_query else None, 2)
    found = region(code)
    if found is None or found.level != 2:
        return
    buttons = [InlineKeyboardButton(r.name, callback_data=f"ofc:kec:{r.code}") for r in children(code)]
    keyboard = [*rows(buttons), [InlineKeyboardButton(_("◀ Back"), callback_data="ofc:role:official")]]
    await edit_or_say(update, context, _("{kabupaten}: choose the kecamatan:").format(
        kabupaten=html.escape(found.name)), InlineKeyboardMarkup(keyboard))


async def _show_desa_picker(update: Update, context: BotContext, kecamatan_code: str) -> None:
    _ = context.i18n.gettext
    found = region(kecamatan_code)
    if found is None or found.level != 3:
        return
    chosen: list[str] = context.user_data.get(PICK_KEY, {}).get("desa", [])  # type: ignore[union-attr]
    buttons = [InlineKeyboardButton(("✅ " if r.code in chosen else "") + r.name, callback_data=f"ofc:t:{r.code}")
               for r in children(kecamatan_code)]
    keyboard = [[InlineKeyboardButton(_("🏘 The whole kecamatan"), callback_data=f"ofc:whole:{kecamatan_code}")]]
    keyboard += rows(buttons)
    if chosen:
        keyboard.append([InlineKeyboardButton(_("✉️ Create invite ({n} desa)").format(n=len(chosen)),
                                              callback_data="ofc:ok")])
    keyboard.append([InlineKeyboardButton(_("◀ Back"), callback_data=f"ofc:kab:{found.kabupaten_code}")])
    text = _("Kecamatan {name}: tap one or more desa, then “Create invite”. Or invite for the whole "
             "kecamatan.").format(name=html.escape(found.name))
    await edit_or_say(update, context, text, InlineKeyboardMarkup(keyboard))


async def pick_desa(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    code = arg(update.callback_query.data if update.callback_query else None, 2)
    context.user_data[PICK_KEY] = {"kec": code, "desa": []}  # type: ignore[index]
    await _show_desa_picker(update, context, code)


async def toggle_desa(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    code = arg(update.callback_query.data if update.callback_query else None, 2)
    found = region(code)
    if found is None or found.level != 4 or found.kecamatan_code is None:
        return
    pick = context.user_data.get(PICK_KEY) or {}  # type: ignore[union-attr]
    if pick.get("kec") != found.kecamatan_code:
        pick = {"kec": found.kecamatan_code, "desa": []}
    chosen = list(pick.get("desa", []))
    chosen.remove(code) if code in chosen else chosen.append(code)
    context.user_data[PICK_KEY] = {"kec": found.kecamatan_code, "desa": chosen}  # type: ignore[index]
    await _show_desa_picker(update, context, found.kecamatan_code)


async def _create(update: Update, context: BotContext, who: Actor, role: str, codes: list[str]) -> None:
    services, t = context.services, context.i18n
    _ = t.gettext
    try:
        created = await service.create_invite(services, who, role, codes, services.clock.now())
    except service.InviteError:
        await say(update, context, _("That area is not valid. Start again with /undang."))
        return
    context.user_data.pop(PICK_KEY, None)  # type: ignore[union-attr]
    link = service.bot_link(context.bot.username, created.payload)
    who_text = _("an admin") if role == "admin" else areas_text(created.invite.area_codes)
    text = "\n".join([
        _("✉️ <b>Invite created</b> for: {who}").format(who=who_text),
        _("Send this link to the person. It works once, until {when}.").format(
            when=t.datetime(created.invite.expires_at)),
        "",
        html.escape(link),
    ])
    await edit_or_say(update, context, text, None)


async def invite_create(update: Update, context: BotContext) -> None:
    who = await require_admin(update, context)
    if who is None:
        return
    await ack(update)
    data = update.callback_query.data if update.callback_query else ""
    if data == "ofc:role:admin":
        await _create(update, context, who, "admin", [])
    elif data and data.startswith("ofc:whole:"):
        await _create(update, context, who, "official", [arg(data, 2)])
    else:
        chosen = (context.user_data.get(PICK_KEY) or {}).get("desa", [])  # type: ignore[union-attr]
        if chosen:
            await _create(update, context, who, "official", list(chosen))


# ----------------------------------------------------------------------------- accepting


async def invite_opened(update: Update, context: BotContext) -> None:
    """`/start inv_<code>`: show what the invite is for and ask to accept."""
    services = context.services
    _ = context.i18n.gettext
    link = parse_payload(context.args[0] if context.args else None)
    invite = None
    if link is not None and link.kind == "invite":
        invite = await service.find_invite(services, link.value, services.clock.now())
    if link is None or invite is None:
        await say(update, context, _("This invite link does not work any more (already used or expired). "
                                     "Please ask your admin for a new one."))
        return
    what = _("an admin of JagaKerja") if invite.role == "admin" else \
        _("an official for: {areas}").format(areas=areas_text(invite.area_codes))
    text = _("👋 You are invited to help as {what}.\n\nYou will see the requests from this area, contact the "
             "workers and report back. Accept?").format(what=what)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("✅ Accept"), callback_data=f"ofc:acc:{link.value}"),
        InlineKeyboardButton(_("❌ No"), callback_data="ofc:decline"),
    ]])
    await say(update, context, text, keyboard)


async def invite_accepted(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services = context.services
    _ = context.i18n.gettext
    await ack(update)
    if query.data == "ofc:decline":
        await edit_or_say(update, context, _("Okay, the invite was not used."), None)
        return
    official = await service.accept_invite(services, arg(query.data, 2), query.from_user.id,
                                           query.from_user.first_name, services.clock.now())
    if official is None:
        await edit_or_say(update, context, _("This invite link does not work any more (already used or "
                                             "expired). Please ask your admin for a new one."), None)
        return
    if official.role == "admin":
        text = _("✅ You are now an admin. Start with /undang, /petugas, /tindaklanjut or /audit.")
    else:
        text = "\n".join([
            _("✅ Welcome! You now serve: {areas}").format(areas=areas_text(official.area_codes)),
            _("New requests from your area will come here."),
            _("• /tindaklanjut — the requests to follow up"),
            _("• /unduh — download them as Excel"),
            _("• /poster — a QR poster for the noticeboard"),
        ])
    await edit_or_say(update, context, text, None)
    await publish_staff_commands(context, official.user_id, official.role == "admin")


# ----------------------------------------------------------------------------- /petugas


async def list_officials(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    services, t = context.services, context.i18n
    _ = t.gettext
    found = await services.officials.list_active()
    if not found:
        await edit_or_say(update, context, _("No officials yet. Invite one with /undang."), None)
        return
    lines = [_("<b>Officials</b> ({n})").format(n=len(found))]
    buttons = []
    for official in found[:40]:
        name = service.official_name(services, official) or str(official.user_id)
        areas = _("admin") if official.role == "admin" else areas_text(official.area_codes)
        lines.append(_("• {name} ({id}) — {areas}, since {date}").format(
            name=html.escape(name), id=official.user_id, areas=areas, date=t.short_date(official.created_at)))
        buttons.append(InlineKeyboardButton(_("🚫 {name}").format(name=name[:20]),
                                            callback_data=f"ofc:rev:{official.user_id}"))
    lines += ["", _("Tap a name to revoke access. Invite more with /undang.")]
    await edit_or_say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows(buttons)))


async def revoke_ask(update: Update, context: BotContext) -> None:
    if await require_admin(update, context) is None:
        return
    await ack(update)
    _ = context.i18n.gettext
    services = context.services
    target = arg(update.callback_query.data if update.callback_query else None, 2)
    official = await services.officials.active(int(target)) if target.isdigit() else None
    if official is None:
        await edit_or_say(update, context, _("This official has no access any more."), None)
        return
    name = service.official_name(services, official) or str(official.user_id)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("🚫 Yes, revoke"), callback_data=f"ofc:revok:{official.user_id}"),
        InlineKeyboardButton(_("↩️ No"), callback_data="ofc:list"),
    ]])
    await edit_or_say(update, context, _("Revoke access of {name}? They lose it at once.").format(
        name=html.escape(name)), keyboard)


async def revoke_do(update: Update, context: BotContext) -> None:
    who = await require_admin(update, context)
    if who is None:
        return
    await ack(update)
    _ = context.i18n.gettext
    services = context.services
    target = arg(update.callback_query.data if update.callback_query else None, 2)
    if not target.isdigit():
        return
    done = await service.revoke(services, who, int(target), services.clock.now())
    text = _("🚫 Access revoked.") if done else _("This official has no access any more.")
    await edit_or_say(update, context, text + " " + _("See /petugas."), None)
    if done:
        with contextlib.suppress(Exception):  # a convenience only; the role is already gone
            await context.bot.delete_my_commands(scope=BotCommandScopeChat(int(target)))


def register(application: Application) -> None:
    services = application.services  # type: ignore[attr-defined]

    async def forget(user_id: int) -> None:
        await services.officials.erase_worker(user_id)
        await services.officials.erase(user_id)

    async def describe(user_id: int, t: Translator) -> list[str]:
        official = await services.officials.active(user_id)
        if official is None:
            return []
        areas = t.gettext("admin") if official.role == "admin" else areas_text(official.area_codes)
        return [t.gettext("Official for: {areas} (since {date})").format(areas=areas,
                                                                         date=t.date(official.created_at))]

    forget.__qualname__ = "officials.forget"
    if not any(getattr(h, "__qualname__", "") == "officials.forget" for h in services.erase_hooks):
        services.erase_hooks.append(forget)
        services.my_data_hooks.append(describe)
    application.add_handler(CommandHandler("start", invite_opened, filters=filters.Regex(r"^/start(@\w+)? inv_")))
    application.add_handler(CommandHandler(["undang", "invite"], invite_start))
    application.add_handler(CallbackQueryHandler(pick_kabupaten, pattern=r"^ofc:role:official$"))
    application.add_handler(CallbackQueryHandler(invite_create, pattern=r"^ofc:(role:admin|whole:[\d.]+|ok)$"))
    application.add_handler(CallbackQueryHandler(pick_kecamatan, pattern=r"^ofc:kab:[\d.]+$"))
    application.add_handler(CallbackQueryHandler(pick_desa, pattern=r"^ofc:kec:[\d.]+$"))
    application.add_handler(CallbackQueryHandler(toggle_desa, pattern=r"^ofc:t:[\d.]+$"))
    application.add_handler(CallbackQueryHandler(invite_accepted, pattern=r"^ofc:(acc:[A-Za-z0-9]+|decline)$"))
    application.add_handler(CommandHandler(["petugas", "officials"], list_officials))
    application.add_handler(CallbackQueryHandler(list_officials, pattern=r"^ofc:list$"))
    application.add_handler(CallbackQueryHandler(revoke_ask, pattern=r"^ofc:rev:\d+$"))
    application.add_handler(CallbackQueryHandler(revoke_do, pattern=r"^ofc:revok:\d+$"))
