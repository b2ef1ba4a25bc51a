"""Test tools: a Bot API test double and a scripted user that drives a bot through it."""

from bot.testing.double import ApiCall, ApiError, BotApiDouble, BotMessage, Fault, MessageVersion, StoredFile
from bot.testing.user import TelegramUser

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiDouble",
    "BotMessage",
    "Fault",
    "MessageVersion",
    "StoredFile",
    "TelegramUser",
]
