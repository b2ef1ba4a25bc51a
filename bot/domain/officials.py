"""Officials' roles and invites: an admin invites someone for desa / kecamatan (or as an admin); the
one-time link `t.me/<bot>?start=inv_<code>` is valid 7 days; revocation works at once, and takes the invites
the revoked person made with it; an invite older than someone's revocation never brings them back. Free of
Telegram types.

`OfficialsService` is the one door: invites (create, find, accept), the list of officials, revocation, and
the officials' personal data for /dataku and /hapusdata.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.audit import AuditService
from bot.domain.clock import Clock
from bot.domain.i18n import Translator
from bot.domain.markup import escape
from bot.domain.privacy import Vault
from bot.domain.regions import Region, region
from bot.domain.roles import Actor
from storage.officials import InviteRecord, OfficialRecord, OfficialRepository

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


def check_areas(codes: list[str]) -> list[Region]:
    """Invites are for desa/kelurahan, kecamatan or a whole kabupaten; codes must exist."""
    found: list[Region] = []
    for code in codes:
        r = region(code)
        if r is None or r.level not in (2, 3, 4):
            raise InviteError(f"not a kabupaten, kecamatan or desa code: {code}")
        found.append(r)
    return found


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


def areas_text(codes: tuple[str, ...] | list[str]) -> str:
    """The area names for a chat message (HTML-escaped, comma-separated)."""
    return ", ".join(escape(n) for n in area_names(codes))


@dataclass(frozen=True)
class CreatedInvite:
    code: str
    invite: InviteRecord

    @property
    def payload(self) -> str:
        return invite_payload(self.code)


class OfficialsService:
    """Officials and admins added by admins. Every check reads the database, so a revocation works at once."""

    def __init__(self, repository: OfficialRepository, audit: AuditService, vault: Vault, clock: Clock) -> None:
        self.repository = repository
        self.audit = audit
        self.vault = vault
        self.clock = clock
        # called with the user id after their role changed (accepted, revoked, erased): e.g. the actor cache
        self.role_changed: list[Callable[[int], None]] = []

    def _roles_changed(self, user_id: int) -> None:
        for hook in self.role_changed:
            hook(user_id)

    def _hash(self, code: str) -> str:
        return self.vault.lookup_hash("invite", code)

    async def _stored_hash(self, code: str) -> str:
        """The hash the invite is stored under: the current key's, or, while a key rotation runs, the old key's
        (an invite code is not kept, so rotate-key cannot re-hash it)."""
        hashes = self.vault.lookup_hashes("invite", code)
        for old in hashes[1:]:
            if await self.repository.get_invite(old) is not None:
                return old
        return hashes[0]

    # ------------------------------------------------------------------ invites

    async def create_invite(self, by: Actor, role: str, area_codes: list[str]) -> CreatedInvite:
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
        code, now = new_code(), self.clock.now()
        invite = await self.repository.create_invite(
            code_hash=self._hash(code), role=role, area_codes=sorted(set(area_codes)), created_by=by.user_id,
            now=now, expires_at=now + INVITE_VALID,
        )
        await self.audit.record(actor_id=by.user_id, action="invite", now=now, target=f"invite#{invite.id}",
                                detail=f"{role} {','.join(invite.area_codes)}".strip())
        return CreatedInvite(code, invite)

    async def find_invite(self, code: str, user_id: int | None = None) -> InviteRecord | None:
        """The invite behind a link when it can still be used (by this user: not when they were revoked after
        it was created, nor when its maker has been revoked)."""
        invite = await self.repository.get_invite(await self._stored_hash(code))
        if invite is None or not invite.usable(self.clock.now()):
            return None
        maker = await self.repository.get(invite.created_by)
        if maker is not None and not maker.active:
            return None
        if user_id is not None and await self.repository.revoked_since(user_id, invite.created_at):
            return None
        return invite

    async def accept_invite(self, code: str, user_id: int, name: str | None) -> OfficialRecord | None:
        """Use the invite once; None when it is used, expired, revoked or unknown, or when the user was revoked
        after it was created (an old invite never brings a revoked official or admin back)."""
        now = self.clock.now()
        name_enc = self.vault.encrypt_optional(name, context="officials.name")
        official = await self.repository.accept_invite(await self._stored_hash(code), user_id, name_enc, now)
        self._roles_changed(user_id)
        if official is not None:
            await self.audit.record(actor_id=user_id, action="invite_accepted", now=now, target=f"user:{user_id}",
                                    detail=f"{official.role} {','.join(official.area_codes)}")
        return official

    # ------------------------------------------------------------------ officials

    async def revoke(self, by: Actor, user_id: int) -> bool:
        """Take the role away at once, with the unused invites the user created (audited in the same
        transaction); False when the user had none (any more)."""
        if not by.is_admin:
            raise InviteError("only admins revoke")
        revoked = await self.repository.revoke(user_id, by.user_id, self.clock.now())
        self._roles_changed(user_id)
        return revoked

    def name(self, official: OfficialRecord) -> str | None:
        return self.vault.decrypt_optional(official.name_enc, context="officials.name")

    def display_name(self, official: OfficialRecord) -> str:
        return self.name(official) or str(official.user_id)

    async def get(self, user_id: int) -> OfficialRecord | None:
        """The record, revoked or not (None once erased)."""
        return await self.repository.get(user_id)

    async def active(self, user_id: int) -> OfficialRecord | None:
        return await self.repository.active(user_id)

    async def list_active(self) -> list[OfficialRecord]:
        return await self.repository.list_active()

    async def active_ids(self) -> set[int]:
        return await self.repository.active_ids()

    async def officials_for(self, desa_code: str) -> list[int]:
        """Active officials whose areas contain this desa (admins without an area are not included)."""
        return await self.repository.officials_for(desa_code)

    # ------------------------------------------------------------------ personal data

    async def erase(self, user_id: int) -> None:
        """/hapusdata: the notes officials wrote about this worker; and, for an official, the role, areas and
        name (their audit entries stay)."""
        await self.repository.erase_worker(user_id)
        await self.repository.erase(user_id, self.clock.now())
        self._roles_changed(user_id)

    async def describe(self, user_id: int, t: Translator) -> list[str]:
        official = await self.repository.active(user_id)
        if official is None:
            return []
        areas = t.gettext("admin") if official.role == "admin" else areas_text(official.area_codes)
        return [t.gettext("Official for: {areas} (since {date})").format(areas=areas,
                                                                         date=t.date(official.created_at))]
