"""/siaran (compose and send a broadcast), /siaran_status, and the job's Jeda / Lanjut / Hentikan buttons.

Admins only (checked on the server for every update). The sending itself is `bot.domain.broadcast`; this module
lends it Telegram: a sender on a plain `telegram.Bot` (no PTB rate limiter: the job paces itself) and the
admin's progress message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import httpx
from babel.dates import format_timedelta
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.domain.audience import AREA_LEVELS, KINDS, Audience, AudienceError
from bot.domain.broadcast import (
    Ambiguous,
    Blocked,
    BroadcastService,
    Content,
    Draft,
    Progress,
    Rejected,
    RetryLater,
    Sender,
    Transient,
    Transport,
    parse_when,
)
from bot.domain.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, Translator, resolve_language
from bot.domain.regions import HOME_PROVINCE, children, normalize_code, region, short_name
from bot.runtime.services import Services
from handlers.context import BotContext
from handlers.flow import declare_flow
from handlers.ui import ack, rows, say
from storage.broadcasts import BroadcastRow

log = logging.getLogger(__name__)

CONTENT, AUDIENCE, AREA, CONFIRM, SCHEDULE = range(5)
DRAFT = "broadcast_draft"
SCHEDULER_TICK_SECONDS = 20.0
SENDER_POOL = 64


# --------------------------------------------------------------------------- Telegram transport


class TelegramSender:
    """Sends broadcast content with a plain Bot and turns Telegram's answers into `bot.domain.broadcast` errors."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, content: Content) -> int:
        try:
            if content.kind == "photo":
                message = await self.bot.send_photo(chat_id, content.photo or "", caption=content.body,
                                                    parse_mode=ParseMode.HTML)
            else:
                message = await self.bot.send_message(
                    chat_id, content.body or "", parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        except RetryAfter as exc:
            seconds = exc.retry_after
            raise RetryLater(seconds.total_seconds() if isinstance(seconds, dt.timedelta) else float(seconds)) from exc
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except BadRequest as exc:
            raise Rejected(exc.message) from exc
        except TimedOut as exc:
            # Connect/pool timeouts: the request never left. Read/write timeouts: it may have arrived.
            if isinstance(exc.__cause__, httpx.ConnectTimeout) or "Pool timeout" in exc.message:
                raise Transient(exc.message) from exc
            raise Ambiguous(exc.message or "timed out") from exc
        except NetworkError as exc:
            cause = exc.__cause__
            if cause is None or isinstance(cause, httpx.ConnectError):
                raise Transient(exc.message) from exc  # a 5xx answer, or no connection at all
            raise Ambiguous(exc.message) from exc  # the connection broke after the request went out
        except TelegramError as exc:
            raise Rejected(exc.message) from exc
        return message.message_id


@contextlib.asynccontextmanager
async def plain_bot_sender(application: Application) -> AsyncIterator[Sender]:
    """A Bot on the same API server without PTB's rate limiter (the job paces itself)."""
    app_bot = application.bot
    token = app_bot.token
    bot = Bot(
        token,
        base_url=app_bot.base_url.removesuffix(token),
        base_file_url=app_bot.base_file_url.removesuffix(token),
        request=HTTPXRequest(connection_pool_size=SENDER_POOL, read_timeout=20.0),
    )
    await bot.initialize()
    try:
        yield TelegramSender(bot)
    finally:
        await bot.shutdown()


def _translator_for(services: Services, language: str | None, tg_code: str | None = None) -> Translator:
    return services.translator(resolve_language(language, tg_code, services.config.default_language))


async def _admin_translator(services: Services, user_id: int) -> Translator:
    user = await services.users.get(user_id)
    return _translator_for(services, user.language if user else None, user.tg_language_code if user else None)


def _duration(t: Translator, seconds: float) -> str:
    return format_timedelta(dt.timedelta(seconds=max(1.0, seconds)), threshold=1.1, locale=t.babel_locale)


def job_controls(t: Translator, job_id: int, state: str) -> InlineKeyboardMarkup | None:
    _ = t.gettext
    stop = InlineKeyboardButton(_("⏹ Stop"), callback_data=f"bcjob:{job_id}:stop")
    if state == "running":
        return InlineKeyboardMarkup([[InlineKeyboardButton(_("⏸ Pause"), callback_data=f"bcjob:{job_id}:pause"),
                                      stop]])
    if state == "paused":
        return InlineKeyboardMarkup([[InlineKeyboardButton(_("▶️ Resume"), callback_data=f"bcjob:{job_id}:resume"),
                                      stop]])
    if state == "scheduled":
        return InlineKeyboardMarkup([[InlineKeyboardButton(_("✖️ Cancel broadcast"),
                                                           callback_data=f"bcjob:{job_id}:stop")]])
    return None


def progress_text(t: Translator, job: BroadcastRow, progress: Progress) -> str:
    _ = t.gettext
    audience = Audience(job.audience_kind, job.audience_value).describe(t)
    titles = {
        "running": _("📣 Broadcast #{id}: sending"),
        "paused": _("⏸ Broadcast #{id}: paused"),
        "scheduled": _("🕒 Broadcast #{id}: scheduled"),
        "stopped": _("⏹ Broadcast #{id}: stopped"),
        "done": _("✅ Broadcast #{id}: finished"),
    }
    lines = [titles.get(progress.state, titles["running"]).format(id=job.id), _("To: {audience}").format(
        audience=audience)]
    if progress.state == "scheduled" and job.scheduled_at is not None:
        lines.append(_("At: {when}").format(when=t.datetime(job.scheduled_at)))
        return "\n".join(lines)
    total = max(progress.total, 0)
    percent = t.percent(progress.handled / total) if total else t.percent(1.0)
    lines.append(_("Sent {sent} of {total} ({percent})").format(
        sent=t.number(progress.sent), total=t.number(total), percent=percent))
    if progress.state == "running" and progress.rate > 0:
        line = _("Speed: {rate}/s").format(rate=t.number(round(progress.rate, 1)))
        if progress.eta_seconds is not None:
            line += " · " + _("about {time} left").format(time=_duration(t, progress.eta_seconds))
        lines.append(line)
    return "\n".join(lines)


def report_controls(t: Translator, job_id: int, counts: dict[str, int]) -> InlineKeyboardMarkup | None:
    """After a crash left some recipients unsure, offer to resend to them (they may get it twice)."""
    if not counts.get("unknown"):
        return None
    label = t.gettext("🔁 Resend to the unsure ({n})").format(n=t.number(counts["unknown"]))
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"bcjob:{job_id}:resend")]])


