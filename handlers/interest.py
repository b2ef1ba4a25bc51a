"""Daftar Minat: consent → name → NIK → phone (share-contact) → desa (kabupaten → kecamatan → desa) → work →
note → summary (confirm or edit) → reference number. /minatsaya lists the worker's requests.

The draft lives in user_data["interest"] (stored encrypted, dropped on /batal and after sending), so bad input
never loses what was entered and a restart resumes the step. Domain logic: bot/interest.py, bot/nik.py.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.domain.i18n import N_, Translator
from bot.domain.interest import (
    NAME_MAX,
    NOTE_MAX,
    Draft,
    InvalidDraft,
    clean_name,
    clean_note,
    clean_phone,
    nik_outside,
)
from bot.domain.nik import check_nik
from bot.domain.occupations import LABELS as OCCUPATION_LABELS
from bot.domain.occupations import occupations
from bot.domain.privacy import mask_nik, mask_phone
from bot.domain.regions import HOME_PROVINCE, desa_of, is_desa, kabupaten_in_province, kecamatan_of, region, short_name
from handlers.context import BotContext
from handlers.eligibility import FLOW_KEY, ActiveFlow, nav_row, paged_buttons, region_items
from handlers.flow import declare_flow
from handlers.start import ensure_consent
from handlers.ui import ack, forget_user_message, say, show_main_menu

KEY = "interest"
ASKING = "interest_asking"
ORDER = ("name", "nik", "phone", "desa", "occupation", "note")
FIELDS_DONE = {"name": "name", "nik": "nik", "phone": "phone", "desa": "desa_code", "occupation": "occupation",
               "note": "note_asked"}

STATUS_LABELS = {
    "new": N_("🕐 Received, waiting for the desa"),
    "contacted": N_("📞 The desa has contacted you"),
    "registered": N_("✅ Registered"),
    "not_eligible": N_("⛔️ Not eligible"),
    "unreachable": N_("📵 The desa could not reach you"),
}
NIK_PROBLEMS = {
    "empty": N_("Please type the 16 digits of your NIK (on your KTP)."),
    "letters": N_("A NIK has only digits (0–9), no letters or symbols. Please type the 16 digits on your KTP."),
    "length": N_("A NIK has 16 digits; you typed {digits}. Please check your KTP and type it again."),
    "region": N_("The first 6 digits of this NIK are not a known region code. Please check your KTP."),
    "birth_date": N_("Digits 7–12 of this NIK are not a real birth date. Please check your KTP."),
    "serial": N_("The last 4 digits of a NIK cannot be 0000. Please check your KTP."),
}
NAME_PROBLEMS = {
    "empty": N_("Please type your full name as on your KTP."),
    "too_long": N_("That is too long for a name (at most {max} letters). Please type just your full name."),
    "characters": N_("A name can have only letters, spaces and . ' - (no numbers or emoji). Please type it again."),
    "too_short": N_("Please type your full name as on your KTP."),
}


def _data(context: BotContext) -> dict[str, Any]:
    data: dict[str, Any] = context.user_data.setdefault(KEY, {})  # type: ignore[union-attr]
    return data


def _next_step(data: dict[str, Any]) -> str:
    if data.get("editing"):
        return "confirm"
    for step in ORDER:
        if not data.get(FIELDS_DONE[step]):
            return step
    return "confirm"


def _region_name(code: str | None) -> str:
    found = region(code) if code else None
    return short_name(found) if found else (code or "")


def _desa_line(code: str) -> str:
    found = region(code)
    if found is None:
        return code
    kec = region(found.kecamatan_code or "")
    return f"{found.name}, {kec.name if kec else ''}, {_region_name(found.kabupaten_code)}"


def _summary(data: dict[str, Any], t: Translator) -> str:
    _ = t.gettext
    lines = [
        _("<b>Please check your request</b>"),
        _("Name: {name}").format(name=html.escape(data["name"])),
        _("NIK: {nik}").format(nik=mask_nik(data["nik"])),
        _("Phone: {phone}").format(phone=mask_phone(data["phone"])),
        _("Desa: {desa}").format(desa=html.escape(_desa_line(data["desa_code"]))),
        _("Work: {work}").format(work=_(OCCUPATION_LABELS[data["occupation"]])),
        _("Note: {note}").format(note=html.escape(data["note"]) if data.get("note") else "–"),
    ]
    if nik_outside(data["nik"], data["desa_code"]):
        nik_region = _region_name(data["nik"][:2] + "." + data["nik"][2:4])
        lines += ["", _("⚠️ Your NIK is from {nik_region}, not {region}. The officials will check whether you can be "
                        "covered here.").format(nik_region=html.escape(nik_region),
                                                region=html.escape(_region_name(data["desa_code"][:5])))]
    return "\n".join(lines)


def _render(step: str, data: dict[str, Any], t: Translator) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup]:
    _ = t.gettext
    back = "int:back" if data.get("editing") else None
    if step == "name":
        return _("<b>Sign up interest</b>\nWhat is your full name, as on your KTP? Please type it."), \
            InlineKeyboardMarkup([nav_row(t, back)])
    if step == "nik":
        return _("Please type your NIK (16 digits on your KTP). It is stored encrypted; only your desa's officials "
                 "can see it."), InlineKeyboardMarkup([nav_row(t, back)])
    if step == "phone":
        keyboard = ReplyKeyboardMarkup([[KeyboardButton(_("📱 Share my number"), request_contact=True)]],
                                       resize_keyboard=True, one_time_keyboard=True)
        return _("Which phone number can the desa call? Tap <b>📱 Share my number</b> below, or type it "
                 "(e.g. 0812 3456 7890)."), keyboard
    if step == "kabupaten":
        rows = paged_buttons(region_items(kabupaten_in_province()), "int:kab", "int:kabpage", 0, per_page=20)
        rows.append(nav_row(t, back))
        return _("Where do you live? Tap your kabupaten/kota."), InlineKeyboardMarkup(rows)
    if step == "kecamatan":
        rows = paged_buttons(region_items(kecamatan_of(data["kab"])), "int:kec", "int:kecpage",
                             int(data.get("page", 0)))
        rows.append([InlineKeyboardButton(_("↩️ Other kabupaten"), callback_data="int:kab:change")])
        rows.append(nav_row(t, back))
        return _("Which kecamatan in {region}?").format(region=html.escape(_region_name(data["kab"]))), \
            InlineKeyboardMarkup(rows)
    if step == "desa":
        rows = paged_buttons(region_items(desa_of(data["kec"])), "int:desa", "int:desapage", int(data.get("page", 0)))
        rows.append([InlineKeyboardButton(_("↩️ Other kecamatan"), callback_data="int:kec:change")])
        rows.append(nav_row(t, back))
        return _("Which desa/kelurahan in {kecamatan}? Tap it, or type its name.").format(
            kecamatan=html.escape(_region_name(data["kec"]))), InlineKeyboardMarkup(rows)
    if step == "occupation":
        buttons = [InlineKeyboardButton(_(o.label_msgid), callback_data=f"int:occ:{o.id}") for o in occupations()]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append(nav_row(t, back))
        return _("What is your main work?"), InlineKeyboardMarkup(rows)
    if step == "note":
        rows = [[InlineKeyboardButton(_("⏭ No note"), callback_data="int:note:skip")], nav_row(t, back)]
        return _("Anything the desa should know (e.g. the best time to call)? Type a short note, or tap "
                 "<b>No note</b>."), InlineKeyboardMarkup(rows)
    rows = [
        [InlineKeyboardButton(_("✅ Send"), callback_data="int:send")],
        [InlineKeyboardButton(_("✏️ Name"), callback_data="int:edit:name"),
         InlineKeyboardButton(_("✏️ NIK"), callback_data="int:edit:nik"),
         InlineKeyboardButton(_("✏️ Phone"), callback_data="int:edit:phone")],
        [InlineKeyboardButton(_("✏️ Desa"), callback_data="int:edit:desa"),
         InlineKeyboardButton(_("✏️ Work"), callback_data="int:edit:occupation"),
         InlineKeyboardButton(_("✏️ Note"), callback_data="int:edit:note")],
        nav_row(t, None),
    ]
    return _summary(data, t), InlineKeyboardMarkup(rows)


async def _show(update: Update, context: BotContext, step: str, note: str | None = None) -> str:
    data = _data(context)
    if step == "desa" and not data.get("kec"):
        step = "kecamatan"
    if step == "kecamatan" and not data.get("kab"):
        step = "kabupaten"
    data["step"] = step
    text, markup = _render(step, data, context.i18n)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, (note + "\n\n" + text) if note else text, reply_markup=markup)
    return ASKING


async def _advance(update: Update, context: BotContext, note: str | None = None) -> str:
    data = _data(context)
    data.pop("page", None)
    return await _show(update, context, _next_step(data), note)


# ----------------------------------------------------------------------------- entry

async def start(update: Update, context: BotContext) -> str | int:
    await ack(update)
    if not await ensure_consent(update, context, resume="menu:interest"):
        return ConversationHandler.END
    context.user_data[FLOW_KEY] = KEY  # type: ignore[index]
    data = _data(context)
    _ = context.i18n.gettext
    if data.get("step"):  # an unfinished request: carry on where it stopped
        return await _show(update, context, data["step"], _("Let's continue where you stopped."))
    note = None
    link = context.user_data.get("deep_link") or {}  # type: ignore[union-attr]
    if link.get("kind") == "desa" and is_desa(str(link.get("value"))):
        data["desa_code"] = link["value"]
        note = _("📍 Your desa: {desa} (from your link). You can change it at the end.").format(
            desa=html.escape(_desa_line(link["value"])))
    return await _show(update, context, _next_step(data), note)


# ----------------------------------------------------------------------------- typed input

async def on_text(update: Update, context: BotContext) -> str:
    assert update.message is not None
    data = _data(context)
    step = data.get("step", "name")
    text = update.message.text or ""
    t = context.i18n
    _ = t.gettext
    if step == "name":
        name, problem = clean_name(text)
        if problem:
            return await _show(update, context, step, "⚠️ " + _(NAME_PROBLEMS[problem]).format(max=NAME_MAX))
        data["name"] = name
        return await _advance(update, context)
    if step == "nik":
        today = context.services.clock.now().astimezone(t.tz).date()
        checked = check_nik(text, today)
        if not checked.valid:
            assert checked.problem is not None
            return await _show(update, context, step,
                               "⚠️ " + _(NIK_PROBLEMS[checked.problem]).format(digits=checked.digits))
        data["nik"] = checked.nik
        if not data.get("kab") and checked.kabupaten_code and checked.kabupaten_code[:2] == HOME_PROVINCE:
            data["kab"] = checked.kabupaten_code  # start the desa picker in the NIK's kabupaten
        saved = _("NIK saved: {nik}").format(nik=mask_nik(checked.nik or ""))
        if await forget_user_message(update):
            saved += "\n" + _("(I deleted your message so the NIK does not stay in this chat.)")
        return await _advance(update, context, saved)
    if step == "phone":
        phone = clean_phone(text)
        if phone is None:
            return await _show(update, context, step, "⚠️ " + _(
                "That is not an Indonesian phone number. Type it like 0812 3456 7890, or tap 📱 Share my number."))
        return await _phone_saved(update, context, phone)
    if step == "desa" and data.get("kec"):
        wanted = " ".join(text.casefold().split())
        matches = [r for r in desa_of(data["kec"]) if r.name.casefold() == wanted]
        if not matches and wanted:
            matches = [r for r in desa_of(data["kec"]) if r.name.casefold().startswith(wanted)]
        if len(matches) == 1:
            return await _desa_chosen(update, context, matches[0].code)
        return await _show(update, context, step, "⚠️ " + _(
            "I can't find \u201c{text}\u201d in {kecamatan}. Please tap your desa below.").format(
            text=html.escape(text[:40]), kecamatan=html.escape(_region_name(data["kec"]))))
    if step == "note":
        note, too_long = clean_note(text)
        if too_long:
            return await _show(update, context, step, "⚠️ " + _(
                "That note is too long (at most {max} characters). Please make it shorter.").format(max=NOTE_MAX))
        data["note"] = note
        data["note_asked"] = True
        return await _advance(update, context)
    return await _show(update, context, step, _("Please tap one of the buttons 👇"))


async def on_contact(update: Update, context: BotContext) -> str:
    message = update.message
    assert message is not None and message.contact is not None
    data = _data(context)
    _ = context.i18n.gettext
    if data.get("step") != "phone":
        return await _show(update, context, data.get("step", "name"))
    user = update.effective_user
    if user is None or message.contact.user_id != user.id:
        return await _show(update, context, "phone", "⚠️ " + _(
            "That is someone else's contact. Please tap 📱 Share my number to send your own, or type your number."))
    phone = clean_phone(message.contact.phone_number)
    if phone is None:
        return await _show(update, context, "phone", "⚠️ " + _(
            "I can't use that number. Please type an Indonesian phone number, like 0812 3456 7890."))
    return await _phone_saved(update, context, phone)


async def _phone_saved(update: Update, context: BotContext, phone: str) -> str:
    data = _data(context)
    data["phone"] = phone
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, context.i18n.gettext("Phone saved: {phone}").format(
        phone=mask_phone(phone)), reply_markup=ReplyKeyboardRemove())
    return await _advance(update, context)


async def _desa_chosen(update: Update, context: BotContext, code: str) -> str:
    data = _data(context)
    data["desa_code"] = code
    assert context.profile is not None
    await context.services.users.set_region(context.profile.id, code, only_if_more_precise=True)
    return await _advance(update, context)


# ----------------------------------------------------------------------------- buttons

async def on_button(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    data = _data(context)
    step = data.get("step", "name")
    parts = query.data.split(":")
    action, value = parts[1], (parts[2] if len(parts) > 2 else "")
    _ = context.i18n.gettext
    if action == "back":
        return await _show(update, context, "confirm" if data.get("editing") else step)
    if action == "kab" and step in ("kabupaten", "kecamatan"):
        if value == "change":
            data.pop("kab", None)
            data.pop("kec", None)
            return await _show(update, context, "kabupaten")
        found = region(value)
        if found is None or found.level != 2 or found.code[:2] != HOME_PROVINCE:
            return await _show(update, context, "kabupaten")
        data.update(kab=found.code, kec=None, page=0)
        return await _show(update, context, "kecamatan")
    if action in ("kabpage", "kecpage", "desapage"):
        data["page"] = int(value) if value.isdigit() else 0
        return await _show(update, context, step)
    if action == "kec" and step in ("kecamatan", "desa"):
        if value == "change":
            data.pop("kec", None)
            data["page"] = 0
            return await _show(update, context, "kecamatan")
        if value not in {r.code for r in kecamatan_of(data.get("kab", ""))}:
            return await _show(update, context, "kecamatan", "⚠️ " + _("Please pick a kecamatan from the list."))
        data.update(kec=value, page=0)
        return await _show(update, context, "desa")
    if action == "desa" and step == "desa":
        if value not in {r.code for r in desa_of(data.get("kec", ""))}:
            return await _show(update, context, "desa", "⚠️ " + _(
                "That desa is not in the list for {kecamatan}. Please tap one below.").format(
                kecamatan=html.escape(_region_name(data.get("kec")))))
        return await _desa_chosen(update, context, value)
    if action == "occ" and step == "occupation" and value in OCCUPATION_LABELS:
        data["occupation"] = value
        return await _advance(update, context)
    if action == "note" and step == "note":
        data["note"] = None
        data["note_asked"] = True
        return await _advance(update, context)
    if action == "edit" and step == "confirm" and value in ORDER:
        data["editing"] = True
        if value == "desa":
            for key in ("kab", "kec", "page"):
                data.pop(key, None)
            return await _show(update, context, "kabupaten")
        return await _show(update, context, value)
    if action == "send" and step == "confirm":
        return await _send(update, context)
    return await _show(update, context, step)


async def _send(update: Update, context: BotContext) -> str | int:
    data = _data(context)
    services, t = context.services, context.i18n
    _ = t.gettext
    assert context.profile is not None
    try:
        submitted = await services.interest.submit(context.profile.id, Draft.from_dict(data), t.language,
                                                   services.clock.now())
    except InvalidDraft:
        data.pop("editing", None)
        return await _show(update, context, _next_step(data) if Draft.from_dict(data).missing() else "nik",
                           "⚠️ " + _("Something in your request needs fixing. Please check it again."))
    request = submitted.request
    context.user_data.pop(KEY, None)  # type: ignore[union-attr]
    if context.user_data.get(FLOW_KEY) == KEY:  # type: ignore[union-attr]
        context.user_data.pop(FLOW_KEY)  # type: ignore[union-attr]
    lines = []
    if submitted.updated:
        lines.append(_("You had already signed up with this NIK, so I updated that request instead of making a "
                       "new one."))
    lines += [
        _("✅ Received! Your reference number: <b>{ref}</b>").format(ref=request.ref),
        _("The officials of {desa} will call you. This is not yet a registration: the district decides.").format(
            desa=html.escape(_region_name(request.desa_code))),
        _("See your requests any time: /minatsaya"),
    ]
    await show_main_menu(update, context, "\n\n".join(lines))
    return ConversationHandler.END


# ----------------------------------------------------------------------------- /minatsaya and privacy hooks

async def my_requests(update: Update, context: BotContext) -> None:
    await ack(update)
    assert context.profile is not None
    t = context.i18n
    _ = t.gettext
    requests = await context.services.interest.for_user(context.profile.id)
    if not requests:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(_("📝 Sign up interest"),
                                                               callback_data="menu:interest")]])
        await say(update, context, _("You have no interest requests yet."), keyboard)
        return
    lines = [_("<b>Your interest requests</b>")]
    for r in requests:
        lines += ["", f"<b>{r.ref}</b> · {_(STATUS_LABELS.get(r.status, r.status))}",
                  _("{desa} · {work} · sent {date}").format(
                      desa=html.escape(_region_name(r.desa_code)), work=_(OCCUPATION_LABELS.get(r.occupation, "other")),
                      date=t.date(r.created_at.astimezone(t.tz).date()))]
        if r.status_reason and r.status in ("not_eligible", "unreachable"):
            lines.append(_("Reason: {reason}").format(reason=html.escape(r.status_reason)))
    await say(update, context, "\n".join(lines))


def _install_privacy_hooks(application: Application) -> None:
    services = getattr(application, "services", None)
    if services is None:
        return

    async def erase(user_id: int) -> None:
        await services.interest.repository.erase_user(user_id)
        await services.eligibility_results.forget_user(user_id)

    async def describe(user_id: int, t: Translator) -> list[str]:
        requests = await services.interest.for_user(user_id)
        if not requests:
            return []
        _ = t.gettext
        lines = [_("Interest requests: {count}").format(count=len(requests))]
        for r in requests:
            lines.append(_("{ref}: name, NIK {nik}, phone {phone}, birth date, desa, work").format(
                ref=r.ref, nik=mask_nik(r.nik), phone=mask_phone(r.phone)))
        return lines

    # A restart builds a new Application on the same Services: install once.
    if not any(getattr(h, "__qualname__", "").startswith("_install_privacy_hooks") for h in services.erase_hooks):
        services.erase_hooks.append(erase)
        services.my_data_hooks.append(describe)


def register(application: Application) -> None:
    _install_privacy_hooks(application)
    application.add_handler(persistent_conversation_for(application))
    application.add_handler(CommandHandler(["minatsaya", "myrequests"], my_requests))


def persistent_conversation_for(application: Application) -> ConversationHandler[Any]:
    return declare_flow(
        application,
        KEY,
        entry_points=[
            CallbackQueryHandler(start, pattern=r"^menu:interest$"),
            CommandHandler(["daftarminat", "signup"], start),
        ],
        steps={
            ASKING: [
                CallbackQueryHandler(on_button, pattern=r"^int:"),
                MessageHandler(filters.CONTACT & ActiveFlow(application, KEY), on_contact),
                MessageHandler(filters.TEXT & ~filters.COMMAND & ActiveFlow(application, KEY), on_text),
            ],
        },
    )
