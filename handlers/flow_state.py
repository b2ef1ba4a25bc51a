"""Typed flow state: what a multi-step flow remembers between steps, as a dataclass instead of raw `user_data`.

    @dataclass
    class CalculatorState(FlowState):
        KEY: ClassVar[str] = "calculator"   # the user_data key (usually the flow's name)
        occupation: str = ""
        sector: str = "other"

    state = CalculatorState.load(context)   # a fresh default when nothing is stored (or it is unreadable)
    state.sector = "transport"
    state.save(context)                     # persisted (encrypted) with user_data: survives a restart
    CalculatorState.clear(context)

Fields must be JSON-safe (str, int, float, bool, None, and lists / dicts of those); dates as ISO strings.
A stored value that no longer fits the class (an old version, a forged edit) loads as the default.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

from handlers.context import BotContext


def _user_data(context: BotContext) -> dict[Any, Any]:
    data = context.user_data
    if data is None:  # updates without a user (channel posts): a throwaway dict
        return {}
    return data


@dataclasses.dataclass
class FlowState:
    KEY: ClassVar[str] = ""

    @classmethod
    def stored(cls, context: BotContext) -> bool:
        return cls.KEY in _user_data(context)

    @classmethod
    def load(cls, context: BotContext) -> Self:
        raw = _user_data(context).get(cls.KEY)
        if isinstance(raw, dict):
            names = {f.name for f in dataclasses.fields(cls)}
            try:
                return cls(**{k: v for k, v in raw.items() if k in names})
            except (TypeError, ValueError):
                pass
        return cls()

    def save(self, context: BotContext) -> None:
        data = context.user_data
        if data is not None:
            data[self.KEY] = dataclasses.asdict(self)

    @classmethod
    def clear(cls, context: BotContext) -> None:
        _user_data(context).pop(cls.KEY, None)
