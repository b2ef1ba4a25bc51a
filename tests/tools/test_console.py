"""`jagakerja console`: piped lines drive the real bot; messages and numbered buttons are printed."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import warnings
from argparse import Namespace
from pathlib import Path

from telegram.warnings import PTBUserWarning

from bot.runtime.console import run_console
from bot.testing.runtime import LocalBot


def console_args(db: str | None = None, user_id: int = 100001) -> Namespace:
    return Namespace(user_id=user_id, name="Siti", language_code="id", db=db)


async def test_console_script_presses_buttons_by_label_and_number(tmp_path: Path) -> None:
    script = "/start\nBahasa Indonesia\n#1\n/dataku\n"
    out = io.StringIO()
    assert await run_console(console_args(str(tmp_path / "c.db")), stdin=io.StringIO(script), stdout=out) == 0
    text = out.getvalue()
    assert "Halo! 👋 Saya JagaKerja" in text
    assert "[1] Bahasa Indonesia   [2] English" in text
    assert "Apakah Anda setuju?" in text
    assert "[1] 🛡 Cek Status Perlindungan   [2] ✅ Cek Kelayakan" in text
    assert "ID Telegram: 100001" in text
    # --db keeps the conversation: a second run is a returning user
    out2 = io.StringIO()
    await run_console(console_args(str(tmp_path / "c.db")), stdin=io.StringIO("/start\n"), stdout=out2)
    assert "Selamat datang kembali" in out2.getvalue()


def test_piped_console_needs_no_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATA_KEY", "BOT_API_URL")}
    env["PYTHONWARNINGS"] = "default"  # every warning shown once, as a developer's terminal does
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"], input="/start\n", capture_output=True, text=True,
        env=env, cwd=tmp_path, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Halo! 👋 Saya JagaKerja" in result.stdout
    assert "[1] Bahasa Indonesia" in result.stdout
    assert "Warning" not in result.stderr, result.stderr  # e.g. PTB's PTBUserWarning for the flows (issue 13)


async def test_building_the_bot_warns_about_nothing(tmp_path: Path) -> None:
    """PTB warns once per ConversationHandler that buttons are tracked per chat (our flows mean that): the flow
    module says so where the flows are built (handlers/flow.py); nothing else may warn."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", admin_ids=(1,)):
            pass
    assert [str(w.message) for w in caught if issubclass(w.category, PTBUserWarning)] == []


def test_asyncio_is_left_clean() -> None:
    # run_console is a coroutine usable from asyncio.run (what the CLI does)
    out = io.StringIO()
    assert asyncio.run(run_console(console_args(), stdin=io.StringIO(""), stdout=out)) == 0
