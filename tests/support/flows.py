"""Reusable user scripts for tests (readable steps, no sleeps)."""

from __future__ import annotations

from bot.testing.double import BotMessage
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser

MENU_ID = ["🛡 Cek Status Perlindungan", "✅ Cek Kelayakan", "💰 Manfaat & Iuran", "❓ Tanya Jawab",
           "📝 Daftar Minat", "ℹ️ Bantuan"]
MENU_EN = ["🛡 Check protection", "✅ Check eligibility", "💰 Benefits & fees", "❓ Questions",
           "📝 Sign up interest", "ℹ️ Help"]


def flat(rows: list[list[str]]) -> list[str]:
    return [label for row in rows for label in row]


async def step(bot: LocalBot, update_id: int) -> None:
    await bot.settle(update_id)


async def onboard(bot: LocalBot, user: TelegramUser, language: str = "Bahasa Indonesia",
                  agree: bool = True) -> BotMessage:
    """/start → language → consent; returns the main-menu message."""
    await user.send("/start")
    await user.expect_reply()
    await user.press(language)
    await user.expect_reply()  # consent screen
    await user.press_index(1 if agree else 2)
    return await user.expect_reply()
