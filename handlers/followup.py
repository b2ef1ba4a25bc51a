"""/tindaklanjut: the officials' queue (their area only), request cards, status changes that reach the
worker, notes; notices about new requests and the daily digest at 08:00 WITA.

Callback data names a request by id only; every press re-checks role and area on the server."""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain import followup as fu
from bot.domain.i18n import Translator, resolve_language
from bot.domain.interest import InterestRequestView
from bot.domain.privacy import mask_nik
from bot.domain.roles import Actor
from bot.runtime.services import Services
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.officials import arg, current_actor, refuse, require_staff
from handlers.ui import ack, edit_or_say, rows, say

log = logging.getLogger(__name__)
TEXT_KEY = "followup_text"  # user_data while an official types a reason or a note: {"kind", "id"}
TYPING = "typing"
DIGEST_JOB = "followup-daily-digest"
NOTICE_JOB = "followup-notice-digests"
DIGEST_HOUR = 8


# ----------------------------------------------------------------------------- rendering


def queue_view(t: Translator, page: fu.QueuePage, now: dt.datetime) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    label = t.gettext(fu.FILTERS[page.filter_id][1])
    lines = [_("<b>Follow-up</b> · {filter}: {n}").format(filter=label, n=page.total)]
    if not page.items:
        lines.append(_("Nothing here. 🎉"))
    else:
        lines.append(_("Tap a request to open it."))
    keyboard = []
    for r in page.items:
        text = f"{fu.STATUS_ICONS.get(r.status, '')} {r.name[:18]} · {fu.place(r.desa_code)[:14]} · " \
               f"{fu.since(t, r.created_at, now)}"
        keyboard.append([InlineKeyboardButton(text, callback_data=f"fu:o:{r.id}")])
    nav = []
    if page.page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"fu:l:{page.filter_id}:{page.page - 1}"))
    if page.pages > 1:
        nav.append(InlineKeyboardButton(f"{page.page + 1}/{page.pages}", callback_data=f"fu:l:{page.filter_id}:"
                                        f"{page.page}"))
    if page.page + 1 < page.pages:
        nav.append(InlineKeyboardButton("▶", callback_data=f"fu:l:{page.filter_id}:{page.page + 1}"))
    if nav:
        keyboard.append(nav)
    filters_ = [InlineKeyboardButton(("• " if f == page.filter_id else "") + t.gettext(lbl),
                                     callback_data=f"fu:l:{f}:0") for f, (_s, lbl) in fu.FILTERS.items()]
    keyboard += rows(filters_, 4)
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def card_text(t: Translator, r: InterestRequestView, now: dt.datetime, full_nik: bool,
              notes: list[tuple[dt.datetime, str]]) -> str:
    _ = t.gettext
    e = html.escape
    desa = fu.place(r.desa_code)
    kec = fu.place(r.kecamatan_code)
    wa = "https://wa.me/" + r.phone.lstrip("+")
    lines = [
        f"{fu.STATUS_ICONS.get(r.status, '')} <b>{e(r.ref)}</b> · {e(fu.status_label(t, r.status))}",
        _("👤 {name}, {age} years").format(name=e(r.name), age=fu.age_on(r.birth_date, now.astimezone(t.tz).date())),
        f"🏘 {e(desa)}, {e(kec)}",
        f"💼 {e(fu.occupation_label(t, r.occupation))}",
        f"📱 {e(r.phone)} · <a href=\"{e(wa)}\">WhatsApp</a>",
        _("🪪 NIK {nik}").format(nik=f"<code>{r.nik}</code>" if full_nik else mask_nik(r.nik)),
    ]
    if r.nik_outside_region:
        lines.append(_("⚠️ The NIK is from another kabupaten/kota."))
    if r.note:
        lines.append(_("💬 Note: {note}").format(note=e(r.note)))
    reason = fu.reason_text(t, r.status_reason)
    if reason:
        lines.append(_("Reason: {reason}").format(reason=e(reason)))
    lines.append(_("🕒 {ago} ago ({when})").format(ago=fu.since(t, r.created_at, now), when=t.datetime(r.created_at)))
    for when, text in notes[-3:]:
        lines.append(f"📝 {t.short_date(when)}: {e(text)}")
    return "\n".join(lines)


