"""LOG_LEVEL=DEBUG through the real Application: no typed name, NIK, birth date, phone, profile name or the bot
token in any log record (PTB's update dumps, Bot API call dumps, httpx/httpcore lines, database drivers)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.logging_setup import configure_logging
from bot.testing.runtime import TEST_TOKEN, LocalBot
from tests.support.flows import onboard
from tests.support.roster import SITI, import_rows

NAME = "Rahmawati Wulandari"
PROFILE_NAME = "Kartinah"
INTEREST_NIK = "6408014505900001"
PHONE = "+6281234567890"
SECRETS = [
    "Rahmawati", "Wulandari", PROFILE_NAME, INTEREST_NIK, SITI.nik, "17-08-1985", "81234567890",
    TEST_TOKEN, TEST_TOKEN.split(":")[1],
]


class Everything(logging.Handler):
    """Keeps every record, formatted as the stderr handler would (message, traceback, stack)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_logs() -> Iterator[Everything]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging("DEBUG")
    httpx_logger = logging.getLogger("httpx")
    saved_httpx = httpx_logger.level
    httpx_logger.setLevel(logging.DEBUG)  # its request lines carry the URL, token included: check them too
    everything = Everything()  # first: it sees each record as created, before any handler's filter
    root.handlers.insert(0, everything)
    try:
        yield everything
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        httpx_logger.setLevel(saved_httpx)


async def test_debug_logs_hold_no_personal_data_nor_the_token(
    debug_logs: Everything, tmp_path: Path
) -> None:
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}") as bot:
        assert bot.services is not None
        await import_rows(bot.services, tmp_path, [SITI])
        user = bot.user(430001, first_name=PROFILE_NAME)
        await onboard(bot, user)
        # Cek Status: a NIK, a birth date (explained: not an answer) and the name typed.
        await user.press("🛡 Cek Status Perlindungan")
        await user.expect_reply()
        await user.send(SITI.nik)
        await user.expect_reply()
        await user.send("17-08-1985")
        await user.expect_reply()
        await user.send(SITI.nama)
        assert "Terlindungi" in ((await user.expect_reply()).text or "")
        # Daftar Minat: a name and a NIK typed, the phone shared as a contact.
        await user.press("📝 Daftar Minat")
        await user.expect_reply()
        await user.send(NAME)
        await user.expect_reply()
        await user.send(INTEREST_NIK)
        await user.expect_reply()
        await user.share_contact(PHONE)
        _, step = await user.expect_replies(2)
        for label in ("Muara Ancalong", None, "Petani", "⏭ Tanpa catatan"):  # None: the first desa offered
            await user.press(label or step.buttons[0][0])
            step = await user.expect_reply()
        assert NAME in (step.text or "")  # the summary echoes the name: the bot's own messages are checked too
        await user.press("✅ Kirim")
        assert "JK-" in ((await user.expect_reply()).text or "")
    text = "\n".join(debug_logs.lines)
    leaks = {secret: sorted({" ".join(line.split(" ")[:3]) for line in debug_logs.lines if secret in line})
             for secret in SECRETS if secret in text}
    assert not leaks, "\n".join(f"{k}: {v}" for k, v in leaks.items())
    for line in ("Processing update", "finished with return value", "Set Bot API URL", "HTTP Request", "executing"):
        assert line in text  # DEBUG was really on: PTB's dumps, httpx's and aiosqlite's lines were all checked