def report_text(t: Translator, job: BroadcastRow, progress: Progress) -> str:
    _ = t.gettext
    c = progress.counts
    lines = [
        (_("✅ Broadcast #{id} finished.") if progress.state == "done" else _("⏹ Broadcast #{id} stopped.")).format(
            id=job.id),
        _("Sent: {n}").format(n=t.number(c["sent"])),
        _("Blocked the bot: {n}").format(n=t.number(c["blocked"])),
        _("Failed: {n}").format(n=t.number(c["failed"])),
    ]
    if c["unknown"]:
        lines.append(_("Unsure (the sender stopped mid-send; not resent): {n}").format(n=t.number(c["unknown"])))
    if progress.remaining:
        lines.append(_("Not sent (stopped): {n}").format(n=t.number(progress.remaining)))
    if job.started_at is not None and job.finished_at is not None:
        lines.append(_("Time: {time}").format(time=_duration(t, (job.finished_at - job.started_at).total_seconds())))
    return "\n".join(lines)


class ProgressMessages:
    """The admin's progress message: sent once, then edited; the final report as a new message."""

    def __init__(self, application: Application, services: Services) -> None:
        self.application = application
        self.services = services

    async def update(self, job: BroadcastRow, progress: Progress) -> None:
        t = await _admin_translator(self.services, job.created_by)
        await self._show(job, progress_text(t, job, progress), job_controls(t, job.id, progress.state))

    async def finished(self, job: BroadcastRow, progress: Progress) -> None:
        t = await _admin_translator(self.services, job.created_by)
        await self._show(job, progress_text(t, job, progress), None)
        await self.application.bot.send_message(job.created_by, report_text(t, job, progress),
                                                reply_markup=report_controls(t, job.id, progress.counts))

    async def _show(self, job: BroadcastRow, text: str, markup: InlineKeyboardMarkup | None) -> None:
        bot = self.application.bot
        if job.progress_message_id is not None and job.progress_chat_id is not None:
            try:
                await bot.edit_message_text(text, chat_id=job.progress_chat_id, message_id=job.progress_message_id,
                                            reply_markup=markup)
                return
            except BadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.warning("broadcast %d: progress message cannot be edited (%s); sending a new one",
                            job.id, exc.message)
        message = await bot.send_message(job.created_by, text, reply_markup=markup)
        await self.services.broadcasts.repo.set_progress_message(job.id, message.chat_id, message.message_id)