def card_keyboard(t: Translator, r: InterestRequestView, full_nik: bool) -> InlineKeyboardMarkup:
    _ = t.gettext
    keyboard = []
    if not full_nik:
        keyboard.append([InlineKeyboardButton(_("👁 Show full NIK"), callback_data=f"fu:n:{r.id}")])
    keyboard += rows([
        InlineKeyboardButton(_("📞 Contacted"), callback_data=f"fu:s:{r.id}:contacted"),
        InlineKeyboardButton(_("✅ Registered"), callback_data=f"fu:s:{r.id}:registered"),
        InlineKeyboardButton(_("⛔ Not eligible"), callback_data=f"fu:x:{r.id}"),
        InlineKeyboardButton(_("📵 Unreachable"), callback_data=f"fu:s:{r.id}:unreachable"),
        InlineKeyboardButton(_("📝 Add a note"), callback_data=f"fu:note:{r.id}"),
        InlineKeyboardButton(_("◀ Back to list"), callback_data="fu:l:open:0"),
    ])
    return InlineKeyboardMarkup(keyboard)


# ----------------------------------------------------------------------------- handlers


async def show_queue(update: Update, context: BotContext) -> None:
    who = await require_staff(update, context)
    if who is None:
        return
    await ack(update)
    data = update.callback_query.data if update.callback_query else None
    filter_id = arg(data, 2) or "open"
    page_no = int(arg(data, 3)) if arg(data, 3).isdigit() else 0
    now = context.services.clock.now()
    page = await fu.queue(context.services, who, filter_id, page_no)
    text, keyboard = queue_view(context.i18n, page, now)
    await edit_or_say(update, context, text, keyboard)


async def _request_or_refuse(update: Update, context: BotContext, request_id: str) -> tuple[Actor, Any] | None:
    who = await require_staff(update, context)
    if who is None:
        return None
    try:
        request = await fu.open_request(context.services, who, int(request_id))
    except (fu.AccessDenied, ValueError):
        _ = context.i18n.gettext
        if update.callback_query is not None:
            await update.callback_query.answer(_("This request is not in your area (or no longer exists)."),
                                               show_alert=True)
        return None
    return who, request


async def _show_card(update: Update, context: BotContext, request: InterestRequestView, full_nik: bool = False) -> None:
    services = context.services
    notes = await fu.notes(services, request.id)
    text = card_text(context.i18n, request, services.clock.now(), full_nik, notes)
    await edit_or_say(update, context, text, card_keyboard(context.i18n, request, full_nik))


async def open_card(update: Update, context: BotContext) -> None:
    found = await _request_or_refuse(update, context, arg(update.callback_query.data if update.callback_query
                                                          else None, 2))
    if found is None:
        return
    await ack(update)
    await _show_card(update, context, found[1])


async def show_nik(update: Update, context: BotContext) -> None:
    found = await _request_or_refuse(update, context, arg(update.callback_query.data if update.callback_query
                                                          else None, 2))
    if found is None:
        return
    await ack(update)
    services = context.services
    request = await fu.reveal_nik(services, found[0], found[1].id, services.clock.now())
    await _show_card(update, context, request, full_nik=True)


async def set_status(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    status = arg(query.data, 3)
    if status not in ("contacted", "registered", "unreachable"):
        await ack(update)
        return
    found = await _request_or_refuse(update, context, arg(query.data, 2))
    if found is None:
        return
    _ = context.i18n.gettext
    if status == "registered" and arg(query.data, 1) != "c":
        await ack(update)
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(_("✅ Yes, registered"), callback_data=f"fu:c:{found[1].id}:registered"),
            InlineKeyboardButton(_("↩️ Back"), callback_data=f"fu:o:{found[1].id}"),
        ]])
        await edit_or_say(update, context, _("Mark {ref} as registered? {name} will get a message.").format(
            ref=found[1].ref, name=html.escape(found[1].name)), keyboard)
        return
    await _apply(update, context, found[0], found[1].id, status, None)


async def refusal_menu(update: Update, context: BotContext) -> None:
    found = await _request_or_refuse(update, context, arg(update.callback_query.data if update.callback_query
                                                          else None, 2))
    if found is None:
        return
    await ack(update)
    t = context.i18n
    _ = t.gettext
    request = found[1]
    buttons = [[InlineKeyboardButton(t.gettext(label), callback_data=f"fu:r:{request.id}:{code}")]
               for code, label in fu.REFUSAL_REASONS.items()]
    buttons.append([InlineKeyboardButton(_("✍️ Other reason (type it)"), callback_data=f"fu:why:{request.id}")])
    buttons.append([InlineKeyboardButton(_("↩️ Back"), callback_data=f"fu:o:{request.id}")])
    await edit_or_say(update, context, _("Why is {ref} not eligible? The worker will see the reason.").format(
        ref=request.ref), InlineKeyboardMarkup(buttons))


