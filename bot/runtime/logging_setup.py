"""Logging without personal data or secrets, at every level.

Records are scrubbed when they are created (a LogRecord factory), so every handler gets the same clean record:
our stderr handler, pytest's caplog, an operator's own. Three layers:

1. Structure: a Telegram object, a dict/list/tuple (Bot API parameters and results, getUpdates dumps, driver
   parameters) or a dataclass given as a log argument is rendered with every string replaced by its length
   (``<11 chars>``), except the fields in ``SAFE_FIELDS`` (types, language codes, file ids, callback data…).
   Typed texts, names, phone numbers, birth dates and NIKs in updates and in the bot's own messages are gone
   because of where they are, not because they look like a name.
2. Secrets: the bot token and DATA_KEY (``protect_secret``, called by ``build_application``) and anything shaped
   like a bot token are replaced in the message and the traceback (PTB's "Set Bot API URL", httpx's URLs).
3. Free text: long digit runs (NIK, phone) are masked in the message and traceback; the stderr handler also runs
   lokal-id's ``PersonalDataFilter`` on what remains (our own messages, exception texts).
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import functools
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from telegram import InputFile, TelegramObject

from bot.domain.privacy import PersonalDataFilter, mask_long_digits

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SECRET_MASK = "<secret>"
# String fields of Telegram objects / Bot API parameters that never hold what a person typed or who they are.
SAFE_FIELDS = frozenset({
    "type", "language_code", "parse_mode", "mime_type", "file_id", "file_unique_id", "file_path", "data",
    "callback_data", "chat_instance", "id", "inline_message_id", "media_group_id", "status", "allowed_updates",
    "description", "emoji", "command", "method", "endpoint", "state", "action",
})
_TOKEN_SHAPE = re.compile(r"\b\d{5,20}:[A-Za-z0-9_-]{30,}")
_MAX_DEPTH = 12

_secrets: tuple[str, ...] = ()  # replaced as a whole (records are also made in driver threads); longest first
_install_lock = threading.Lock()
_previous_factory: Callable[..., logging.LogRecord] | None = None


def protect_secret(value: str | None) -> None:
    """Never let this value (nor its URL-encoded form) reach a log record; installs the scrubbing."""
    global _secrets
    install_scrubbing()
    if value and len(value) >= 6:
        known = set(_secrets) | {value, quote(value, safe=""), quote(value)}
        _secrets = tuple(sorted(known, key=len, reverse=True))


def install_scrubbing() -> None:
    """Scrub every LogRecord as it is created (idempotent)."""
    global _previous_factory
    with _install_lock:
        if _previous_factory is not None:
            return
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_scrubbed_record)


def _scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous_factory is not None
    record = _previous_factory(*args, **kwargs)
    scrub_record(record)
    return record


def scrub_record(record: logging.LogRecord) -> None:
    """Render the arguments structurally, format the message, mask secrets and long digit runs (in place)."""
    if record.args:
        raw = record.args
        rendered: Any
        if isinstance(raw, Mapping):  # one dict argument: "%(name)s" fields, or the dict itself for "%s"
            named = "%(" in str(record.msg)
            rendered = {k: render_arg(v) for k, v in raw.items()} if named else render_arg(raw)
        else:
            rendered = tuple(render_arg(a) for a in raw)
        try:
            message = str(record.msg) % rendered
        except (TypeError, ValueError, KeyError):
            message = f"{record.msg} [arguments not shown: they do not fit the format]"
        record.msg, record.args = message, None
    elif not isinstance(record.msg, str):
        record.msg = render_arg(record.msg)
    record.msg = scrub_text(str(record.msg))
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub_text(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub_text(record.stack_info)


def scrub_text(text: str) -> str:
    """Secrets and token-shaped strings replaced, long digit runs (NIK, phone) masked."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, SECRET_MASK)
    return mask_long_digits(_TOKEN_SHAPE.sub(SECRET_MASK, text))


def render_arg(value: Any) -> Any:
    """A log argument as it may be printed: containers and objects structurally scrubbed, scalars as they are."""
    if value is None or isinstance(value, (str, int, float, bool, BaseException)):
        return value
    if isinstance(value, TelegramObject):
        return f"{type(value).__name__}({_dump(scrub_data(value.to_dict()))})"
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return _dump(scrub_data(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__name__}({_dump(scrub_data(dataclasses.asdict(value)))})"
    if isinstance(value, functools.partial):  # aiosqlite: "executing partial(execute, sql, parameters)"
        return _describe_call(value)
    return value


def scrub_data(value: Any, field: str | None = None, depth: int = 0) -> Any:
    """JSON-like data with every string outside SAFE_FIELDS replaced by its length."""
    if depth > _MAX_DEPTH:
        return "<…>"
    if isinstance(value, str):
        return value if field in SAFE_FIELDS else f"<{len(value)} chars>"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, TelegramObject):
        return scrub_data(value.to_dict(), field, depth + 1)
    if isinstance(value, InputFile):
        return "<file>"
    if isinstance(value, Mapping):
        return {str(k): scrub_data(v, str(k), depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub_data(v, field, depth + 1) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return scrub_data(dataclasses.asdict(value), field, depth + 1)
    return f"<{type(value).__name__}>"


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def _describe_call(call: functools.partial[Any]) -> str:
    name = getattr(call.func, "__name__", type(call.func).__name__)
    parts = [repr(a) if i == 0 and isinstance(a, str) else _dump(scrub_data(a)) for i, a in enumerate(call.args)]
    return f"{name}({', '.join(parts)})"


# The update being handled, for the `update_id` field of JSON log lines (set by whoever handles an update; a
# record may also carry it itself: `log.info(..., extra={"update_id": n})`).
current_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_update_id", default=None)


class JsonFormatter(logging.Formatter):
    """LOG_FORMAT=json: one JSON object per line (time, level, logger, message, update_id when known, exception)
    for log collectors. The message is the scrubbed one (the record factory and PersonalDataFilter ran first)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None) or current_update_id.get()
        if update_id is not None:
            line["update_id"] = update_id
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub_text(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", secrets: tuple[str | None, ...] = (), fmt: str = "text") -> None:
    """Logging to stderr, scrubbed; `fmt` "json" (LOG_FORMAT) writes one JSON object per line."""
    install_scrubbing()
    for secret in secrets:
        protect_secret(secret)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(FORMAT))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request (the token is masked); below DEBUG these lines are noise.
    logging.getLogger("httpx").setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
