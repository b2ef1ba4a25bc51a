"""Prometheus metrics for one Application, on a registry of its own.

Why a registry per Application (not prometheus-client's global one): tests, benchmarks and the console build
several Applications in one process; with the global registry the second would fail with "Duplicated
timeseries" and each would count the others' updates. `metrics_for(application)` gives the Application's
`Metrics` (made on first use); `/metrics` (bot/runtime/webhook.py) renders it.

Label cardinality stays bounded whatever users send: an update's `handler` label is a command the
Application registered (`cmd:start`; any other command is `cmd:other`), a registered callback-data prefix
(`button:fu:o`; forged data is `button:?`) or the kind of update (`text`, `document`, `edited_message` …).

Who reports what:
- updates handled / failed and their latency: `instrumented` on `JagaKerjaApplication.process_update`
  (failures: an error handler this module adds, counting the errors PTB hands to error handlers);
- the inbox (bot/runtime/inbox.py): `set_inbox(depth, oldest_age_s)` whenever it knows;
- broadcasts: progress is read from the database at each scrape (`refresh_broadcasts`, so every process
  shows the same, right figures); send errors through `send_error(kind)`;
- roster imports: `roster_progress(phase, done, total)`, the shape of `bot.domain.roster.Progress`
  (`observe_roster` wraps such a callback).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Literal, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

from handlers.callbacks import prefix_of

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
SendErrorKind = Literal["retry_after", "forbidden", "bad_request", "network", "other"]
SEND_ERROR_KINDS: tuple[SendErrorKind, ...] = ("retry_after", "forbidden", "bad_request", "network", "other")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_MESSAGE_KINDS = ("text", "document", "photo", "contact", "location", "sticker", "voice", "video")
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)")
ROSTER_PHASES = ("validate", "write", "apply", "undo")  # bot.domain.roster's phases (bounded label)
BROADCASTS_SHOWN = 5  # the most recent jobs exported at a scrape (bounded `job` label)

F = TypeVar("F", bound=Callable[..., Awaitable[None]])


class Metrics:
    """Every metric of one Application, registered on `self.registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("jagakerja_updates_handled_total", "Updates handled, by handler", ["handler"],
                               registry=r)
        self.failures = Counter("jagakerja_updates_failed_total",
                                "Updates whose handler raised (the error handler ran), by handler", ["handler"],
                                registry=r)
        self.latency = Histogram("jagakerja_update_seconds", "Time to handle one update (persistence included)",
                                 ["handler"], buckets=LATENCY_BUCKETS, registry=r)
        self.in_flight = Gauge("jagakerja_updates_in_flight", "Updates being handled now", registry=r)
        self.inbox_depth = Gauge("jagakerja_inbox_depth", "Updates stored and not yet handled", registry=r)
        self.inbox_age = Gauge("jagakerja_inbox_oldest_age_seconds",
                               "Age of the oldest update not yet handled (0 when none)", registry=r)
        self.broadcast = Gauge("jagakerja_broadcast_recipients",
                               "Recipients of the most recent broadcasts by state (sent, failed, open, total)",
                               ["job", "state"], registry=r)
        self.send_errors = Counter("jagakerja_send_errors_total", "Failed sends to Telegram, by kind", ["kind"],
                                   registry=r)
        self.roster = Gauge("jagakerja_roster_import_rows",
                            "Rows of the running roster import: done and total per phase",
                            ["phase", "what"], registry=r)
        self.scrape_hooks: list[Callable[[Metrics], Awaitable[None]]] = []
        for kind in SEND_ERROR_KINDS:
            self.send_errors.labels(kind)  # present at 0 from the start: rate() needs the first sample
        self._commands: frozenset[str] | None = None

    # ------------------------------------------------------------------ updates

    def handler_label(self, update: object, application: Application[Any, Any, Any, Any, Any, Any] | None) -> str:
        """A bounded name for what will handle this update (see the module doc)."""
        if not isinstance(update, Update):
            return "other"
        if update.callback_query is not None:
            return f"button:{prefix_of(update.callback_query.data)}"
        if update.message is not None:
            message = update.message
            if message.text is not None:
                found = _COMMAND.match(message.text)
                if found:
                    name = found.group(1).lower()
                    return f"cmd:{name}" if name in self._known_commands(application) else "cmd:other"
                return "text"
            return next((kind for kind in _MESSAGE_KINDS if getattr(message, kind, None)), "message:other")
        for kind in ("edited_message", "my_chat_member", "chat_member", "inline_query", "pre_checkout_query"):
            if getattr(update, kind, None) is not None:
                return kind
        return "other"

    def _known_commands(self, application: Application[Any, Any, Any, Any, Any, Any] | None) -> frozenset[str]:
        if self._commands is None:
            if application is None:
                return frozenset()
            handlers = [h for group in application.handlers.values() for h in group]
            self._commands = frozenset(c.lower() for c in _commands_of(handlers))
        return self._commands

    @contextlib.asynccontextmanager
    async def track_update(
        self, update: object, application: Application[Any, Any, Any, Any, Any, Any] | None = None
    ) -> AsyncIterator[str]:
        """Count and time one update; yields its label. An exception escaping counts as a failure too."""
        label = self.handler_label(update, application)
        started = time.perf_counter()
        self.in_flight.inc()
        try:
            yield label
        except Exception:
            self.failures.labels(label).inc()
            raise
        finally:
            self.in_flight.dec()
            self.updates.labels(label).inc()
            self.latency.labels(label).observe(time.perf_counter() - started)

    # ------------------------------------------------------------------ inbox, broadcasts, roster

    def set_inbox(self, depth: int, oldest_age_s: float) -> None:
        """The durable inbox reports its backlog (call whenever it knows; cheap)."""
        self.inbox_depth.set(max(depth, 0))
        self.inbox_age.set(max(oldest_age_s, 0.0))

    def broadcast_progress(self, job_id: int, sent: int, failed: int, open_: int, total: int) -> None:
        for state, value in (("sent", sent), ("failed", failed), ("open", open_), ("total", total)):
            self.broadcast.labels(str(job_id), state).set(value)

    def send_error(self, kind: str) -> None:
        """One failed send to Telegram; an unknown kind counts as `other`."""
        self.send_errors.labels(kind if kind in SEND_ERROR_KINDS else "other").inc()

    async def roster_progress(self, phase: str, done: int, total: int | None) -> None:
        """Same shape as `bot.domain.roster.Progress`, so it can be passed (or chained) as one."""
        phase = phase if phase in ROSTER_PHASES else "other"
        self.roster.labels(phase, "done").set(done)
        if total is not None:
            self.roster.labels(phase, "total").set(total)

    # ------------------------------------------------------------------ exposition

    async def render(self) -> bytes:
        """The text exposition, after running the scrape hooks (each failure logged, never fatal)."""
        for hook in list(self.scrape_hooks):
            try:
                await hook(self)
            except Exception:
                log.exception("a metrics scrape hook failed")
        return generate_latest(self.registry)


def _commands_of(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> Iterable[str]:
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            yield from handler.commands
        elif isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks,
                      *(h for hs in handler.states.values() for h in hs)]
            yield from _commands_of(nested)


# ---------------------------------------------------------------------- one Metrics per Application

_ATTRIBUTE = "_jagakerja_metrics"


def metrics_for(application: Application[Any, Any, Any, Any, Any, Any]) -> Metrics:
    """This Application's metrics (made, with its failure-counting error handler, on first use).

    Kept as an attribute of the Application (JagaKerjaApplication has a __dict__), not in a module-level
    mapping: the scrape hooks refer back to the Application, so a mapping would keep every Application of a
    test run alive; as an attribute it is one cycle, collected with the Application."""
    found: Metrics | None = getattr(application, _ATTRIBUTE, None)
    if found is None:
        found = Metrics()
        setattr(application, _ATTRIBUTE, found)
        _install(application, found)
    return found


def _install(application: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics) -> None:
    async def count_failure(update: object, context: Any) -> None:
        if isinstance(update, Update):
            metrics.failures.labels(metrics.handler_label(update, application)).inc()
        if isinstance(getattr(context, "error", None), TelegramError):  # a send of a handler failed
            metrics.send_error(send_error_kind(context.error))

    # A new dict rather than add_error_handler: PTB iterates the dict while awaiting error handlers, and this
    # may run while another update's error is being handled.
    application.error_handlers = {**application.error_handlers, count_failure: True}
    metrics.scrape_hooks.append(lambda m: refresh_broadcasts(application, m))


def instrumented(method: F) -> F:
    """Decorates `Application.process_update`: counts and times every update through `metrics_for`."""

    @functools.wraps(method)
    async def wrapper(self: Application[Any, Any, Any, Any, Any, Any], update: object, *args: Any) -> None:
        async with metrics_for(self).track_update(update, self):
            await method(self, update, *args)

    return wrapper  # type: ignore[return-value]


async def refresh_broadcasts(application: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics) -> None:
    """Broadcast progress from the database (the truth for every process), the most recent jobs only."""
    services = getattr(application, "services", None)
    if services is None:
        return
    metrics.broadcast.clear()
    for job, progress in await services.broadcasts.recent(BROADCASTS_SHOWN):
        failed = sum(progress.counts.get(s, 0) for s in ("blocked", "failed", "unknown"))
        metrics.broadcast_progress(job.id, progress.sent, failed, progress.remaining, progress.total)


def send_error_kind(error: BaseException) -> SendErrorKind:
    """The `send_errors` kind of a telegram.error or a `bot.domain.broadcast.SendError`."""
    from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

    from bot.domain.broadcast import Ambiguous, Blocked, Rejected, RetryLater, Transient

    if isinstance(error, (RetryAfter, RetryLater)):
        return "retry_after"
    if isinstance(error, (Forbidden, Blocked)):
        return "forbidden"
    if isinstance(error, (BadRequest, Rejected)):
        return "bad_request"
    if isinstance(error, (NetworkError, Transient, Ambiguous)):
        return "network"
    return "other"


def observe_inbox(metrics: Metrics, stats: Callable[[], Awaitable[Any]]) -> None:
    """Refresh the inbox gauges at each scrape from `stats()` (an object with `depth` and `oldest`, an aware
    datetime or None: storage.inbox.InboxStats), so they are right whoever polls or receives."""

    async def hook(m: Metrics) -> None:
        found = await stats()
        oldest = found.oldest
        if oldest is not None and oldest.tzinfo is None:  # SQLite gives naive UTC
            oldest = oldest.replace(tzinfo=dt.UTC)
        age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest is not None else 0.0
        m.set_inbox(int(found.depth), age)

    metrics.scrape_hooks.append(hook)


def observe_broadcast_sends(application: Application[Any, Any, Any, Any, Any, Any], metrics: Metrics) -> None:
    """Count the broadcast senders' failures by kind: attaches this Application's broadcast transport now
    (handlers/broadcast_sender.py, as its first use would) and wraps the senders it opens. Call once at start."""
    from bot.domain.broadcast import Content, Sender, SendError
    from handlers.broadcast_sender import ensure_transport

    if getattr(application, "services", None) is None:
        return
    transport = ensure_transport(application).transport
    if transport is None or getattr(transport.open_sender, "counted", False):
        return
    opened = transport.open_sender

    class CountingSender:
        def __init__(self, inner: Sender) -> None:
            self.inner = inner

        async def send(self, chat_id: int, content: Content) -> int:
            try:
                return await self.inner.send(chat_id, content)
            except SendError as exc:
                metrics.send_error(send_error_kind(exc))
                raise

    @contextlib.asynccontextmanager
    async def open_sender() -> AsyncIterator[Sender]:
        async with opened() as sender:
            yield CountingSender(sender)

    open_sender.counted = True  # type: ignore[attr-defined]
    transport.open_sender = open_sender


def observe_roster(metrics: Metrics, inner: Callable[[str, int, int | None], Awaitable[None]] | None = None
                   ) -> Callable[[str, int, int | None], Awaitable[None]]:
    """A roster `Progress` callback that updates the gauges, then calls `inner` (e.g. the chat's progress)."""

    async def progress(phase: str, done: int, total: int | None) -> None:
        await metrics.roster_progress(phase, done, total)
        if inner is not None:
            await inner(phase, done, total)

    return progress
