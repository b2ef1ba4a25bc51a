"""`jagakerja officials list|invite` (issue 13): an empty list says so; an invite link names the bot, asked from
Telegram (getMe, here the Bot API double) when BOT_TOKEN is set and no --bot-username is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.privacy import generate_key
from bot.runtime.cli import build_parser
from bot.runtime.cli import main as cli_main
from bot.runtime.officials_cli import run_officials
from bot.testing.double import BotApiDouble
from tests.conftest import ADMIN_ID


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DATA_KEY", generate_key())
    monkeypatch.setenv("ADMIN_IDS", str(ADMIN_ID))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv("BOT_API_URL", raising=False)
    assert cli_main(["migrate"]) == 0
    return tmp_path


def test_empty_list_says_so(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli_main(["officials", "list"]) == 0
    assert "no active officials" in capsys.readouterr().out


async def test_invite_asks_telegram_for_the_bot_username(cli_env: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    async with BotApiDouble(bot_username="desa_helper_bot") as double:
        monkeypatch.setenv("BOT_TOKEN", "123456:TEST-cli")
        monkeypatch.setenv("BOT_API_URL", double.base_url)
        capsys.readouterr()
        assert await run_officials(build_parser().parse_args(["officials", "invite", "--area", "6408012001"])) == 0
        out = capsys.readouterr().out
        assert "https://t.me/desa_helper_bot?start=inv_" in out and "<bot>" not in out
        assert double.calls_to("getMe")
        # --bot-username still wins (no need to ask)
        asked = len(double.calls_to("getMe"))
        args = ["officials", "invite", "--area", "6408012001", "--bot-username", "other_bot"]
        assert await run_officials(build_parser().parse_args(args)) == 0
        assert "https://t.me/other_bot?start=inv_" in capsys.readouterr().out
        assert len(double.calls_to("getMe")) == asked


def test_invite_without_token_or_username_explains_the_placeholder(
    cli_env: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert cli_main(["officials", "invite", "--area", "6408012001"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/<bot>?start=inv_" in out and "--bot-username" in out
