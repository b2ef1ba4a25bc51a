"""What the status check remembers: the half-finished check (`status`) and the last *Protected* answer
(`status_last`, for the reminder opt-in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from handlers.flow_state import FlowState


@dataclass
class StatusState(FlowState):
    """The NIK typed (16 digits, checked by `Nik.parse`), until the second factor is typed."""

    KEY: ClassVar[str] = "status"
    nik: str = ""
    asked_full_name: bool = False  # a name like "Siti" alone was typed once: the next answer is taken as it is


@dataclass
class LastProtected(FlowState):
    """The roster entry of the user's last *Protected* answer: what "🔔 Remind me" subscribes to."""

    KEY: ClassVar[str] = "status_last"
    member_id: int | None = None
