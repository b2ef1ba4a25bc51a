"""Role × action × area: who may list, open, reveal a NIK, change a status, export, make a poster, invite and
read the audit log — driven through the bot with real commands and with forged / replayed callback data."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain.interest import InterestRequestView
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.exports import ExportXlsx
from handlers.followup_callbacks import ConfirmStatus, OpenRequest, RefusalReason, RevealNik, SetStatus
from handlers.officials_callbacks import InviteWholeKecamatan
from handlers.posters import PosterMake
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, DESA_A2, DESA_B, KEC_K, NIKS, make_official, submit

ROLES = ("admin", "official_desa_A", "official_kec_K", "revoked_official", "worker")
ACTIONS = ("list", "open", "reveal_nik", "change_status", "export", "poster", "invite", "audit")
AREAS = ("own", "other")

# Who may do what where: everything else must be refused.
ALLOWED: set[tuple[str, str, str]] = {
    *((role, action, area) for role in ("admin",) for action in ACTIONS for area in AREAS),
    *(("official_desa_A", a, "own") for a in ("list", "open", "reveal_nik", "change_status", "export", "poster")),
    *(("official_kec_K", a, "own") for a in ("list", "open", "reveal_nik", "change_status", "export", "poster")),
}


@dataclass
class World:
    bot: LocalBot
    requests: dict[str, InterestRequestView]
    users: dict[str, TelegramUser]

    def target(self, role: str, area: str) -> InterestRequestView:
        """The request in the role's own area, or one just outside it."""
        own_other = {
            "admin": ("A", "B"), "official_desa_A": ("A", "A2"), "official_kec_K": ("A2", "B"),
            "revoked_official": ("A", "A2"), "worker": ("A", "B"),
        }[role]
        return self.requests[own_other[0] if area == "own" else own_other[1]]


async def build_world(bot: LocalBot) -> World:
    users = {
        "admin": bot.user(ADMIN_ID, language_code="en"),
        "official_desa_A": await make_official(bot, 500001, [DESA_A]),
        "official_kec_K": await make_official(bot, 500002, [KEC_K]),
        "revoked_official": await make_official(bot, 500003, [DESA_A]),
        "worker": bot.user(100001, language_code="en"),
    }
    assert bot.services is not None
    from bot.domain.roles import Actor

    await bot.services.officials.revoke(Actor(ADMIN_ID, "admin"), 500003)
    requests = {
        "A": await submit(bot, 200001, DESA_A, name="Warga Senyiur", nik=NIKS[0]),
        "A2": await submit(bot, 200002, DESA_A2, name="Warga Kelinjau", nik=NIKS[1]),
        "B": await submit(bot, 200003, DESA_B, name="Warga Jak Luay", nik="6408024505900009"),
    }
    return World(bot, requests, users)


async def anchor(world: World, user: TelegramUser) -> int:
    """A bot message in the user's chat to attach forged callback data to."""
    update = await user.send("/bantuan")
    await world.bot.settle(update)
    return world.bot.double.messages_to(user.chat_id)[-1].message_id


def new_messages(world: World, user: TelegramUser, before: int) -> list[str]:
    return [m.text or "" for m in world.bot.double.messages_to(user.chat_id)[before:]]


async def press(world: World, user: TelegramUser, data: str) -> int:
    message_id = await anchor(world, user)
    update = await user.press_data(message_id, data)
    await world.bot.settle(update)
    return message_id


