"""Who may do what: one place for the role checks (server side; callback data is never trusted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services import Services


async def is_admin(services: Services, user_id: int) -> bool:
    """Admins: `ADMIN_IDS` (admins added later by other admins plug in here)."""
    return services.settings.is_admin(user_id)