def ensure_transport(application: Application) -> BroadcastService:
    """Attach this Application's transport to the broadcast service (once per Application)."""
    services: Services = application.services  # type: ignore[attr-defined]
    service = services.broadcasts
    owner = getattr(service.transport, "owner", None)
    if owner is not application:

        def spawn(coro: Coroutine[Any, Any, None]) -> Any:
            return application.create_task(coro, name="broadcast")

        transport = Transport(
            open_sender=lambda: plain_bot_sender(application),
            progress=ProgressMessages(application, services),
            spawn=spawn,
            is_stopping=lambda: not application.running,
        )
        transport.owner = application  # type: ignore[attr-defined]
        service.attach(transport)
    return service


async def on_start(context: BotContext) -> None:
    """JobQueue, once at start: resume jobs that were running when the process stopped."""
    service = ensure_transport(context.application)
    resumed = await service.resume_running()
    if resumed:
        log.info("resumed broadcasts %s", resumed)


async def scheduler_tick(context: BotContext) -> None:
    """JobQueue, every few seconds: start scheduled broadcasts whose time has come."""
    await ensure_transport(context.application).start_due()


# --------------------------------------------------------------------------- compose conversation


async def _deny(update: Update, context: BotContext) -> None:
    await ack(update)
    await say(update, context, context.i18n.gettext("Sorry, this is for admins only."))


async def _is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and context.actor.is_admin


def _draft(context: BotContext) -> dict[str, Any]:
    draft = context.user_data.setdefault(DRAFT, {})  # type: ignore[union-attr]
    assert isinstance(draft, dict)
    return draft


async def compose(update: Update, context: BotContext) -> int:
    if not await _is_admin(update, context):
        await _deny(update, context)
        return ConversationHandler.END
    context.user_data[DRAFT] = {}  # type: ignore[index]
    _ = context.i18n.gettext
    await say(update, context, _("📣 <b>New broadcast</b>\nSend the text (bold, links and so on are kept), "
                                 "or a photo with a caption.\n/batal to stop."))
    return CONTENT


async def content_received(update: Update, context: BotContext) -> int:
    if not await _is_admin(update, context):
        return ConversationHandler.END
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    if message.photo:
        draft.update(kind="photo", photo=message.photo[-1].file_id, body=message.caption_html or None)
    else:
        draft.update(kind="text", photo=None, body=message.text_html)
    return await ask_audience(update, context)


async def content_invalid(update: Update, context: BotContext) -> int:
    await say(update, context, context.i18n.gettext("Please send a text or a photo (with a caption if you like)."))
    return CONTENT


def audience_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t.gettext(label), callback_data=f"bc:aud:{kind}") for kind, label in KINDS.items()]
    return InlineKeyboardMarkup(rows(buttons))


async def ask_audience(update: Update, context: BotContext) -> int:
    _ = context.i18n.gettext
    await say(update, context, _("Who should get it?"), audience_keyboard(context.i18n))
    return AUDIENCE


async def audience_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    if not await _is_admin(update, context):
        return ConversationHandler.END
    kind = query.data.rsplit(":", 1)[1]
    _ = context.i18n.gettext
    draft = _draft(context)
    if kind in AREA_LEVELS:
        draft["area_kind"] = kind
        return await show_areas(update, context, HOME_PROVINCE)
    if kind == "language":
        buttons = [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"bc:lang:{code}")
                   for code in SUPPORTED_LANGUAGES]
        await say(update, context, _("Which language?"), InlineKeyboardMarkup([buttons]))
        return AUDIENCE
    if kind not in KINDS:
        return AUDIENCE
    return await audience_ready(update, context, Audience(kind))


async def language_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    code = query.data.rsplit(":", 1)[1]
    if not await _is_admin(update, context) or code not in SUPPORTED_LANGUAGES:
        return AUDIENCE
    return await audience_ready(update, context, Audience("language", code))


async def show_areas(update: Update, context: BotContext, parent: str) -> int:
    _ = context.i18n.gettext
    kind = _draft(context).get("area_kind", "kecamatan")
    options = children(parent)
    buttons = [InlineKeyboardButton(short_name(r), callback_data=f"bc:area:{r.code}") for r in options]
    prompts = {2: _("Choose the kabupaten/kota:"), 3: _("Choose the kecamatan:"), 4: _("Choose the desa/kelurahan:")}
    prompt = prompts.get(options[0].level if options else AREA_LEVELS[kind], prompts[AREA_LEVELS[kind]])
    hint = _("(or type the region code, e.g. 64.08.01)")
    await say(update, context, prompt + "\n" + hint, InlineKeyboardMarkup(rows(buttons)))
    return AREA