async def refusal_reason(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    code = arg(query.data, 3)
    if code not in fu.REFUSAL_REASONS:
        await ack(update)
        return
    found = await _request_or_refuse(update, context, arg(query.data, 2))
    if found is None:
        return
    await _apply(update, context, found[0], found[1].id, "not_eligible", f"reason:{code}")


async def _apply(update: Update, context: BotContext, who: Actor, request_id: int, status: str,
                 reason: str | None) -> None:
    services = context.services
    _ = context.i18n.gettext
    now = services.clock.now()
    request, changed = await fu.change_status(services, who, request_id, status, reason, now)
    if update.callback_query is not None:
        await update.callback_query.answer(_("Saved: {status}").format(status=fu.status_label(context.i18n, status)))
    await _show_card(update, context, request)
    if changed:
        await notify_worker(context.bot, services, request, now)


async def notify_worker(bot: Bot, services: Services, request: InterestRequestView, now: dt.datetime) -> bool:
    t = services.translator(request.language)
    text = fu.worker_update(t, request, now.astimezone(t.tz).date())
    if text is None:
        return False
    try:
        await bot.send_message(request.user_id, text)
    except Forbidden:
        log.info("worker of request %s has blocked the bot", request.id)
        return False
    return True


# ----------------------------------------------------------------------------- typed reason / note


async def ask_text(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    assert query is not None
    found = await _request_or_refuse(update, context, arg(query.data, 2))
    if found is None:
        return ConversationHandler.END
    await ack(update)
    _ = context.i18n.gettext
    kind = arg(query.data, 1)
    context.user_data[TEXT_KEY] = {"kind": kind, "id": found[1].id}  # type: ignore[index]
    if kind == "why":
        text = _("Type the reason for {ref} (short; the worker will read it). /batal to stop.")
    else:
        text = _("Type a note for {ref} (only officials see it). /batal to stop.")
    await say(update, context, text.format(ref=found[1].ref))
    return TYPING


async def got_text(update: Update, context: BotContext) -> str | int:
    assert update.message is not None
    _ = context.i18n.gettext
    pending = context.user_data.get(TEXT_KEY) or {}  # type: ignore[union-attr]
    kind, request_id = pending.get("kind"), int(pending.get("id", 0))
    limit = fu.REASON_MAX if kind == "why" else fu.NOTE_MAX
    text, too_long = fu.clean_text(update.message.text or "", limit)
    if too_long or text is None:
        await say(update, context, _("Please keep it under {n} characters and try again, or /batal.").format(
            n=limit) if too_long else _("Please type a few words, or /batal."))
        return TYPING
    who = await current_actor(update, context)
    services = context.services
    try:
        if kind == "why":
            request, changed = await fu.change_status(services, who, request_id, "not_eligible", text,
                                                      services.clock.now())
            if changed:
                await notify_worker(context.bot, services, request, services.clock.now())
        else:
            await fu.add_note(services, who, request_id, text, services.clock.now())
            request = await fu.open_request(services, who, request_id)
    except fu.AccessDenied:
        context.user_data.pop(TEXT_KEY, None)  # type: ignore[union-attr]
        await refuse(update, context)
        return ConversationHandler.END
    context.user_data.pop(TEXT_KEY, None)  # type: ignore[union-attr]
    await say(update, context, _("Saved. 👍"))
    await _show_card(update, context, request)
    return ConversationHandler.END


# ----------------------------------------------------------------------------- notices and digest


def notice_text(t: Translator, r: InterestRequestView, now: dt.datetime) -> str:
    _ = t.gettext
    return _("🆕 New request {ref}: {name}, {work}, {desa}.").format(
        ref=r.ref, name=html.escape(r.name), work=html.escape(fu.occupation_label(t, r.occupation)),
        desa=html.escape(fu.place(r.desa_code)))


def open_button(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t.gettext("Open"), callback_data=f"fu:o:{request_id}")]])


async def _language_of(services: Services, user_id: int) -> Translator:
    profile = await services.users.get(user_id)
    return services.translator(resolve_language(profile.language if profile else None,
                                                profile.tg_language_code if profile else None,
                                                services.config.default_language))


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError:
        log.warning("could not notify official %s", chat_id)


