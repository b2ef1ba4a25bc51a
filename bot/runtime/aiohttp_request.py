"""A python-telegram-bot request class on aiohttp, a drop-in for PTB's `HTTPXRequest`.

Why: per Bot API call, httpx/httpcore cost about a millisecond of CPU on this bot's hot path (issue 16);
aiohttp's client is leaner, and the project already depends on aiohttp (the test double, webhooks).

Semantics follow `HTTPXRequest` (same constructor arguments and defaults, same per-call overrides):

- ``connect_timeout``: establishing the TCP connection (aiohttp ``sock_connect``).
- ``read_timeout``: waiting for answer bytes (aiohttp ``sock_read``: time between reads, as httpx's read).
- ``pool_timeout``: waiting for a free connection slot when ``connection_pool_size`` requests are in flight;
  enforced here with a semaphore so that it raises `TimedOut` with PTB's own "Pool timeout" message and a
  `PoolTimeout` cause (the request was never sent, so `bot.runtime.resilience` may retry it).
- ``write_timeout``: aiohttp has no per-write timeout; sending is bounded instead by an overall deadline of
  connect + write + read (when all three are finite). Uploads (``multipart_data``) default to
  ``media_write_timeout`` as in PTB.
- ``proxy``: an ``http://`` proxy URL (aiohttp has no SOCKS support without the ``aiohttp-socks`` package:
  a ``socks*://`` URL is refused at construction). Like httpx, ``HTTP(S)_PROXY``/``NO_PROXY`` from the
  environment are honoured when no proxy is given (``trust_env``).
- ``http_version``: accepted for compatibility and ignored; aiohttp speaks HTTP/1.1 only (so does PTB by
  default). "2"/"2.0" log a warning and use HTTP/1.1.

Errors: time-outs become `telegram.error.TimedOut`, any other transport failure `telegram.error.NetworkError`
("aiohttp.<ExceptionClass>: …"), each with the aiohttp exception as ``__cause__``. HTTP error statuses are not
errors here: PTB's `BaseRequest` turns the answer (429 with retry_after, 5xx, …) into its exceptions.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import HTTPVersion, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

_POOL_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent to Telegram. "
    "Consider adjusting the connection pool size or the pool timeout."
)


class PoolTimeout(TimeoutError):
    """No connection slot became free within ``pool_timeout``: the request was not sent."""


# Causes meaning the request never left this machine (a retry cannot do anything twice); see resilience.py.
NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, PoolTimeout,
)  # fmt: skip


class AiohttpRequest(BaseRequest):
    """`telegram.request.BaseRequest` on one `aiohttp.ClientSession` (see the module doc for semantics)."""

    __slots__ = (
        "_connect_timeout", "_http_version", "_media_write_timeout", "_pool_size", "_pool_timeout", "_proxy",
        "_read_timeout", "_session", "_slots", "_timeouts", "_write_timeout",
    )  # fmt: skip

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        http_version: HTTPVersion = "1.1",
        proxy: str | None = None,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if http_version not in ("1.1", "2", "2.0"):
            raise ValueError("`http_version` must be either '1.1', '2.0' or '2'.")
        if http_version != "1.1":
            log.warning("aiohttp speaks HTTP/1.1 only: http_version=%s is ignored", http_version)
        if proxy is not None and not proxy.lower().startswith(("http://", "https://")):
            raise ValueError("AiohttpRequest supports http(s):// proxies only; use HTTP_TRANSPORT=httpx for SOCKS")
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._http_version = http_version
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}

    def sibling(self, *, connection_pool_size: int, read_timeout: float | None) -> AiohttpRequest:
        """A new request with these settings and this one's proxy and other timeouts (the broadcast sender's
        own Bot uses it: handlers may not import this module)."""
        return AiohttpRequest(
            connection_pool_size=connection_pool_size, read_timeout=read_timeout, write_timeout=self._write_timeout,
            connect_timeout=self._connect_timeout, pool_timeout=self._pool_timeout, http_version=self._http_version,
            proxy=self._proxy, media_write_timeout=self._media_write_timeout,
        )

    @property
    def http_version(self) -> str:
        """The requested HTTP version (always spoken as 1.1, see the module doc)."""
        return self._http_version

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds it to getUpdates' long-poll timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (needs a running loop, hence not in ``__init__``)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0, enable_cleanup_closed=True)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None),
                headers={"User-Agent": self.USER_AGENT},
                trust_env=self._proxy is None,
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies: skip the jar on every call
            )
            self._slots = asyncio.Semaphore(self._pool_size)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP request; (status, body) for any HTTP answer, TimedOut/NetworkError otherwise."""
        if self._session is None or self._session.closed or self._slots is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        else:
            write = write_timeout
        data = _body(request_data, files)
        try:
            await self._acquire(self._slots, pool)
            try:
                deadline = None if None in (connect, write, read) else connect + write + read  # type: ignore[operator]
                async with asyncio.timeout(deadline), self._session.request(
                    method, url, data=data, timeout=self._timeout(connect, read), proxy=self._proxy
                ) as response:
                    body = await response.read()
                    if log.isEnabledFor(logging.DEBUG):  # like httpx's line; the token is masked by the filter
                        log.debug('HTTP Request: %s %s "HTTP/1.1 %s %s"', method, url, response.status,
                                  response.reason)
                    return response.status, body
            finally:
                self._slots.release()
        except TimeoutError as error:
            raise (TimedOut(_POOL_MESSAGE) if isinstance(error, PoolTimeout) else TimedOut()) from error
        except (aiohttp.ClientError, OSError) as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    @staticmethod
    async def _acquire(slots: asyncio.Semaphore, timeout: float | None) -> None:
        if not slots.locked():
            await slots.acquire()  # free: returns at once
            return
        try:
            async with asyncio.timeout(timeout):
                await slots.acquire()
        except TimeoutError:
            raise PoolTimeout(_POOL_MESSAGE) from None

    def _timeout(self, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        """A cached ClientTimeout per (connect, read): building one per call costs measurable CPU."""
        key = (connect, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            if len(self._timeouts) > 64:
                self._timeouts.clear()
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        return timeout


def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> Any:
    """A form (url-encoded, as httpx sends PTB's parameters) or, with files, a multipart form."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields or None
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *rest = part
        content_type = rest[0] if rest else None
        form.add_field(name, content, filename=filename, content_type=content_type)
    return form


def build_request(transport: str, *, for_updates: bool = False) -> BaseRequest:
    """The request object for `HTTP_TRANSPORT` ("aiohttp" or "httpx"), sized like PTB's ApplicationBuilder
    defaults: 256 connections for API calls, 1 for the getUpdates long poll."""
    pool_size = 1 if for_updates else 256
    if transport == "httpx":
        from telegram.request import HTTPXRequest

        return HTTPXRequest(connection_pool_size=pool_size)
    if transport == "aiohttp":
        return AiohttpRequest(connection_pool_size=pool_size)
    raise ValueError(f"unknown HTTP transport {transport!r}: use aiohttp or httpx")
