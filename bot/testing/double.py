"""A Bot API test double: an HTTP server on 127.0.0.1 that answers like api.telegram.org.

Point python-telegram-bot at it with ``base_url=double.base_url`` and
``base_file_url=double.base_file_url``. Everything the bot does is recorded (``calls``,
``messages``, ``callback_answers``, ``commands``); tests wait for it with ``wait_for`` and
friends, never with sleeps. Updates are injected with ``push_update`` (see ``TelegramUser``).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import mimetypes
import re
import secrets
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, NamedTuple, TypeVar

from aiohttp import web

from bot.testing.webhook_delivery import WebhookDelivery

JSON = dict[str, Any]
T = TypeVar("T")

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"

# Form values that are plain strings, never JSON (a text of "123" stays a string).
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "language_code",
        "action", "inline_message_id", "business_connection_id", "message_effect_id", "document",
        "photo", "file_id", "thumbnail", "name", "description", "short_description", "ip_address",
    }
)  # fmt: skip
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_INLINE_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
)  # fmt: skip
_FAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_BLOCKABLE_PREFIXES = ("send", "edit", "copy", "forward")
METHODS = (
    "getMe", "logOut", "close", "deleteWebhook", "setWebhook", "getWebhookInfo", "getUpdates",
    "sendMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption", "deleteMessage",
    "deleteMessages", "answerCallbackQuery", "sendDocument", "sendPhoto", "sendChatAction",
    "setMyCommands", "getMyCommands", "deleteMyCommands", "setChatMenuButton", "getChatMenuButton",
    "getFile", "setMyDescription", "setMyShortDescription", "setMyName",
)  # fmt: skip
_CANONICAL = {name.lower(): name for name in METHODS}


# --------------------------------------------------------------------------- records


class ApiError(Exception):
    """An unsuccessful Bot API answer."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    """A 400 answer with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {text}")


@dataclass
class Fault:
    """An injected failure (or slow answer) for the next ``times`` calls to ``method``."""

    method: str
    status: int = 429
    retry_after: int | None = None
    description: str | None = None
    times: int = 1
    chat_id: int | None = None
    delay: float = 0.0
    # Answer this long AFTER the call took effect (the message is recorded): a client with a shorter read
    # timeout sees a time-out although the message was sent; a retry would send it twice.
    delay_after: float = 0.0

    def error(self) -> ApiError:
        """The error this fault answers with."""
        if self.status == 429:
            seconds = self.retry_after if self.retry_after is not None else 1
            text = self.description or f"Too Many Requests: retry after {seconds}"
            return ApiError(429, text, {"retry_after": seconds})
        default = _FAULT_DESCRIPTIONS.get(self.status) or _status_phrase(self.status)
        parameters = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return ApiError(self.status, self.description or default, parameters)


@dataclass
class ApiCall:
    """One answered Bot API call."""

    method: str
    params: JSON
    time: float
    status: int = 200
    error: str | None = None
    fault: Fault | None = None


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str


@dataclass(frozen=True)
class StoredFile:
    """A file known to the double, sent by a user or uploaded by the bot."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)

    def document_json(self) -> JSON:
        """The Document object Telegram would give for this file."""
        doc: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.file_size
        return doc

    def photo_json(self) -> list[JSON]:
        """The PhotoSize list Telegram would give (one size: the original)."""
        width, height = image_size(self.data)
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.file_size,
                "width": width,
                "height": height,
            }
        ]


class MessageVersion(NamedTuple):
    """A previous version of an edited bot message."""

    text: str | None
    reply_markup: JSON | None


@dataclass
class BotMessage:
    """A message the bot sent; ``text`` is what the user sees (markup parsed, current version)."""

    chat_id: int
    message_id: int
    kind: str
    text: str | None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    file_name: str | None = None
    file_bytes: bytes | None = field(default=None, repr=False)
    mime_type: str | None = None
    edits: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    raw_text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    file_id: str | None = None
    reply_to_message_id: int | None = None
    payload: JSON = field(default_factory=dict, repr=False)

    @property
    def is_reply_keyboard(self) -> bool:
        return bool(self.reply_markup and "keyboard" in self.reply_markup)

    @property
    def is_inline_keyboard(self) -> bool:
        return bool(self.reply_markup and "inline_keyboard" in self.reply_markup)

    @property
    def button_rows(self) -> list[list[JSON]]:
        """Rows of button objects (reply keyboard buttons given as strings become dicts)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline or reply keyboard, row by row."""
        return [[str(b.get("text", "")) for b in row] for row in self.button_rows]

    @property
    def inline_buttons(self) -> list[tuple[str, str | None]]:
        """(label, callback_data or url) of each inline button in reading order."""
        if not self.is_inline_keyboard:
            return []
        flat = itertools.chain.from_iterable(self.button_rows)
        return [(str(b.get("text", "")), b.get("callback_data", b.get("url"))) for b in flat]

    def summary(self) -> str:
        """One line for logs and error messages."""
        text = (self.text or "").replace("\n", " ")
        text = text if len(text) <= 70 else text[:67] + "..."
        parts = [f"#{self.message_id} to {self.chat_id} [{self.kind}] {text!r}"]
        if self.file_name:
            parts.append(f"file={self.file_name}")
        if self.buttons:
            parts.append("buttons=" + " / ".join(" | ".join(row) for row in self.buttons))
        if self.edits:
            parts.append(f"edits={len(self.edits)}")
        if self.deleted:
            parts.append("DELETED")
        return " ".join(parts)


# --------------------------------------------------------------------------- text formatting


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets (ASCII, the common case, needs no encoding)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _entities_error(text: str) -> ApiError:
    return bad_request(f"can't parse entities: {text}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


class _TextBuilder:
    """Output text with its running length in UTF-16 code units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text)

    def text(self) -> str:
        return "".join(self.parts)


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
    "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}  # fmt: skip
