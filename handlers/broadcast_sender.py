"""The Telegram side of a broadcast: a `Sender` on a plain `telegram.Bot` (no PTB rate limiter: the job paces
itself), the admin's progress message, and the transport that lends both to `BroadcastService`."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any, cast

import aiohttp
import httpx
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, HTTPXRequest

from bot.domain.broadcast import (
    Ambiguous,
    Blocked,
    BroadcastRow,
    BroadcastService,
    Content,
    Progress,
    Rejected,
    RetryLater,
    Sender,
    Transient,
    Transport,
)
from bot.domain.i18n import Translator, resolve_language
from bot.domain.services import Services
from handlers.announcements import stop_markup
from handlers.broadcast_views import job_controls, progress_text, report_controls, report_text
from handlers.context import HasServices

log = logging.getLogger(__name__)

SENDER_POOL = 64
# Transport causes (httpx or aiohttp, see bot/runtime/aiohttp_request.py) meaning the request never left.
_CONNECT_TIMEOUTS = (httpx.ConnectTimeout, aiohttp.ConnectionTimeoutError)
_CONNECT_ERRORS = (httpx.ConnectError, aiohttp.ClientConnectorError)


class TelegramSender:
    """Sends broadcast content with a plain Bot and turns Telegram's answers into `bot.domain.broadcast` errors."""

    def __init__(self, bot: Bot, markup: InlineKeyboardMarkup | None = None) -> None:
        self.bot = bot
        self.markup = markup  # under every message: 🔕 stop announcements (handlers/announcements.py)

    async def send(self, chat_id: int, content: Content) -> int:
        try:
            if content.kind == "photo":
                message = await self.bot.send_photo(chat_id, content.photo or "", caption=content.body,
                                                    parse_mode=ParseMode.HTML, reply_markup=self.markup)
            else:
                message = await self.bot.send_message(
                    chat_id, content.body or "", parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True), reply_markup=self.markup,
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
            if isinstance(exc.__cause__, _CONNECT_TIMEOUTS) or "Pool timeout" in exc.message:
                raise Transient(exc.message) from exc
            raise Ambiguous(exc.message or "timed out") from exc
        except NetworkError as exc:
            cause = exc.__cause__
            if cause is None or isinstance(cause, _CONNECT_ERRORS):
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
        request=_sender_request(app_bot.request),
    )
    await bot.initialize()
    services = cast(HasServices, application).services
    try:
        yield TelegramSender(bot, stop_markup(services.translator(services.config.default_language)))
    finally:
        await bot.shutdown()


def _sender_request(app_request: BaseRequest) -> BaseRequest:
    """A request of the same transport as the Application's (HTTP_TRANSPORT), sized for the broadcast sender:
    the aiohttp request offers `sibling`; anything else gets PTB's httpx request as before."""
    sibling = getattr(app_request, "sibling", None)
    if callable(sibling):
        return cast(BaseRequest, sibling(connection_pool_size=SENDER_POOL, read_timeout=20.0))
    return HTTPXRequest(connection_pool_size=SENDER_POOL, read_timeout=20.0)


async def _admin_translator(services: Services, user_id: int) -> Translator:
    user = await services.users.get(user_id)
    language = resolve_language(user.language if user else None, user.tg_language_code if user else None,
                                services.config.default_language)
    return services.translator(language)


class ProgressMessages:
    """The admin's progress message: sent once, then edited (only when what it shows changed: Telegram refuses
    an edit to the same text, and each one counts against the bot's rate); the final report as a new message."""

    def __init__(self, application: Application, services: Services) -> None:
        self.application = application
        self.services = services
        self._shown: dict[int, tuple[str, object]] = {}  # job id → (text, markup) last shown

    async def update(self, job: BroadcastRow, progress: Progress) -> None:
        t = await _admin_translator(self.services, job.created_by)
        await self._show(job, progress_text(t, job, progress), job_controls(t, job.id, progress.state))

    async def finished(self, job: BroadcastRow, progress: Progress) -> None:
        t = await _admin_translator(self.services, job.created_by)
        await self._show(job, progress_text(t, job, progress), None)
        self._shown.pop(job.id, None)
        await self.application.bot.send_message(job.created_by, report_text(t, job, progress),
                                                reply_markup=report_controls(t, job.id, progress.counts))

    async def _show(self, job: BroadcastRow, text: str, markup: InlineKeyboardMarkup | None) -> None:
        bot = self.application.bot
        shown = (text, markup.to_dict() if markup is not None else None)
        if job.progress_message_id is not None and job.progress_chat_id is not None:
            if self._shown.get(job.id) == shown:
                return
            try:
                await bot.edit_message_text(text, chat_id=job.progress_chat_id, message_id=job.progress_message_id,
                                            reply_markup=markup)
                self._shown[job.id] = shown
                return
            except BadRequest as exc:
                if "not modified" in exc.message:
                    self._shown[job.id] = shown
                    return
                log.warning("broadcast %d: progress message cannot be edited (%s); sending a new one",
                            job.id, exc.message)
        message = await bot.send_message(job.created_by, text, reply_markup=markup)
        self._shown[job.id] = shown
        await self.services.broadcasts.set_progress_message(job.id, message.chat_id, message.message_id)


def ensure_transport(application: Application) -> BroadcastService:
    """Attach this Application's transport to the broadcast service (once per Application)."""
    services = cast(HasServices, application).services
    service = services.broadcasts
    if service.transport is None or service.transport.owner is not application:

        def spawn(coro: Coroutine[Any, Any, None]) -> Any:
            return application.create_task(coro, name="broadcast")

        service.attach(Transport(
            open_sender=lambda: plain_bot_sender(application),
            progress=ProgressMessages(application, services),
            spawn=spawn,
            is_stopping=lambda: not application.running,
            owner=application,
        ))
    return service
