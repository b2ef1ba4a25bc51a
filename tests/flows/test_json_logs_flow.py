"""LOG_FORMAT=json through the real Application at DEBUG: every line is a JSON object, the lines written while an
update is handled name it (`update_id`), and no NIK, name or token is in any of them."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from bot.domain.clock import FixedClock
from bot.runtime.logging_setup import configure_logging
from bot.testing.runtime import TEST_TOKEN, LocalBot
from tests.flows.test_status import ask_status
from tests.support.flows import onboard
from tests.support.roster import SITI, import_rows


async def test_json_log_lines_name_the_update_and_hold_no_personal_data(tmp_path: Path, clock: FixedClock) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging("DEBUG", fmt="json")
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock) as bot:
            assert bot.services is not None
            await import_rows(bot.services, tmp_path, [SITI])
            user = bot.user(200001)
            await onboard(bot, user)
            assert "Terlindungi" in await ask_status(user, SITI.nik, SITI.nama)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(isinstance(line.get("update_id"), int) for line in lines)
    text = buffer.getvalue()
    for secret in (SITI.nik, "Siti", "Aminah", TEST_TOKEN.split(":")[1]):
        assert secret not in text, secret
