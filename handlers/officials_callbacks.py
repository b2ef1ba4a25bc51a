"""The officials' buttons (`ofc:*`): inviting (/undang pickers), accepting an invite, /petugas and revocation.
Authorization never trusts them: every handler re-checks the actor, the service re-checks the role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class InviteRole(CallbackData):
    """/undang: invite an official for desa / kecamatan, or another admin (`ofc:role:official`)."""

    PREFIX = "ofc:role"
    role: Literal["official", "admin"]


@dataclass(frozen=True)
class PickKabupaten(CallbackData):
    """The kabupaten chosen: show its kecamatan (`ofc:kab:64.08`)."""

    PREFIX = "ofc:kab"
    code: str


@dataclass(frozen=True)
class PickKecamatan(CallbackData):
    """The kecamatan chosen: show its desa to tick (`ofc:kec:64.08.01`)."""

    PREFIX = "ofc:kec"
    code: str


@dataclass(frozen=True)
class ToggleDesa(CallbackData):
    """Tick / untick a desa (`ofc:t:64.08.01.2001`)."""

    PREFIX = "ofc:t"
    code: str


@dataclass(frozen=True)
class InviteWholeKecamatan(CallbackData):
    """Create the invite for a whole kecamatan (`ofc:whole:64.08.01`)."""

    PREFIX = "ofc:whole"
    code: str


@dataclass(frozen=True)
class InviteTicked(CallbackData):
    """Create the invite for the ticked desa (`ofc:ok`)."""

    PREFIX = "ofc:ok"


@dataclass(frozen=True)
class AcceptInvite(CallbackData):
    """The invited person accepts (`ofc:acc:<code>`; the code is the secret of the link)."""

    PREFIX = "ofc:acc"
    code: str


@dataclass(frozen=True)
class DeclineInvite(CallbackData):
    PREFIX = "ofc:decline"


@dataclass(frozen=True)
class OfficialsList(CallbackData):
    """/petugas as a button (`ofc:list`)."""

    PREFIX = "ofc:list"


@dataclass(frozen=True)
class RevokeAsk(CallbackData):
    """Ask before revoking an official's access (`ofc:rev:<user id>`)."""

    PREFIX = "ofc:rev"
    user_id: int


@dataclass(frozen=True)
class RevokeConfirm(CallbackData):
    """Revoke (`ofc:revok:<user id>`)."""

    PREFIX = "ofc:revok"
    user_id: int