async def did(world: World, role: str, action: str, area: str) -> bool:
    """Try the action; True when it took effect."""
    bot, user = world.bot, world.users[role]
    assert bot.services is not None
    request = world.target(role, area)
    double = bot.double
    before = len(double.messages_to(user.chat_id))
    if action == "list":
        await bot.settle(await user.send("/tindaklanjut"))
        return any(OpenRequest(request.id).pack() == b.get("callback_data")
                   for m in double.messages_to(user.chat_id)[before:] for row in m.button_rows for b in row)
    if action == "open":
        message_id = await press(world, user, OpenRequest(request.id).pack())
        shown = double.find_message(user.chat_id, message_id)
        return shown is not None and request.ref in (shown.text or "")
    if action == "reveal_nik":
        views = await bot.services.audit.count("nik_view")
        message_id = await press(world, user, RevealNik(request.id).pack())
        shown = double.find_message(user.chat_id, message_id)
        revealed = shown is not None and request.nik in (shown.text or "")
        assert revealed == (await bot.services.audit.count("nik_view") == views + 1), "NIK shown without audit"
        return revealed
    if action == "change_status":
        await press(world, user, SetStatus(request.id, "contacted").pack())
        stored = await bot.services.interest.repository.get(request.id)
        changed = stored is not None and stored.status == "contacted"
        if changed:  # reset for the next role
            await bot.services.interest.repository.set_status(request.id, "new", None, bot.services.clock.now())
        return changed
    if action == "export":
        await press(world, user, ExportXlsx(request.desa_code).pack())
        return any(m.kind == "document" for m in double.messages_to(user.chat_id)[before:])
    if action == "poster":
        await press(world, user, PosterMake(request.desa_code).pack())
        return any(m.kind == "document" for m in double.messages_to(user.chat_id)[before:])
    if action == "invite":
        invites = await bot.services.audit.count("invite")
        kecamatan = request.kecamatan_code
        if area == "own":
            await bot.settle(await user.send("/undang"))
        await press(world, user, InviteWholeKecamatan(kecamatan).pack())
        return await bot.services.audit.count("invite") == invites + 1
    if action == "audit":
        await bot.settle(await user.send("/audit"))
        return any("Audit log" in t for t in new_messages(world, user, before))
    raise AssertionError(action)


async def test_role_action_area_matrix(local_bot: LocalBot) -> None:
    world = await build_world(local_bot)
    wrong: list[str] = []
    for role in ROLES:
        for action in ACTIONS:
            for area in AREAS:
                expected = (role, action, area) in ALLOWED
                if await did(world, role, action, area) != expected:
                    wrong.append(f"{role} × {action} × {area}: expected {'allowed' if expected else 'refused'}")
    assert not wrong, "\n".join(wrong)
    # Nothing that was refused leaked a name or a full NIK into the refused users' chats.
    for role in ("revoked_official", "worker"):
        seen = "\n".join(m.text or "" for m in local_bot.double.messages_to(world.users[role].chat_id))
        for request in world.requests.values():
            assert request.nik not in seen and request.name not in seen


async def test_replayed_buttons_of_another_official_are_refused(local_bot: LocalBot) -> None:
    owner = await make_official(local_bot, 500001, [DESA_A])
    stranger = await make_official(local_bot, 500004, [DESA_B])
    request = await submit(local_bot, 200001, DESA_A, name="Warga Senyiur")
    await owner.send("/tindaklanjut")
    listing = next(m for m in reversed(local_bot.double.messages_to(owner.chat_id)) if m.button_rows)
    await owner.press_index(1)
    card = await owner.expect_edit(listing)
    harvested = [str(b["callback_data"]) for row in card.button_rows for b in row if "callback_data" in b]
    harvested += [ConfirmStatus(request.id, "registered").pack(), RefusalReason(request.id, "member").pack(),
                  ExportXlsx(DESA_A).pack(), PosterMake(DESA_A).pack()]
    assert any(RevealNik.unpack(d) is not None for d in harvested)
    assert local_bot.services is not None
    for data in harvested:
        # the stranger sends the owner's exact callback data, on the owner's message id and on their own
        for message_id in (card.message_id, 1):
            update = await stranger.press_data(message_id, data)
            await local_bot.settle(update)
    stored = await local_bot.services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "new"
    seen = "\n".join(m.text or "" for m in local_bot.double.messages_to(stranger.chat_id))
    assert request.nik not in seen and "Warga Senyiur" not in seen
    assert not any(m.kind == "document" for m in local_bot.double.messages_to(stranger.chat_id))
    answers = [a for a in local_bot.double.callback_answers if a.get("show_alert")]
    assert answers, "the stranger is told, not left waiting"
    assert await local_bot.services.audit.count("nik_view") == 0


@pytest.mark.parametrize("command", ["/tindaklanjut", "/unduh", "/poster", "/undang", "/petugas", "/audit"])
async def test_worker_cannot_reach_official_or_admin_commands(local_bot: LocalBot, command: str) -> None:
    worker = local_bot.user(100001, language_code="id")
    await worker.send(command)
    reply = await worker.expect_reply()
    assert reply.text in ("Ini hanya untuk petugas desa.", "Ini hanya untuk admin.")

