"""Helpers for the officials' tests (issue 6): requests from workers, invited officials."""

from __future__ import annotations

import datetime as dt

from bot.domain.interest import Draft, InterestRequestView
from bot.domain.roles import Actor
from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from tests.conftest import ADMIN_ID

DESA_A = "64.08.01.2001"  # Senyiur, kecamatan Muara Ancalong (K)
DESA_A2 = "64.08.01.2002"  # Kelinjau Ilir, also in K
KEC_K = "64.08.01"
DESA_B = "64.08.02.2001"  # Jak Luay, kecamatan Muara Wahau
KEC_B = "64.08.02"

# Valid NIKs (kecamatan 64.08.01, birth dates in the middle digits).
NIKS = ["6408014505900001", "6408011203850002", "6408012507920003", "6408010101800004", "6408015002950005",
        "6408011508880006", "6408016109750007", "6408010304990008"]


async def submit(bot: LocalBot, user_id: int, desa: str, *, name: str = "Siti Aminah", nik: str | None = None,
                 phone: str = "+6281234567890", occupation: str = "ojek", note: str | None = None,
                 language: str = "id") -> InterestRequestView:
    """A worker's Daftar Minat request, saved through the interest service (its hooks run)."""
    assert bot.services is not None
    draft = Draft(name=name, nik=nik or NIKS[user_id % len(NIKS)], phone=phone, desa_code=desa,
                  occupation=occupation, note=note)
    submitted = await bot.services.interest.submit(user_id, draft, language, bot.services.clock.now())
    return submitted.request


async def invite_code(bot: LocalBot, areas: list[str], role: str = "official") -> str:
    assert bot.services is not None
    created = await bot.services.officials.create_invite(Actor(ADMIN_ID, "admin"), role, areas)
    return created.payload


async def make_official(bot: LocalBot, user_id: int, areas: list[str], language_code: str = "en",
                        first_name: str = "Pak Budi") -> TelegramUser:
    """An official who opened an invite link and accepted it (through the bot)."""
    payload = await invite_code(bot, areas)
    user = bot.user(user_id, first_name=first_name, language_code=language_code)
    await user.send(f"/start {payload}")
    await user.expect_reply()
    await user.press("✅ Accept" if language_code == "en" else "✅ Terima")
    await user.expect_edit()
    return user


def texts(user: TelegramUser) -> list[str]:
    """Every text the bot has shown in this chat (latest version of each message)."""
    return [m.text or "" for m in user.double.messages_to(user.chat_id)]


def since(moment: dt.datetime, **delta: float) -> dt.datetime:
    return moment - dt.timedelta(**delta)


async def expect_text(user: TelegramUser, needle: str) -> BotMessage:
    """The next reply containing `needle` (notices about new requests may come first)."""
    for _ in range(30):
        message = await user.expect_reply()
        if needle in (message.text or ""):
            return message
    raise AssertionError(f"no reply with {needle!r}")