async def notify_new_request(bot: Bot, services: Services, request: InterestRequestView) -> None:
    now = services.clock.now()
    plan = await fu.plan_notices(services, request, now)
    for official_id in plan.send_now:
        t = await _language_of(services, official_id)
        await _send(bot, official_id, notice_text(t, request, now), open_button(t, request.id))


async def send_notice_digests(services: Services, bot: Bot, now: dt.datetime) -> int:
    """Grouped notices for officials who had more than NOTICE_BURST new requests within the window."""
    sent = 0
    for official_id, requests in (await fu.due_digests(services, now)).items():
        t = await _language_of(services, official_id)
        _ = t.gettext
        lines = [t.ngettext("🆕 {n} more new request in your area:", "🆕 {n} more new requests in your area:",
                            len(requests)).format(n=len(requests))]
        lines += [f"• {r.ref} · {html.escape(r.name)} · {html.escape(fu.place(r.desa_code))}" for r in requests[:20]]
        if len(requests) > 20:
            lines.append(_("… and {n} more.").format(n=len(requests) - 20))
        lines.append(_("Open /tindaklanjut to follow them up."))
        await _send(bot, official_id, "\n".join(lines))
        sent += 1
    return sent


async def run_daily_digest(services: Services, bot: Bot, now: dt.datetime) -> int:
    """08:00 WITA: each official hears about requests in their area untouched for 3+ days."""
    sent = 0
    for official in await services.officials.list_active():
        stale = await fu.stale_requests(services, official, now)
        if not stale:
            continue
        t = await _language_of(services, official.user_id)
        _ = t.gettext
        lines = [t.ngettext("☀️ Good morning! {n} request has waited 3 days or more:",
                            "☀️ Good morning! {n} requests have waited 3 days or more:", len(stale)).format(
            n=len(stale))]
        lines += [f"• {r.ref} · {html.escape(fu.place(r.desa_code))} · {fu.since(t, r.created_at, now)}"
                  for r in stale[:15]]
        if len(stale) > 15:
            lines.append(_("… and {n} more.").format(n=len(stale) - 15))
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("Open the queue"), callback_data="fu:l:new:0")]])
        await _send(bot, official.user_id, "\n".join(lines), keyboard)
        sent += 1
    return sent


async def _daily_job(context: BotContext) -> None:
    await run_daily_digest(context.services, context.bot, context.services.clock.now())


async def _notice_job(context: BotContext) -> None:
    await send_notice_digests(context.services, context.bot, context.services.clock.now())


def register(application: Application) -> None:
    services: Services = application.services  # type: ignore[attr-defined]

    async def on_new_request(request: InterestRequestView) -> None:
        await notify_new_request(application.bot, services, request)

    on_new_request.__qualname__ = "followup.on_new_request"
    services.interest_created_hooks[:] = [
        h for h in services.interest_created_hooks if getattr(h, "__qualname__", "") != "followup.on_new_request"]
    services.interest_created_hooks.append(on_new_request)

    application.add_handler(declare_flow(
        application,
        "followup_text",
        entry_points=[CallbackQueryHandler(ask_text, pattern=r"^fu:(why|note):\d+$")],
        steps={TYPING: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_text)]},
    ))
    application.add_handler(CommandHandler(["tindaklanjut", "followup"], show_queue))
    application.add_handler(CallbackQueryHandler(show_queue, pattern=r"^fu:l:\w+:\d+$"))
    application.add_handler(CallbackQueryHandler(open_card, pattern=r"^fu:o:\d+$"))
    application.add_handler(CallbackQueryHandler(show_nik, pattern=r"^fu:n:\d+$"))
    application.add_handler(CallbackQueryHandler(set_status, pattern=r"^fu:[sc]:\d+:\w+$"))
    application.add_handler(CallbackQueryHandler(refusal_menu, pattern=r"^fu:x:\d+$"))
    application.add_handler(CallbackQueryHandler(refusal_reason, pattern=r"^fu:r:\d+:\w+$"))
    if application.job_queue is not None:
        application.job_queue.run_daily(_daily_job, time=dt.time(DIGEST_HOUR, 0, tzinfo=services.config.tz),
                                        name=DIGEST_JOB)
        application.job_queue.run_repeating(_notice_job, interval=60, first=60, name=NOTICE_JOB)