async def area_picked(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    if not await _is_admin(update, context):
        return ConversationHandler.END
    return await _area_code(update, context, query.data.split(":", 2)[2])


async def area_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    return await _area_code(update, context, message.text.strip())


async def _area_code(update: Update, context: BotContext, text: str) -> int:
    _ = context.i18n.gettext
    kind = _draft(context).get("area_kind", "kecamatan")
    code = normalize_code(text)
    found = region(code) if code else None
    if found is None or found.level > AREA_LEVELS[kind]:
        await say(update, context, _("I don't know that region code. Pick a button or type a code like 64.08.01."))
        return AREA
    if found.level < AREA_LEVELS[kind]:
        return await show_areas(update, context, found.code)
    try:
        audience = Audience(kind, found.code)
    except AudienceError:
        await say(update, context, _("I don't know that region code. Pick a button or type a code like 64.08.01."))
        return AREA
    return await audience_ready(update, context, audience)


async def audience_ready(update: Update, context: BotContext, audience: Audience) -> int:
    draft = _draft(context)
    draft.update(audience_kind=audience.kind, audience_value=audience.value)
    return await show_preview(update, context)


def _draft_objects(draft: dict[str, Any]) -> Draft | None:
    try:
        content = Content(str(draft["kind"]), draft.get("body"), draft.get("photo"))
        audience = Audience(str(draft["audience_kind"]), draft.get("audience_value"))
    except (KeyError, AudienceError):
        return None
    return Draft(content, audience)


async def show_preview(update: Update, context: BotContext) -> int:
    _ = context.i18n.gettext
    found = _draft_objects(_draft(context))
    chat = update.effective_chat
    if found is None or chat is None:
        return await compose(update, context)
    await say(update, context, _("Preview — recipients will see exactly this:"))
    await TelegramSender(context.bot).send(chat.id, found.content)
    count = await context.services.broadcasts.count(found.audience)
    text = "\n".join([
        _("To: {audience}").format(audience=found.audience.describe(context.i18n)),
        _("Recipients: {n}").format(n=context.i18n.number(count)),
    ])
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("📤 Send"), callback_data="bc:send"),
         InlineKeyboardButton(_("🕒 Schedule"), callback_data="bc:schedule")],
        [InlineKeyboardButton(_("✖️ Cancel"), callback_data="bc:cancel")],
    ])
    await say(update, context, text, keyboard)
    return CONFIRM


async def _remove_buttons(update: Update) -> None:
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=None)


async def send_now(update: Update, context: BotContext) -> int:
    await ack(update)
    if not await _is_admin(update, context):
        return ConversationHandler.END
    found = _draft_objects(_draft(context))
    if found is None:
        return await compose(update, context)
    await _remove_buttons(update)
    assert update.effective_user is not None
    service = ensure_transport(context.application)
    job_id = await service.create(update.effective_user.id, found)
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    log.info("broadcast %d started by an admin", job_id)
    return ConversationHandler.END


def schedule_keyboard(t: Translator) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("In 1 hour"), callback_data="bc:at:hour"),
         InlineKeyboardButton(_("Tomorrow 08:00"), callback_data="bc:at:tomorrow")],
        [InlineKeyboardButton(_("✖️ Cancel"), callback_data="bc:cancel")],
    ])


async def ask_schedule(update: Update, context: BotContext) -> int:
    await ack(update)
    if not await _is_admin(update, context):
        return ConversationHandler.END
    await _remove_buttons(update)
    _ = context.i18n.gettext
    await say(update, context, _("When? Type the date and time in WITA, e.g. <code>25/11 08:00</code>, "
                                 "or tap a button."), schedule_keyboard(context.i18n))
    return SCHEDULE


