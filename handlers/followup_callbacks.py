"""The follow-up buttons (`fu:*`). A request is named by id only: every press re-checks role and area on the
server (in `FollowupService`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.followup import ButtonStatus, FilterId, RefusalCode
from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class ShowQueue(CallbackData):
    """`fu:l:open:0`: one page of the queue, filtered."""

    PREFIX = "fu:l"
    filter_id: FilterId = "open"
    page: int = 0


@dataclass(frozen=True)
class OpenRequest(CallbackData):
    """`fu:o:{id}`: the request's card (from the queue, a notice, or Back)."""

    PREFIX = "fu:o"
    request_id: int


@dataclass(frozen=True)
class RevealNik(CallbackData):
    PREFIX = "fu:n"
    request_id: int


@dataclass(frozen=True)
class SetStatus(CallbackData):
    """`fu:s:{id}:contacted`; "registered" asks for a confirmation first (`ConfirmStatus`)."""

    PREFIX = "fu:s"
    request_id: int
    status: ButtonStatus


@dataclass(frozen=True)
class ConfirmStatus(CallbackData):
    PREFIX = "fu:c"
    request_id: int
    status: ButtonStatus


@dataclass(frozen=True)
class RefusalMenu(CallbackData):
    """`fu:x:{id}`: "not eligible": the preset reasons."""

    PREFIX = "fu:x"
    request_id: int


@dataclass(frozen=True)
class RefusalReason(CallbackData):
    PREFIX = "fu:r"
    request_id: int
    code: RefusalCode


@dataclass(frozen=True)
class TypeReason(CallbackData):
    """`fu:why:{id}`: the official types the reason (the `followup_text` flow)."""

    PREFIX = "fu:why"
    request_id: int


@dataclass(frozen=True)
class TypeNote(CallbackData):
    """`fu:note:{id}`: the official types a note (the `followup_text` flow)."""

    PREFIX = "fu:note"
    request_id: int
