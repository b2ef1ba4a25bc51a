"""Issue 14, item 3: invites die with their maker's rights, and no invite older than a revocation brings the
revoked person back. Through the chat: /undang, /petugas, the invite link (`/start inv_…`) and its Accept button."""

from __future__ import annotations

import datetime as dt

from bot.domain.clock import FixedClock
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, make_official

EXPIRED = "does not work any more"


async def _admin_invite(admin: TelegramUser) -> str:
    """An admin invite made in the chat (/undang → 🛡 Another admin); its `inv_…` payload."""
    await admin.send("/undang")
    await admin.expect_reply()
    await admin.press("🛡 Another admin")
    created = await admin.expect_edit()
    return (created.text or "").split("start=", 1)[1].split()[0]


async def _official_invite(admin: TelegramUser) -> str:
    """An invite for the whole kecamatan Muara Ancalong, made in the chat; its payload."""
    await admin.send("/undang")
    await admin.expect_reply()
    await admin.press("🏘 Official for desa / kecamatan")
    await admin.expect_edit()
    await admin.press("Kutai Timur")
    await admin.expect_edit()
    await admin.press("Muara Ancalong")
    await admin.expect_edit()
    await admin.press("🏘 The whole kecamatan")
    created = await admin.expect_edit()
    return (created.text or "").split("start=", 1)[1].split()[0]


async def _accept(user: TelegramUser, payload: str) -> str:
    await user.send(f"/start {payload}")
    offer = await user.expect_reply()
    if EXPIRED in (offer.text or ""):
        return offer.text or ""
    await user.press("✅ Accept")
    return (await user.expect_edit()).text or ""


async def _revoke(admin: TelegramUser, name: str) -> None:
    await admin.send("/petugas")
    await admin.expect_reply()
    await admin.press(f"🚫 {name}")
    await admin.expect_edit()
    await admin.press("🚫 Yes, revoke")
    assert "revoked" in ((await admin.expect_edit()).text or "")


async def test_revoking_an_admin_revokes_the_invites_they_made(local_bot: LocalBot, clock: FixedClock) -> None:
    root = local_bot.user(ADMIN_ID, language_code="en")
    added = local_bot.user(700001, first_name="Admin Tambahan", language_code="en")
    assert "admin" in await _accept(added, await _admin_invite(root))
    clock.advance(dt.timedelta(minutes=5))
    own_way_back = await _admin_invite(added)  # the added admin keeps an admin invite for later
    for_a_friend = await _official_invite(added)
    friend = local_bot.user(700003, first_name="Teman", language_code="en")
    await friend.send(f"/start {for_a_friend}")  # the offer is on screen before the revocation
    assert "Accept?" in ((await friend.expect_reply()).text or "")

    clock.advance(dt.timedelta(minutes=5))
    await _revoke(root, "Admin Tambahan")
    assert local_bot.services is not None
    revocation = next(e for e in await local_bot.services.audit.recent() if e.action == "revoke")
    assert revocation.target == "user:700001" and revocation.detail == "invites=2"

    clock.advance(dt.timedelta(minutes=5))
    assert EXPIRED in await _accept(added, own_way_back)
    await added.send("/undang")
    assert "only for admins" in ((await added.expect_reply()).text or "")
    assert not await local_bot.services.roles.is_admin(700001)
    await friend.press("✅ Accept")  # the button of the offer shown before the revocation
    assert EXPIRED in ((await friend.expect_edit()).text or "")
    stranger = local_bot.user(700004, language_code="en")
    assert EXPIRED in await _accept(stranger, for_a_friend)
    assert (await local_bot.services.roles.actor(700003)).role == "worker"
    assert (await local_bot.services.roles.actor(700004)).role == "worker"


async def test_a_revoked_official_is_not_reinstated_by_an_older_invite(local_bot: LocalBot, clock: FixedClock) -> None:
    root = local_bot.user(ADMIN_ID, language_code="en")
    official = await make_official(local_bot, 500001, [DESA_A], first_name="Bu Rina")
    older_admin_invite = await _admin_invite(root)  # made before the revocation (for someone else)
    older_official_invite = await _official_invite(root)
    await official.send(f"/start {older_admin_invite}")  # seen before the revocation
    assert "Accept?" in ((await official.expect_reply()).text or "")
    clock.advance(dt.timedelta(minutes=5))
    await _revoke(root, "Bu Rina")
    assert local_bot.services is not None

    clock.advance(dt.timedelta(minutes=5))
    await official.press("✅ Accept")
    assert EXPIRED in ((await official.expect_edit()).text or "")
    assert EXPIRED in await _accept(official, older_official_invite)
    assert (await local_bot.services.roles.actor(500001)).role == "worker"
    await local_bot.services.erase_user(500001)  # /hapusdata: the official's row goes, the refusal stays
    assert EXPIRED in await _accept(official, older_admin_invite)
    assert (await local_bot.services.roles.actor(500001)).role == "worker"

    someone_else = local_bot.user(500002, language_code="en")  # the older invites still work for others
    assert "You now serve" in await _accept(someone_else, older_official_invite)
    clock.advance(dt.timedelta(minutes=5))
    fresh = await _official_invite(root)  # a new invite, made after the revocation, does bring them back
    assert "You now serve" in await _accept(official, fresh)
    assert (await local_bot.services.roles.actor(500001)).role == "official"
