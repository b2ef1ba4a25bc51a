"""What the follow-up screens and messages look like: the queue, the card, the prompts, notices and digests.
Rendering only (texts and keyboards from what `FollowupService` returns); every stored or typed value goes
through `bot.domain.markup.escape` (workers' names and notes, officials' notes and reasons)."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import followup as fu
from bot.domain.followup import Card, NoticeDigest, QueuePage, StaleDigest
from bot.domain.i18n import Translator
from bot.domain.interest import InterestRequestView
from bot.domain.markup import escape
from bot.domain.privacy import mask_nik
from bot.domain.roster_requests import cross_check_lines, reason_words
from handlers.assisted_views import AstStart, assisted_line, erase_button
from handlers.followup_bulk import BulkOpen
from handlers.followup_callbacks import (
    ConfirmStatus,
    OpenRequest,
    RefusalMenu,
    RefusalReason,
    RevealNik,
    SetStatus,
    ShowQueue,
    TypeNote,
    TypeReason,
)
from handlers.followup_search import SearchStart
from handlers.keyboards import back_button, button, rows
from handlers.proposal import ProposalStart
from handlers.questions_views import inbox_button

NOTICE_DIGEST_MAX = 20  # requests listed in a grouped notice
DAILY_DIGEST_MAX = 15  # requests listed in the morning digest


def _queue_nav(page: QueuePage) -> list[InlineKeyboardButton]:
    nav = []
    if page.page > 0:
        nav.append(button("◀", ShowQueue(page.filter_id, page.page - 1)))
    if page.pages > 1:
        nav.append(button(f"{page.page + 1}/{page.pages}", ShowQueue(page.filter_id, page.page)))
    if page.page + 1 < page.pages:
        nav.append(button("▶", ShowQueue(page.filter_id, page.page + 1)))
    return nav


def queue_view(t: Translator, page: QueuePage, now: dt.datetime) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    label = t.gettext(fu.FILTERS[page.filter_id][1])
    lines = [_("<b>Follow-up</b> · {filter}: {n}").format(filter=label, n=page.total)]
    lines.append(_("Tap a request to open it.") if page.items else _("Nothing here. 🎉"))
    keyboard = [[button(f"{fu.STATUS_ICONS.get(r.status, '')} {r.name[:18]} · {fu.place(r.desa_code)[:14]} · "
                        f"{fu.since(t, r.created_at, now)}", OpenRequest(r.id))] for r in page.items]
    nav = _queue_nav(page)
    if nav:
        keyboard.append(nav)
    filters_ = [button(("• " if f == page.filter_id else "") + t.gettext(lbl), ShowQueue(f, 0))
                for f, (_s, lbl) in fu.FILTERS.items()]
    keyboard += rows(filters_, 4)
    keyboard.append([button(_("🔎 Search"), SearchStart()), button(_("☑️ Select several"), BulkOpen(page.filter_id)),
                     button(_("📤 Desa proposal"), ProposalStart())])
    keyboard.append([inbox_button(t)])  # the workers' questions (/pertanyaan)
    keyboard.append([button(_("➕ Register a worker without Telegram"), AstStart())])  # /daftarkan
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def card_text(t: Translator, card: Card, now: dt.datetime, full_nik: bool) -> str:
    _ = t.gettext
    e = escape
    r = card.request
    wa = "https://wa.me/" + r.phone.lstrip("+")
    lines = [
        f"{fu.STATUS_ICONS.get(r.status, '')} <b>{e(r.ref)}</b> · {e(fu.status_label(t, r.status))}",
        _("👤 {name}, {age} years").format(name=e(r.name), age=fu.age_on(r.birth_date, now.astimezone(t.tz).date())),
        f"🏘 {e(fu.place(r.desa_code))}, {e(fu.place(r.kecamatan_code))}",
        f"💼 {e(fu.occupation_label(t, r.occupation))}",
        f"📱 {e(r.phone)} · <a href=\"{e(wa)}\">WhatsApp</a>",
        _("🪪 NIK {nik}").format(nik=f"<code>{e(r.nik)}</code>" if full_nik else e(mask_nik(r.nik))),
    ]
    if r.nik_outside_region:
        lines.append(_("⚠️ The NIK is from another kabupaten/kota."))
    lines += cross_check_lines(t, r.cross, now.astimezone(t.tz).date())  # roster entry, same NIK elsewhere
    if r.note:
        lines.append(_("💬 Note: {note}").format(note=e(r.note)))
    reason = reason_words(t, r.status_reason) or fu.reason_text(t, r.status_reason)
    if reason:
        lines.append(_("Reason: {reason}").format(reason=e(reason)))
    lines.append(_("🕒 {ago} ago ({when})").format(ago=fu.since(t, r.created_at, now), when=t.datetime(r.created_at)))
    if r.worker_changed_at is not None:  # the worker corrected or withdrew it (/dataku)
        changed = _("↩️ Withdrawn by the worker on {date}") if r.is_withdrawn else \
            _("✏️ Changed by the worker on {date}")
        lines.append(changed.format(date=t.datetime(r.worker_changed_at)))
    assisted = assisted_line(t, r)  # registered by an official (no Telegram): the paper consent
    if assisted:
        lines.append(assisted)
    for when, text in card.notes[-3:]:
        lines.append(f"📝 {t.short_date(when)}: {e(text)}")
    return "\n".join(lines)


def card_keyboard(t: Translator, r: InterestRequestView, full_nik: bool) -> InlineKeyboardMarkup:
    _ = t.gettext
    keyboard = [] if full_nik else [[button(_("👁 Show full NIK"), RevealNik(r.id))]]
    steps = [  # the next steps only: the status the request already has is not offered again
        ("contacted", button(_("📞 Contacted"), SetStatus(r.id, "contacted"))),
        ("proposed", button(_("📤 Proposed"), SetStatus(r.id, "proposed"))),
        ("registered", button(_("✅ Registered"), SetStatus(r.id, "registered"))),
        ("not_eligible", button(_("⛔ Not eligible"), RefusalMenu(r.id))),
        ("unreachable", button(_("📵 Unreachable"), SetStatus(r.id, "unreachable"))),
    ]
    keyboard += rows([
        *(step for status, step in steps if status != r.status and not r.is_withdrawn),
        button(_("📝 Add a note"), TypeNote(r.id)),
        button(_("◀ Back to list"), ShowQueue("open", 0)),
    ])
    keyboard += [erase_button(t, r)] if r.is_assisted else []  # the worker cannot use /hapusdata
    return InlineKeyboardMarkup(keyboard)


def confirm_registered(t: Translator, r: InterestRequestView) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    keyboard = InlineKeyboardMarkup([[
        button(_("✅ Yes, registered"), ConfirmStatus(r.id, "registered")), back_button(t, OpenRequest(r.id)),
    ]])
    question = _("Mark {ref} as registered? {name} has no Telegram: please tell them yourself.") if r.is_assisted \
        else _("Mark {ref} as registered? {name} will get a message.")
    return question.format(
        ref=escape(r.ref), name=escape(r.name)), keyboard


def refusal_menu(t: Translator, r: InterestRequestView) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    buttons = [[button(t.gettext(label), RefusalReason(r.id, code))]
               for code, label in fu.REFUSAL_REASONS.items()]
    buttons.append([button(_("✍️ Other reason (type it)"), TypeReason(r.id))])
    buttons.append([back_button(t, OpenRequest(r.id))])
    return _("Why is {ref} not eligible? The worker will see the reason.").format(ref=escape(r.ref)), \
        InlineKeyboardMarkup(buttons)


def notice_text(t: Translator, r: InterestRequestView) -> str:
    _ = t.gettext
    return _("🆕 New request {ref}: {name}, {work}, {desa}.").format(
        ref=escape(r.ref), name=escape(r.name), work=escape(fu.occupation_label(t, r.occupation)),
        desa=escape(fu.place(r.desa_code)))


def open_button(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t.gettext("Open"), OpenRequest(request_id))]])


def notice_digest_text(t: Translator, digest: NoticeDigest) -> str:
    _ = t.gettext
    requests = digest.requests
    lines = [t.ngettext("🆕 {n} more new request in your area:", "🆕 {n} more new requests in your area:",
                        len(requests)).format(n=len(requests))]
    lines += [f"• {escape(r.ref)} · {escape(r.name)} · {escape(fu.place(r.desa_code))}"
              for r in requests[:NOTICE_DIGEST_MAX]]
    if len(requests) > NOTICE_DIGEST_MAX:
        lines.append(_("… and {n} more.").format(n=len(requests) - NOTICE_DIGEST_MAX))
    lines.append(_("Open /tindaklanjut to follow them up."))
    return "\n".join(lines)


def daily_digest(t: Translator, digest: StaleDigest, now: dt.datetime) -> tuple[str, InlineKeyboardMarkup]:
    _ = t.gettext
    stale = digest.requests
    lines = [t.ngettext("☀️ Good morning! {n} request has waited 3 days or more:",
                        "☀️ Good morning! {n} requests have waited 3 days or more:", len(stale)).format(n=len(stale))]
    lines += [f"• {escape(r.ref)} · {escape(fu.place(r.desa_code))} · {fu.since(t, r.created_at, now)}"
              for r in stale[:DAILY_DIGEST_MAX]]
    if len(stale) > DAILY_DIGEST_MAX:
        lines.append(_("… and {n} more.").format(n=len(stale) - DAILY_DIGEST_MAX))
    keyboard = InlineKeyboardMarkup([[button(_("Open the queue"), ShowQueue("new", 0))]])
    return "\n".join(lines), keyboard
