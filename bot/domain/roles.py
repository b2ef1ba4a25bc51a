"""Who may do what: one place for the role checks (server side; callback data is never trusted).

Roles: worker (everyone), official (bound to desa or kecamatan by an admin's invite), admin (`ADMIN_IDS`
plus admins added by other admins). Every check reads the database, so a revocation takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.regions import contains
from storage.officials import OfficialRepository

Role = Literal["admin", "official", "worker"]


@dataclass(frozen=True)
class Actor:
    """A user with their role; `areas` are the region codes an official serves (admins: everywhere)."""

    user_id: int
    role: Role
    areas: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        """Official or admin: may use the follow-up queue, exports and posters."""
        return self.role in ("admin", "official")

    def can_access(self, code: str) -> bool:
        return self.is_admin or can_access(self.areas, code)


def can_access(area_codes: tuple[str, ...] | list[str], code: str) -> bool:
    """True when `code` (a desa, or a smaller area) lies in one of the areas."""
    return any(contains(area, code) for area in area_codes)


class RoleService:
    """Resolves who a user is; every call reads the database, so a revocation takes effect at once."""

    def __init__(self, officials: OfficialRepository, admin_ids: frozenset[int]) -> None:
        self.officials = officials
        self.admin_ids = admin_ids

    async def actor(self, user_id: int) -> Actor:
        if user_id in self.admin_ids:
            return Actor(user_id, "admin")
        found = await self.officials.active(user_id)
        if found is None:
            return Actor(user_id, "worker")
        if found.role == "admin":
            return Actor(user_id, "admin", found.area_codes)
        return Actor(user_id, "official", found.area_codes)

    async def is_admin(self, user_id: int) -> bool:
        """Admins: `ADMIN_IDS` plus admins added by other admins (active, not revoked)."""
        return (await self.actor(user_id)).is_admin

    async def official_area_codes(self, user_id: int) -> list[str]:
        """The areas an active official serves ([] for workers, revoked officials and area-less admins)."""
        found = await self.officials.active(user_id)
        return list(found.area_codes) if found is not None else []
