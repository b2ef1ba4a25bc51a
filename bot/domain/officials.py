"""Officials' roles and invites: an admin invites someone for desa / kecamatan (or as an admin); the
one-time link `t.me/<bot>?start=inv_<code>` is valid 7 days; revocation works at once. Free of Telegram types.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.regions import Region, region
from bot.domain.roles import Actor
from storage.officials import InviteRecord, OfficialRecord

if TYPE_CHECKING:
    from bot.runtime.services import Services

INVITE_VALID = dt.timedelta(days=7)
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 16  # ~95 bits: not guessable


class InviteError(ValueError):
    """Bad input for an invite (unknown area, wrong level, not an admin)."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def invite_payload(code: str) -> str:
    return f"inv_{code}"


def bot_link(bot_username: str | None, payload: str) -> str:
    return f"https://t.me/{bot_username or '<bot>'}?start={payload}"


def _hash(services: Services, code: str) -> str:
    return services.vault.lookup_hash("invite", code)


def check_areas(codes: list[str]) -> list[Region]:
    """Invites are for desa/kelurahan, kecamatan or a whole kabupaten; codes must exist."""
    found: list[Region] = []
    for code in codes:
        r = region(code)
        if r is None or r.level not in (2, 3, 4):
            raise InviteError(f"not a kabupaten, kecamatan or desa code: {code}")
        found.append(r)
    return found


@dataclass(frozen=True)
class CreatedInvite:
    code: str
    invite: InviteRecord

    @property
    def payload(self) -> str:
        return invite_payload(self.code)


async def create_invite(
    services: Services, by: Actor, role: str, area_codes: list[str], now: dt.datetime,
) -> CreatedInvite:
    if not by.is_admin:
        raise InviteError("only admins invite")
    if role == "official":
        if not area_codes:
            raise InviteError("an official needs at least one area")
        area_codes = [r.code for r in check_areas(area_codes)]
    elif role == "admin":
        area_codes = []
    else:
        raise InviteError(f"unknown role {role}")
    code = new_code()
    invite = await services.officials.create_invite(
        code_hash=_hash(services, code), role=role, area_codes=sorted(set(area_codes)), created_by=by.user_id,
        now=now, expires_at=now + INVITE_VALID,
    )
    await services.audit.record(actor_id=by.user_id, action="invite", now=now, target=f"invite#{invite.id}",
                                detail=f"{role} {','.join(invite.area_codes)}".strip())
    return CreatedInvite(code, invite)


async def find_invite(services: Services, code: str, now: dt.datetime) -> InviteRecord | None:
    """The invite behind a link when it can still be used."""
    invite = await services.officials.get_invite(_hash(services, code))
    return invite if invite is not None and invite.usable(now) else None


async def accept_invite(
    services: Services, code: str, user_id: int, name: str | None, now: dt.datetime,
) -> OfficialRecord | None:
    name_enc = services.vault.encrypt_optional(name, context="officials.name")
    official = await services.officials.accept_invite(_hash(services, code), user_id, name_enc, now)
    if official is not None:
        await services.audit.record(actor_id=user_id, action="invite_accepted", now=now,
                                    target=f"user:{user_id}", detail=f"{official.role} {','.join(official.area_codes)}")
    return official


async def revoke(services: Services, by: Actor, user_id: int, now: dt.datetime) -> bool:
    if not by.is_admin:
        raise InviteError("only admins revoke")
    done = await services.officials.revoke(user_id, by.user_id, now)
    if done:
        await services.audit.record(actor_id=by.user_id, action="revoke", now=now, target=f"user:{user_id}")
    return done


def official_name(services: Services, official: OfficialRecord) -> str | None:
    return services.vault.decrypt_optional(official.name_enc, context="officials.name")


def area_names(codes: tuple[str, ...] | list[str]) -> list[str]:
    """Readable names: `Senyiur (Muara Ancalong)`, `Kecamatan Muara Ancalong`."""
    names = []
    for code in codes:
        r = region(code)
        if r is None:
            names.append(code)
            continue
        if r.level == 4 and r.kecamatan_code:
            parent = region(r.kecamatan_code)
            names.append(f"{r.name} ({parent.name})" if parent else r.name)
        elif r.level == 3:
            names.append(f"Kec. {r.name}")
        else:
            names.append(r.name)
    return names