async def schedule_quick(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    await ack(update)
    services = context.services
    now = services.clock.now()
    when: dt.datetime | None = now + dt.timedelta(hours=1)
    if query.data.endswith("tomorrow"):
        when = parse_when("besok 08:00", now, services.config.tz)
    assert when is not None
    return await _schedule(update, context, when)


async def schedule_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    _ = context.i18n.gettext
    now = services.clock.now()
    when = parse_when(message.text, now, services.config.tz)
    if when is None:
        await say(update, context, _("I couldn't read that time. Please write it like <code>25/11 08:00</code> "
                                     "(WITA)."), schedule_keyboard(context.i18n))
        return SCHEDULE
    if when <= now:
        await say(update, context, _("That time has already passed. Please pick a time in the future."),
                  schedule_keyboard(context.i18n))
        return SCHEDULE
    return await _schedule(update, context, when)


async def _schedule(update: Update, context: BotContext, when: dt.datetime) -> int:
    if not await _is_admin(update, context):
        return ConversationHandler.END
    found = _draft_objects(_draft(context))
    if found is None:
        return await compose(update, context)
    await _remove_buttons(update)
    assert update.effective_user is not None
    service = ensure_transport(context.application)
    job_id = await service.create(update.effective_user.id, found, scheduled_at=when)
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    _ = context.i18n.gettext
    text = _("🕒 Broadcast #{id} is scheduled for {when}.").format(id=job_id, when=context.i18n.datetime(when))
    await say(update, context, text + "\n" + _("Change your mind? /siaran_status"),
              job_controls(context.i18n, job_id, "scheduled"))
    return ConversationHandler.END


async def cancel_draft(update: Update, context: BotContext) -> int:
    from handlers.flow import cancel

    await _remove_buttons(update)
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    return await cancel(update, context)


# --------------------------------------------------------------------------- job status and controls


async def status(update: Update, context: BotContext) -> None:
    if not await _is_admin(update, context):
        await _deny(update, context)
        return
    service = ensure_transport(context.application)
    t = context.i18n
    _ = t.gettext
    jobs = await service.repo.recent(5)
    if not jobs:
        await say(update, context, _("No broadcasts yet. Start one with /siaran."))
        return
    for job in reversed(jobs):
        found = await service.progress(job.id)
        if found is None:
            continue
        job, progress = found
        text = progress_text(t, job, progress)
        if job.state in ("done", "stopped"):
            text = report_text(t, job, progress)
        await say(update, context, text, job_controls(t, job.id, job.state))


async def job_control(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    if not await _is_admin(update, context):
        await _deny(update, context)
        return
    _ = context.i18n.gettext
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        await ack(update)
        return
    job_id, action = int(parts[1]), parts[2]
    service = ensure_transport(context.application)
    actions = {"pause": service.pause, "resume": service.resume, "stop": service.stop,
               "resend": service.resend_unsure}
    if action not in actions or not await actions[action](job_id):
        await query.answer(_("That is no longer possible."))
        return
    answers = {"pause": _("Paused."), "resume": _("Sending again."), "stop": _("Stopped."),
               "resend": _("Resending to the unsure ones.")}
    await query.answer(answers[action])
    if action == "resend":  # the report stays as it was; progress and a new report follow
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=None)
        return
    job = await service.repo.get(job_id)
    if job is not None and isinstance(query.message, Message) and job.state in ("paused", "running") and (
        job.progress_message_id != query.message.message_id
    ):
        found = await service.progress(job_id)
        if found is not None:
            await query.edit_message_text(progress_text(context.i18n, *found),
                                          reply_markup=job_controls(context.i18n, job_id, job.state))
    elif job is not None and job.state == "stopped" and isinstance(query.message, Message) and (
        job.progress_message_id != query.message.message_id
    ):
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=None)


# --------------------------------------------------------------------------- hooks and wiring


def _register_hooks(services: Services) -> None:
    forget = services.broadcasts.repo.forget_user
    if forget not in services.erase_hooks:
        services.erase_hooks.append(forget)


def conversation(application: Application) -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    return declare_flow(
        application,
        "broadcast",
        entry_points=[CommandHandler(["siaran", "broadcast"], compose)],
        steps={
            CONTENT: [MessageHandler((text | filters.PHOTO), content_received),
                      MessageHandler(~filters.COMMAND, content_invalid)],
            AUDIENCE: [CallbackQueryHandler(audience_chosen, pattern=r"^bc:aud:"),
                       CallbackQueryHandler(language_chosen, pattern=r"^bc:lang:")],
            AREA: [CallbackQueryHandler(area_picked, pattern=r"^bc:area:"), MessageHandler(text, area_typed)],
            CONFIRM: [CallbackQueryHandler(send_now, pattern=r"^bc:send$"),
                      CallbackQueryHandler(ask_schedule, pattern=r"^bc:schedule$")],
            SCHEDULE: [CallbackQueryHandler(schedule_quick, pattern=r"^bc:at:"), MessageHandler(text, schedule_typed)],
        },
        fallbacks=[CallbackQueryHandler(cancel_draft, pattern=r"^bc:cancel$")],
    )


def register(application: Application) -> None:
    services: Services = application.services  # type: ignore[attr-defined]
    _register_hooks(services)
    application.add_handler(CallbackQueryHandler(job_control, pattern=r"^bcjob:"))
    application.add_handler(CommandHandler(["siaran_status", "broadcast_status"], status))
    application.add_handler(conversation(application))
    if application.job_queue is not None:
        application.job_queue.run_once(on_start, when=0, name="broadcast-resume")
        application.job_queue.run_repeating(scheduler_tick, interval=SCHEDULER_TICK_SECONDS,
                                            first=SCHEDULER_TICK_SECONDS, name="broadcast-scheduler")