_CHAR_REF_RE = re.compile(r"&(#[xX][0-9A-Fa-f]{1,8}|#[0-9]{1,8}|[A-Za-z]+);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPECIAL_RE = re.compile(r"[<&]")
_ATTR_RE = re.compile(r"""([A-Za-z_:][-\w:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


@dataclass
class _OpenTag:
    name: str
    offset: int
    entity: JSON | None


def _char_ref(source: str, index: int) -> tuple[str, int]:
    """Decode the character reference at ``index`` (only those Telegram knows)."""
    match = _CHAR_REF_RE.match(source, index)
    if not match:
        return "&", index + 1
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return "&", index + 1
        return chr(code), match.end()
    if name in _NAMED_REFS:
        return _NAMED_REFS[name], match.end()
    return "&", index + 1


def _decode_refs(value: str) -> str:
    out, index = [], 0
    while index < len(value):
        if value[index] == "&":
            text, index = _char_ref(value, index)
            out.append(text)
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def _html_attrs(text: str) -> dict[str, str]:
    attrs = {}
    for match in _ATTR_RE.finditer(text):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attrs[match.group(1).lower()] = _decode_refs(value)
    return attrs


def _html_entity(name: str, attrs: dict[str, str], stack: list[_OpenTag]) -> JSON | None:
    """The entity fields for an opening tag (None: the tag makes no entity of its own)."""
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _entities_error('Tag "span" must have class "tg-spoiler"')
    if name == "a":
        return {"type": "text_link", "url": attrs["href"]} if attrs.get("href") else None
    if name == "code" and stack and stack[-1].name == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-") and stack[-1].entity is not None:
            stack[-1].entity["language"] = language.removeprefix("language-")
        return None
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
    return {"type": _HTML_TAGS[name]}


def _html_tag(source: str, start: int, out: _TextBuilder, stack: list[_OpenTag], found: list[JSON]) -> int:
    """Handle the tag starting at ``start``; return the index after it."""
    where = f"at byte offset {_byte_offset(source, start)}"
    if source.startswith("</", start):
        return _html_end_tag(source, start, where, out, stack, found)
    name_match = re.compile(r"[^\s>]*").match(source, start + 1)
    name_end = name_match.end() if name_match else start + 1
    if name_end >= len(source):
        raise _entities_error(f"Unclosed start tag {where}")
    name = source[start + 1 : name_end].lower()
    if name not in _HTML_TAGS:
        raise _entities_error(f'Unsupported start tag "{name}" {where}')
    end = source.find(">", name_end)
    if end < 0:
        raise _entities_error(f"Unclosed start tag {where}")
    entity = _html_entity(name, _html_attrs(source[name_end:end]), stack)
    stack.append(_OpenTag(name, out.offset, entity))
    return end + 1


def _html_end_tag(
    source: str, start: int, where: str, out: _TextBuilder, stack: list[_OpenTag], found: list[JSON]
) -> int:
    end = source.find(">", start)
    if end < 0:
        raise _entities_error(f"Unclosed end tag {where}")
    name = source[start + 2 : end].strip().lower()
    if not stack:
        raise _entities_error(f"Unexpected end tag {where}")
    tag = stack.pop()
    if name != tag.name:
        raise _entities_error(f'Unmatched end tag {where}, expected "</{tag.name}>", found "</{name}>"')
    if tag.entity is not None and out.offset > tag.offset:
        found.append({**tag.entity, "offset": tag.offset, "length": out.offset - tag.offset})
    return end + 1


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Plain text and entities of an HTML-formatted text, with Telegram's error messages."""
    out = _TextBuilder()
    stack: list[_OpenTag] = []
    found: list[JSON] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            index = _html_tag(source, index, out, stack, found)
        elif char == "&":
            text, index = _char_ref(source, index)
            out.add(text)
        else:  # a run of plain text up to the next tag or character reference, measured once
            special = _HTML_SPECIAL_RE.search(source, index)
            end = special.start() if special else len(source)
            out.add(source[index:end])
            index = end
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.text(), found


_MD_RESERVED = "_*[]()~`>#+-=|{}.!"
_MD_TYPES = {
    "*": ("bold", "Bold"), "_": ("italic", "Italic"), "__": ("underline", "Underline"),
    "~": ("strikethrough", "Strikethrough"), "||": ("spoiler", "Spoiler"), "`": ("code", "Code"),
    "```": ("pre", "Pre"), "[": ("text_link", "TextUrl"),
}  # fmt: skip


@dataclass
class _OpenMark:
    marker: str
    offset: int
    byte_offset: int
    language: str | None = None


class _MarkdownV2:
    """A MarkdownV2 parser close to Telegram's: reserved characters must be escaped."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out = _TextBuilder()
        self.stack: list[_OpenMark] = []
        self.found: list[JSON] = []
        self.quote_start: int | None = None
        self.last_newline = 0

    def parse(self) -> tuple[str, list[JSON]]:
        while self.i < len(self.src):
            self._step()
        self._close_quote(self.out.offset)
        if self.stack:
            mark = self.stack[-1]
            name = _MD_TYPES[mark.marker][1]
            raise _entities_error(f"Can't find end of {name} entity at byte offset {mark.byte_offset}")
        return self.out.text(), self.found

    def _in_code(self) -> bool:
        return bool(self.stack) and self.stack[-1].marker in ("`", "```")

    def _step(self) -> None:
        src, i = self.src, self.i
        char = src[i]
        if (i == 0 or src[i - 1] == "\n") and not self._in_code() and self._quote_line(char):
            return
        if char == "\\" and i + 1 < len(src) and 0 < ord(src[i + 1]) <= 126:
            self.out.add(src[i + 1])
            self.i += 2
            return
        reserved = "`" if self._in_code() else _MD_RESERVED
        if char not in reserved:
            if char == "\n":
                self.last_newline = self.out.offset
            self.out.add(char)
            self.i += 1
        elif not self._close(char):
            self._open(char)

    def _quote_line(self, char: str) -> bool:
        """At a line start: '>' opens or continues a blockquote (consumed: True)."""
        if char == ">":
            if self.quote_start is None:
                self.quote_start = self.out.offset
            self.i += 1
            return True
        self._close_quote(self.last_newline)
        return False

    def _close_quote(self, end: int) -> None:
        if self.quote_start is not None and end > self.quote_start:
            self.found.append({"type": "blockquote", "offset": self.quote_start, "length": end - self.quote_start})
        self.quote_start = None

    def _closing_width(self, char: str) -> int:
        marker = self.stack[-1].marker
        if marker in ("```", "__", "||"):
            return len(marker) if self.src.startswith(marker, self.i) else 0
        if marker == "[":
            return 1 if char == "]" else 0
        return 1 if char == marker else 0

    def _close(self, char: str) -> bool:
        width = self._closing_width(char) if self.stack else 0
        if not width:
            return False
        mark = self.stack.pop()
        self.i += width
        entity: JSON = {"type": _MD_TYPES[mark.marker][0]}
        if mark.marker == "[":
            entity["url"] = self._read_url()
        if mark.language:
            entity["language"] = mark.language
        if self.out.offset > mark.offset and entity.get("url", True):
            self.found.append({**entity, "offset": mark.offset, "length": self.out.offset - mark.offset})
        return True

    def _open(self, char: str) -> None:
        src, i = self.src, self.i
        if char == "_" and src.startswith("__", i):
            marker = "__"
        elif char == "|" and src.startswith("||", i):
            marker = "||"
        elif char == "`":
            marker = "```" if src.startswith("```", i) else "`"
        elif char in "*_~[":
            marker = char
        else:
            raise _entities_error(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        mark = _OpenMark(marker, self.out.offset, _byte_offset(src, i))
        self.i += len(marker)
        if marker == "```":
            mark.language = self._read_language()
        self.stack.append(mark)

    def _read_language(self) -> str | None:
        src, end = self.src, self.i
        while end < len(src) and not src[end].isspace() and src[end] != "`":
            end += 1
        language = None
        if end > self.i and end < len(src) and src[end] != "`":
            language, self.i = src[self.i : end], end
        if self.src.startswith("\n", self.i):
            self.i += 1
        return language

    def _read_url(self) -> str:
        src = self.src
        if not src.startswith("(", self.i):
            return ""
        j, url = self.i + 1, []
        while j < len(src) and src[j] != ")":
            if src[j] == "\\" and j + 1 < len(src):
                j += 1
            url.append(src[j])
            j += 1
        if j >= len(src):
            raise _entities_error(f"Can't find end of a URL at byte offset {_byte_offset(src, self.i)}")
        self.i = j + 1
        return "".join(url)


def parse_markdown_v2(source: str) -> tuple[str, list[JSON]]:
    """Plain text and entities of a MarkdownV2 text, with Telegram's error messages."""
    return _MarkdownV2(source).parse()


def _strip(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace like Telegram, shifting and clipping entities."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def render_text(raw: str, parse_mode: str | None, entities: Any = None) -> tuple[str, list[JSON]]:
    """What Telegram makes of a text: plain text and entities, or a 400 ApiError."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        text, found = parse_html(raw)
    elif mode == "markdownv2":
        text, found = parse_markdown_v2(raw)
    elif mode in ("", "markdown"):  # legacy Markdown is passed through unparsed
        text, found = raw, [dict(e) for e in entities or [] if isinstance(e, dict)]
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return _strip(text, found)


# --------------------------------------------------------------------------- helpers


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF or JPEG; (320, 320) when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    index = 2 if data.startswith(b"\xff\xd8") else len(data)
    while index + 9 < len(data) and data[index] == 0xFF:
        marker = data[index + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + struct.unpack(">H", data[index + 2 : index + 4])[0]
    return 320, 320


def scope_key(scope: JSON | None) -> str:
    """The canonical JSON of a BotCommandScope (default scope when None)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))


def _decode_value(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _required_int(params: JSON, key: str) -> int:
    value = params.get(key)
    if value is None or value == "":
        raise bad_request(f"{key} is empty")
    number = _as_int(value)
    if number is None:
        raise bad_request("chat not found" if key == "chat_id" else f"invalid {key} specified")
    return number


def _normalize_markup(value: Any) -> JSON | None:
    """Validate a reply_markup like Telegram; an empty inline keyboard means none."""
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in value:
        return value
    rows = value["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" must be an Array of Arrays')
    for button in itertools.chain.from_iterable(rows):
        _check_inline_button(button)
    return value if any(rows) else None


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= 64:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not url or re.search(r"\s", url)):
        raise bad_request("BUTTON_URL_INVALID")


def _is_inline(markup: JSON | None) -> bool:
    return bool(markup and "inline_keyboard" in markup)


def _check_commands(commands: Any) -> list[JSON]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


class _Notifier:
    """Wakes every waiter on each change; usable from sync code (unlike asyncio.Condition)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


Handler = Callable[[JSON], Awaitable[Any]]


# --------------------------------------------------------------------------- the double


class BotApiDouble:
    """An in-process Bot API server on 127.0.0.1 that records what the bot does."""

    def __init__(
        self,
        bot_id: int = 7000000001,
        bot_username: str = "jagakerja_bot",
        bot_first_name: str = "JagaKerja",
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.calls: list[ApiCall] = []
        self.messages: list[BotMessage] = []
        self.callback_answers: list[JSON] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.files: dict[str, StoredFile] = {}
        self.user_messages: dict[tuple[int, int], JSON] = {}
        self.deleted_user_messages: set[tuple[int, int]] = set()
        self.blocked: set[int] = set()
        self.webhook_url = ""
        self.webhook = WebhookDelivery(self)  # POSTs queued updates while a webhook is set (webhook_delivery.py)
        self.port: int | None = None
        self.long_polls_waiting = 0
        self._faults: list[Fault] = []
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._fetched_up_to = 0
        self._poll_generation = 0
        self._last_message_id: dict[int, int] = {}
        self._chats: dict[int, JSON] = {}
        self._by_key: dict[tuple[int, int], BotMessage] = {}
        self._open_queries: set[str] = set()
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(4_382_000_000_000_000_001)
        self._notifier = _Notifier()
        # Per-chat index and waiters: a simulated user waits on its own chat only (see `_notify`).
        self._chat_notifiers: dict[int, _Notifier] = {}
        self._dirty_chats: set[int] = set()
        self._chat_messages: dict[int, list[BotMessage]] = {}
        self._chat_positions: dict[int, list[int]] = {}
        self._positions: dict[tuple[int, int], int] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._handlers: dict[str, Handler] = self._method_table()

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> BotApiDouble:
        """Listen on a random loopback port."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._closing = False
        return self

    async def stop(self) -> None:
        """Answer pending long polls and shut the server down."""
        self._closing = True
        self.webhook.stop()
        self._dirty_chats.update(self._chat_notifiers)
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.port = None

    async def __aenter__(self) -> BotApiDouble:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Bot API base; python-telegram-bot appends ``<token>/<method>``."""
        return f"{self._root()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._root()}/file/bot"

    def _root(self) -> str:
        if self.port is None:
            raise RuntimeError("BotApiDouble is not started")
        return f"http://127.0.0.1:{self.port}"

    # ----------------------------------------------------------------- public helpers

    @property
    def bot_user(self) -> JSON:
        """The bot's User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id of a chat (shared by the bot's and the user's messages)."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def chat_json(self, chat_id: int) -> JSON:
        """The Chat object for a chat id (as last seen in an update)."""
        return dict(self._chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "User"})

    def messages_to(self, chat_id: int) -> list[BotMessage]:
        return list(self._chat_messages.get(chat_id, ()))

    def position_of(self, message: BotMessage) -> int:
        """The index of a bot message in ``messages`` (without scanning the list)."""
        return self._positions[(message.chat_id, message.message_id)]

    def find_message(self, chat_id: int, message_id: int) -> BotMessage | None:
        return self._by_key.get((chat_id, message_id))

    def calls_to(self, method: str) -> list[ApiCall]:
        """Answered calls to a method (name case-insensitive)."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        return list(self.commands.get((scope_key(scope), language_code), []))

    def store_file(
        self,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        folder: str = "documents",
    ) -> StoredFile:
        """Keep bytes under a fresh file_id so getFile and the download route serve them."""
        number = next(self._file_counter)
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        suffix_match = re.search(r"\.[A-Za-z0-9]{1,10}$", file_name or "")
        suffix = suffix_match.group(0) if suffix_match else mimetypes.guess_extension(mime_type or "") or ""
        stored = StoredFile(
            file_id=f"BQACAgUAAxkB{number:04d}{secrets.token_urlsafe(18)}",
            file_unique_id=f"AgAD{number:04d}{secrets.token_urlsafe(6)}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    def new_callback_query_id(self) -> str:
        return str(next(self._query_counter))

    # ----------------------------------------------------------------- updates

    def push_update(self, payload: JSON) -> int:
        """Queue an update (``update_id`` is assigned) and wake long polls; returns the id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._pending.append({"update_id": update_id, **{k: v for k, v in payload.items() if k != "update_id"}})
        self._remember(payload)
        self._notify()
        return update_id

    def _remember(self, payload: JSON) -> None:
        message = payload.get("message") or payload.get("edited_message")
        query = payload.get("callback_query")
        if query:
            self._open_queries.add(str(query["id"]))
            message = query.get("message") if isinstance(query.get("message"), dict) else None
        if message and isinstance(message.get("chat"), dict):
            chat = message["chat"]
            self._chats[chat["id"]] = dict(chat)
            if "message" in payload:
                self.user_messages[(chat["id"], message["message_id"])] = message

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by an offset."""
        return list(self._pending)

    # ----------------------------------------------------------------- fault injection

    def inject(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
        delay: float = 0.0,
        delay_after: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` calls to ``method`` fail (status 200: only slow down by ``delay`` before the
        call takes effect, or by ``delay_after`` after it took effect: the slow answer a read time-out meets)."""
        if method.lower() not in _CANONICAL:
            raise ValueError(f"unknown Bot API method {method!r}")
        if times < 1:
            raise ValueError("times must be >= 1")
        fault = Fault(method.lower(), status, retry_after, description, times, chat_id, delay, delay_after)
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self._faults.clear()

    def block_user(self, chat_id: int) -> None:
        """Every send/edit to the chat answers 403 until ``unblock_user``."""
        self.blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def _take_fault(self, method: str, params: JSON) -> Fault | None:
        chat_id = _as_int(params.get("chat_id"))
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ----------------------------------------------------------------- waiting

    def _notify(self) -> None:
        """Wake the generic waiters and long polls, and the waiters of each chat that changed since the last
        call. Chat waiters wake here, after the call is recorded, not in `_record`: a reply seen by a test
        always has its ApiCall in `calls` already, as with the single notifier before."""
        self._notifier.notify()
        if self._dirty_chats:
            for chat_id in self._dirty_chats:
                notifier = self._chat_notifiers.get(chat_id)
                if notifier is not None:
                    notifier.notify()
            self._dirty_chats.clear()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        what: str | None = None,
    ) -> T:
        """Return the predicate's first result that is not None/False; TimeoutError after ``timeout``."""
        return await self._wait(predicate, timeout, what, self._notifier)

    async def _wait_in_chat(self, chat_id: int, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """`wait_for` woken only by changes to one chat's messages (a call to another chat wakes nobody here)."""
        notifier = self._chat_notifiers.get(chat_id)
        if notifier is None:
            notifier = self._chat_notifiers[chat_id] = _Notifier()
        return await self._wait(predicate, timeout, what, notifier)

    async def _wait(
        self, predicate: Callable[[], T | None], timeout: float, what: str | None, notifier: _Notifier
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = what or getattr(predicate, "__name__", repr(predicate))
                raise TimeoutError(self.describe_state(f"Timed out after {timeout}s waiting for {what}."))
            await notifier.wait(remaining)

    def describe_state(self, headline: str = "") -> str:
        """The last bot messages and failed calls, for error messages."""
        lines = [headline] if headline else []
        lines.append("Last bot messages:" if self.messages else "The bot sent no message.")
        lines += [f"  {m.summary()}" for m in self.messages[-5:]]
        failed = [c for c in self.calls if c.status != 200 and c.method != "getUpdates"][-3:]
        if failed:
            lines.append("Last failed API calls:")
            lines += [f"  {c.method} -> {c.status} {c.error}" for c in failed]
        return "\n".join(lines)

    async def wait_for_message(self, chat_id: int, index_from: int, timeout: float = 5.0) -> BotMessage:
        """The first message to ``chat_id`` at position >= ``index_from`` in ``messages``."""

        def find() -> BotMessage | None:
            positions = self._chat_positions.get(chat_id, [])
            found = bisect.bisect_left(positions, index_from)
            return self._chat_messages[chat_id][found] if found < len(positions) else None

        what = f"a message to chat {chat_id} (from position {index_from})"
        return await self._wait_in_chat(chat_id, find, timeout, what)

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        edits_seen: int,
        timeout: float = 5.0,
    ) -> BotMessage:
        """The message once it has more than ``edits_seen`` edits."""

        def find() -> BotMessage | None:
            message = self.find_message(chat_id, message_id)
            return message if message is not None and len(message.edits) > edits_seen else None

        what = f"edit #{edits_seen + 1} of message {message_id} in chat {chat_id}"
        return await self._wait_in_chat(chat_id, find, timeout, what)

    async def wait_for_call(self, method: str, index_from: int = 0, timeout: float = 5.0) -> ApiCall:
        """The first answered call to ``method`` at position >= ``index_from`` in ``calls``."""

        def find() -> ApiCall | None:
            return next((c for c in self.calls[index_from:] if c.method.lower() == method.lower()), None)

        return await self.wait_for(find, timeout, f"a {method} call (from position {index_from})")

    async def wait_until_fetched(self, update_id: int, timeout: float = 5.0) -> None:
        """Return once a getUpdates call has returned or confirmed the update."""

        def fetched() -> bool:
            return self._fetched_up_to >= update_id

        await self.wait_for(fetched, timeout, f"getUpdates to fetch update {update_id}")

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["tail"]
        if request.method not in ("GET", "POST"):
            return _json_error(ApiError(404, "Not Found"))
        file_match = re.fullmatch(r"file/bot([^/]+)/(.+)", path)
        if file_match:
            return self._download(*file_match.groups())
        api_match = re.fullmatch(r"bot([^/]*)/([^/]+)", path)
        if not api_match:
            return _json_error(ApiError(404, "Not Found"))
        token, method = api_match.groups()
        if not TOKEN_RE.match(token):
            return _json_error(ApiError(401, "Unauthorized"))
        try:
            params = await _read_params(request)
        except ApiError as error:
            return _json_error(error)
        call = ApiCall(_CANONICAL.get(method.lower(), method), params, time.time())
        status, body = await self._answer(call)
        call.status, call.error = status, None if body.get("ok") else body.get("description")
        self.calls.append(call)
        self._notify()
        return web.json_response(body, status=status)

    def _download(self, token: str, file_path: str) -> web.StreamResponse:
        if not TOKEN_RE.match(token):
            return _json_error(ApiError(401, "Unauthorized"))
        stored = self.file_by_path(file_path)
        if stored is None:
            return _json_error(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _answer(self, call: ApiCall) -> tuple[int, JSON]:
        name = call.method.lower()
        handler = self._handlers.get(name)
        if handler is None:
            return 404, ApiError(404, "Not Found").body()
        try:
            await self._apply_faults(call, name)
            result = await handler(call.params)
            if call.fault is not None and call.fault.delay_after > 0:
                await asyncio.sleep(call.fault.delay_after)
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            return error.status, error.body()
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return 400, bad_request(f"invalid parameters: {exc}").body()

    async def _apply_faults(self, call: ApiCall, name: str) -> None:
        fault = self._take_fault(name, call.params)
        if fault is not None:
            call.fault = fault
            if fault.delay > 0:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                raise fault.error()
        chat_id = _as_int(call.params.get("chat_id"))
        if chat_id in self.blocked and name.startswith(_BLOCKABLE_PREFIXES):
            call.fault = Fault(name, 403, description=BLOCKED, chat_id=chat_id)
            raise ApiError(403, BLOCKED)

    def _method_table(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getFile": self._get_file,
            "setMyDescription": self._true,
            "setMyShortDescription": self._true,
            "setMyName": self._true,
        }
        return {name.lower(): handler for name, handler in table.items()}

    # ----------------------------------------------------------------- methods: bot & webhook

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook.configure("", None, None)
        if params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    async def _set_webhook(self, params: JSON) -> bool:
        try:
            url, secret, allowed = WebhookDelivery.check(params)
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        self.webhook_url = url
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.webhook.configure(url, secret, allowed)
        return True

    def webhook_delivered(self, update_id: int) -> None:
        """The webhook answered 2xx for this update (or it was not an allowed type): Telegram forgets it."""
        self._pending = [u for u in self._pending if u["update_id"] != update_id]
        self._fetched_up_to = max(self._fetched_up_to, update_id)
        self._notify()

    def notify_webhook_attempt(self) -> None:
        """Wake waiters after a POST to the webhook (tests wait for `webhook.attempts`)."""
        self._notify()

    def _drop_pending(self) -> None:
        if self._pending:
            self._fetched_up_to = max(self._fetched_up_to, self._pending[-1]["update_id"])
        self._pending.clear()

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
            **(self.webhook.info() if self.webhook_url else {}),
        }

    # ----------------------------------------------------------------- methods: getUpdates

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.long_polls_waiting += 1
        self._notify()  # an older pending getUpdates now answers 409 Conflict
        try:
            batch = await self._poll(offset, limit, timeout, generation)
        finally:
            self.long_polls_waiting -= 1
        if batch:
            self._fetched_up_to = max(self._fetched_up_to, batch[-1]["update_id"])
        return [dict(update) for update in batch]

    async def _poll(self, offset: int, limit: int, timeout: float, generation: int) -> list[JSON]:
        """Wait (without polling) until updates are there, the timeout ends or the server stops."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._pending[offset:] if offset < 0 else self._pending[:limit]
            if batch or self._closing or loop.time() >= deadline:
                return batch
            await self._notifier.wait(deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(409, _FAULT_DESCRIPTIONS[409])

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self._fetched_up_to = max(self._fetched_up_to, offset - 1)

    # ----------------------------------------------------------------- methods: messages

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = _required_int(params, "chat_id")
        raw = str(params.get("text") or "")
        text, entities = render_text(raw, params.get("parse_mode"), params.get("entities"))
        if not text:
            raise bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        markup = _normalize_markup(params.get("reply_markup"))
        message = self._record(chat_id, "text", params, text=text, raw=raw, entities=entities, markup=markup)
        return message.payload

    async def _send_document(self, params: JSON) -> JSON:
        chat_id = _required_int(params, "chat_id")
        caption, raw, entities, markup = self._caption_and_markup(params)
        stored = self._resolve_file(params, "document", "documents")
        message = self._record(
            chat_id, "document", params, text=caption, raw=raw, entities=entities, markup=markup,
            stored=stored, content={"document": stored.document_json()},
        )  # fmt: skip
        return message.payload

    async def _send_photo(self, params: JSON) -> JSON:
        chat_id = _required_int(params, "chat_id")
        caption, raw, entities, markup = self._caption_and_markup(params)
        stored = self._resolve_file(params, "photo", "photos")
        message = self._record(
            chat_id, "photo", params, text=caption, raw=raw, entities=entities, markup=markup,
            stored=stored, content={"photo": stored.photo_json()},
        )  # fmt: skip
        return message.payload

    def _caption_and_markup(self, params: JSON) -> tuple[str | None, str | None, list[JSON], JSON | None]:
        raw = params.get("caption")
        caption: str | None = None
        entities: list[JSON] = []
        if raw:
            caption, entities = render_text(str(raw), params.get("parse_mode"), params.get("caption_entities"))
            if len(caption) > CAPTION_LIMIT:
                raise bad_request("message caption is too long")
        return caption or None, raw, entities, _normalize_markup(params.get("reply_markup"))

    def _resolve_file(self, params: JSON, key: str, folder: str) -> StoredFile:
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            mime = value.content_type
            if mime in ("", "application/octet-stream"):
                mime = mimetypes.guess_type(value.filename)[0] or mime
            if key == "photo":
                return self.store_file(value.data, None, "image/jpeg", folder)
            return self.store_file(value.data, value.filename, mime or None, folder)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value:
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {key} in the request")

    def _record(
        self,
        chat_id: int,
        kind: str,
        params: JSON,
        *,
        text: str | None,
        raw: str | None,
        entities: list[JSON],
        markup: JSON | None,
        stored: StoredFile | None = None,
        content: JSON | None = None,
    ) -> BotMessage:
        replied = self._replied_message(chat_id, params)
        message = BotMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            kind=kind,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            file_name=stored.file_name if stored else None,
            file_bytes=stored.data if stored else None,
            mime_type=stored.mime_type if stored else None,
            raw_text=raw,
            entities=entities,
            file_id=stored.file_id if stored else None,
        )
        message.payload = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self.chat_json(chat_id),
            "date": int(time.time()),
            **(content or {}),
        }
        if replied is not None:
            message.payload["reply_to_message"] = replied
            message.reply_to_message_id = replied["message_id"]
        self._set_payload_content(message)
        self.messages.append(message)
        self._by_key[(chat_id, message.message_id)] = message
        self._positions[(chat_id, message.message_id)] = len(self.messages) - 1
        self._chat_messages.setdefault(chat_id, []).append(message)
        self._chat_positions.setdefault(chat_id, []).append(len(self.messages) - 1)
        self._dirty_chats.add(chat_id)
        return message

    def _replied_message(self, chat_id: int, params: JSON) -> JSON | None:
        """The message a send replies to (reply_parameters), or 400 when it does not exist."""
        reply = params.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        message_id = _as_int(reply.get("message_id")) or _as_int(params.get("reply_to_message_id"))
        if not message_id:
            return None
        target_chat = _as_int(reply.get("chat_id")) or chat_id
        target = self.message_json(target_chat, message_id)
        lenient = reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply")
        if target is None and not lenient:
            raise bad_request("message to be replied not found")
        return target

    def message_json(self, chat_id: int, message_id: int) -> JSON | None:
        """The current JSON of a message (the bot's or a user's) unless it was deleted."""
        bot_message = self.find_message(chat_id, message_id)
        if bot_message is not None:
            return None if bot_message.deleted else dict(bot_message.payload)
        key = (chat_id, message_id)
        return None if key in self.deleted_user_messages else self.user_messages.get(key)

    def _set_payload_content(self, message: BotMessage) -> None:
        """Write text/caption, entities and (inline only) markup into the API payload."""
        text_key, entities_key = ("text", "entities") if message.kind == "text" else ("caption", "caption_entities")
        payload = message.payload
        for key in (text_key, entities_key, "reply_markup"):
            payload.pop(key, None)
        if message.text:
            payload[text_key] = message.text
        if message.entities:
            payload[entities_key] = message.entities
        if _is_inline(message.reply_markup):
            payload["reply_markup"] = message.reply_markup

    # ----------------------------------------------------------------- methods: edits

    def _editable(self, params: JSON, what: str = "edit") -> BotMessage:
        if params.get("inline_message_id"):
            raise bad_request(f"message to {what} not found")
        chat_id = _required_int(params, "chat_id")
        message = self.find_message(chat_id, _required_int(params, "message_id"))
        if message is None or message.deleted:
            raise bad_request(f"message to {what} not found")
        return message

    @staticmethod
    def _edited_markup(message: BotMessage, value: Any) -> JSON | None:
        markup = _normalize_markup(value)
        if markup is not None and not _is_inline(markup):
            raise bad_request("inline keyboard expected")
        if markup is None and message.reply_markup is not None and not message.is_inline_keyboard:
            return message.reply_markup  # a reply keyboard is not part of the message's edit
        return markup

    def _apply_edit(self, message: BotMessage, text: str | None, entities: list[JSON], markup: JSON | None) -> JSON:
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.edits.append(MessageVersion(message.text, message.reply_markup))
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.payload["edit_date"] = int(time.time())
        self._set_payload_content(message)
        self._dirty_chats.add(message.chat_id)
        return message.payload

    async def _edit_message_text(self, params: JSON) -> JSON:
        message = self._editable(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        raw = str(params.get("text") or "")
        text, entities = render_text(raw, params.get("parse_mode"), params.get("entities"))
        if not text:
            raise bad_request("message text is empty")
        if len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        markup = self._edited_markup(message, params.get("reply_markup"))
        payload = self._apply_edit(message, text, entities, markup)
        message.raw_text, message.parse_mode = raw, params.get("parse_mode")
        return payload

    async def _edit_message_caption(self, params: JSON) -> JSON:
        message = self._editable(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption, raw, entities, _ = self._caption_and_markup({**params, "reply_markup": None})
        markup = self._edited_markup(message, params.get("reply_markup"))
        payload = self._apply_edit(message, caption, entities, markup)
        message.raw_text, message.parse_mode = raw, params.get("parse_mode")
        return payload

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        message = self._editable(params)
        markup = self._edited_markup(message, params.get("reply_markup"))
        return self._apply_edit(message, message.text, message.entities, markup)

    async def _delete_message(self, params: JSON) -> bool:
        chat_id = _required_int(params, "chat_id")
        self._delete_one(chat_id, _required_int(params, "message_id"))
        return True

    async def _delete_messages(self, params: JSON) -> bool:
        chat_id = _required_int(params, "chat_id")
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message_ids is empty")
        for message_id in ids:
            with contextlib.suppress(ApiError):
                self._delete_one(chat_id, int(message_id))
        return True

    def _delete_one(self, chat_id: int, message_id: int) -> None:
        message = self.find_message(chat_id, message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            self._dirty_chats.add(chat_id)
            return
        key = (chat_id, message_id)
        if key in self.user_messages and key not in self.deleted_user_messages:
            self.deleted_user_messages.add(key)
            return
        raise bad_request("message to delete not found")

    def is_deleted(self, chat_id: int, message_id: int) -> bool:
        """Whether the bot deleted that message (its own or a user's)."""
        message = self.find_message(chat_id, message_id)
        return message.deleted if message is not None else (chat_id, message_id) in self.deleted_user_messages

    # ----------------------------------------------------------------- methods: misc

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad_request(QUERY_INVALID)
        self._open_queries.discard(query_id)
        self.callback_answers.append(dict(params))
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        _required_int(params, "chat_id")
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = _check_commands(params.get("commands"))
        self.commands[(scope_key(params.get("scope")), str(params.get("language_code") or ""))] = commands
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return self.commands_for(params.get("scope"), str(params.get("language_code") or ""))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop((scope_key(params.get("scope")), str(params.get("language_code") or "")), None)
        return True

    async def _set_chat_menu_button(self, params: JSON) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        self.menu_buttons[_as_int(params.get("chat_id"))] = button
        return True

    async def _get_chat_menu_button(self, params: JSON) -> JSON:
        chat_id = _as_int(params.get("chat_id"))
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _get_file(self, params: JSON) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }


def _json_error(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status)


async def _read_params(request: web.Request) -> JSON:
    """Query string plus a form, multipart or JSON body; file parts become ``Upload``."""
    params: JSON = {key: _decode_value(key, value) for key, value in request.query.items()}
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                raise bad_request("can't parse JSON object") from exc
            if not isinstance(decoded, dict):
                raise bad_request("can't parse JSON object")
            params.update(decoded)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            params[key] = _form_value(key, value)
    return params


def _form_value(key: str, value: Any) -> Any:
    if isinstance(value, web.FileField):
        return Upload(value.filename, value.file.read(), value.content_type)
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    return _decode_value(key, str(value))
