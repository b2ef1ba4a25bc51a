"""Typed callback data: one frozen dataclass per kind of button, with `pack()`, `unpack()` and `pattern()`.

Format: `<prefix>:<field>:<field>…` (fields in declaration order; `str` fields hold no `:`), at most 64 bytes
(Telegram's limit, checked by `pack`). `unpack` returns None for anything forged or stale: wrong prefix, wrong
number of parts, an `int` that is not plain ASCII digits (no `²`, no sign) or too large for the database, a
`Literal` value outside its choices. Register a handler with `CallbackQueryHandler(fn, pattern=Kind.pattern())`
and read the data with `Kind.of(update)`; authorization never trusts it (guards and services re-check).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any, ClassVar, Literal, Self, get_args, get_origin

from telegram import Update

MAX_BYTES = 64
MAX_INT = 2**53  # ids beyond this are forged (and would overflow a database integer)
_PREFIXES: dict[str, type[CallbackData]] = {}


class CallbackDataError(ValueError):
    """A button's data would not fit Telegram's 64 bytes or holds a separator."""


@dataclasses.dataclass(frozen=True)
class CallbackData:
    """Subclass with `PREFIX = "fu:o"` and typed fields (`str`, `int`, or `Literal[...]` of strings)."""

    PREFIX: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("PREFIX", "")
        if not prefix:
            raise TypeError(f"{cls.__name__} needs a PREFIX")
        other = _PREFIXES.get(prefix)
        if other is not None and other.__qualname__ != cls.__qualname__:
            raise TypeError(f"callback prefix {prefix!r} used by {other.__name__} and {cls.__name__}")
        _PREFIXES[prefix] = cls

    @classmethod
    def _fields(cls) -> list[tuple[str, Any]]:
        hints = typing.get_type_hints(cls)
        return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]

    def pack(self) -> str:
        parts = [self.PREFIX]
        for name, _kind in self._fields():
            value = getattr(self, name)
            text = str(int(value)) if isinstance(value, bool) else str(value)
            if ":" in text:
                raise CallbackDataError(f"{type(self).__name__}.{name} holds ':'")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError(f"{type(self).__name__} packs to {len(data.encode())} bytes (> {MAX_BYTES})")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        if not isinstance(data, str):
            return None
        prefix_parts = cls.PREFIX.count(":") + 1
        parts = data.split(":")
        fields = cls._fields()
        if ":".join(parts[:prefix_parts]) != cls.PREFIX or len(parts) != prefix_parts + len(fields):
            return None
        values: dict[str, Any] = {}
        for (name, kind), text in zip(fields, parts[prefix_parts:], strict=True):
            value = _convert(kind, text)
            if value is _INVALID:
                return None
            values[name] = value
        return cls(**values)

    @classmethod
    def pattern(cls) -> Callable[[object], bool]:
        """For `CallbackQueryHandler(pattern=...)`: True only for data that unpacks."""
        return lambda data: cls.unpack(data) is not None

    @classmethod
    def of(cls, update: Update) -> Self | None:
        """The unpacked data of this update's button press (None when forged or not a press)."""
        query = update.callback_query
        return cls.unpack(query.data) if query is not None else None


_INVALID = object()


def _convert(kind: Any, text: str) -> Any:
    if kind is str:
        return text
    if kind is int:
        if not (text.isascii() and text.isdigit()) or len(text) > 16 or int(text) > MAX_INT:
            return _INVALID
        return int(text)
    if kind is bool:
        return {"1": True, "0": False}.get(text, _INVALID)
    if get_origin(kind) is Literal:
        return text if text in get_args(kind) else _INVALID
    raise TypeError(f"unsupported callback field type {kind!r}")


def one_of(*buttons: CallbackData) -> Callable[[object], bool]:
    """For `CallbackQueryHandler(pattern=...)`: True for exactly these buttons (e.g. `one_of(Menu("faq"))`)."""
    packed = frozenset(b.pack() for b in buttons)
    return lambda data: data in packed


def any_of(kinds: tuple[type[CallbackData], ...]) -> Callable[[object], bool]:
    """For `CallbackQueryHandler(pattern=...)`: True for a button of any of these kinds."""
    return lambda data: any(kind.unpack(data) is not None for kind in kinds)


def prefix_of(data: object) -> str:
    """The longest registered prefix of this data (for logs: never the ids or text after it), or "?"."""
    if not isinstance(data, str):
        return "?"
    parts = data.split(":")
    for end in range(len(parts), 0, -1):
        if (prefix := ":".join(parts[:end])) in _PREFIXES:
            return prefix
    return "?"


def registered_prefixes() -> dict[str, type[CallbackData]]:
    """Every callback kind defined so far (a test checks they are distinct and none shadows another)."""
    return dict(_PREFIXES)


# ----------------------------------------------------------------------------- shared across features

MenuItem = Literal["home", "status", "eligibility", "benefits", "faq", "interest", "help"]


@dataclasses.dataclass(frozen=True)
class Menu(CallbackData):
    """A main-menu button (`menu:status`); `menu:home` shows the menu. Any press leaves a half-finished flow."""

    PREFIX = "menu"
    item: MenuItem


@dataclasses.dataclass(frozen=True)
class CalculatorStart(CallbackData):
    PREFIX = "calc:start"


@dataclasses.dataclass(frozen=True)
class BenefitsMenu(CallbackData):
    PREFIX = "benefits:menu"


@dataclasses.dataclass(frozen=True)
class AskOfficial(CallbackData):
    PREFIX = "faq:ask"


@dataclasses.dataclass(frozen=True)
class InterestInDesa(CallbackData):
    """📝 Daftar Minat with the desa filled in (`int:from:64.08.01.2001`), offered where a poster's link lands."""

    PREFIX = "int:from"
    code: str
