from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.privacy import generate_key
from bot.runtime.settings import SettingsError, load_settings

ALL_VARS = ("BOT_TOKEN", "BOT_API_URL", "DATABASE_URL", "ADMIN_IDS", "DATA_KEY", "TIMEZONE", "DEFAULT_LANGUAGE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ALL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.TIMEZONE == "Asia/Makassar"
    assert settings.DEFAULT_LANGUAGE == "id"
    assert settings.DATABASE_URL.startswith("sqlite+aiosqlite:///./data/")
    assert settings.ADMIN_IDS == ()


def test_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_key()
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST")
    monkeypatch.setenv("ADMIN_IDS", "11, 22,33")
    monkeypatch.setenv("DATA_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    settings = load_settings()
    assert settings.token() == "123456:TEST"
    assert settings.ADMIN_IDS == (11, 22, 33)
    assert settings.data_key() == key
    assert settings.DATABASE_URL == "postgresql+asyncpg://postgres@127.0.0.1/test"


def test_reads_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=42:abcDEF_-x\nDEFAULT_LANGUAGE=en\n")
    settings = load_settings()
    assert settings.token() == "42:abcDEF_-x"
    assert settings.DEFAULT_LANGUAGE == "en"


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("BOT_TOKEN", "not-a-token", "malformed token"),
        ("TIMEZONE", "Mars/Olympus", "unknown timezone"),
        ("ADMIN_IDS", "12,abc", "comma-separated"),
        ("DATA_KEY", "short", "DATA_KEY"),
        ("DEFAULT_LANGUAGE", "fr", "must be one of"),
        ("DATABASE_URL", "mysql://x", "sqlite+aiosqlite"),
        ("BOT_API_URL", "ftp://x", "http"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as excinfo:
        load_settings()
    assert name in str(excinfo.value)
    assert fragment in str(excinfo.value)


def test_missing_token_and_key_are_named() -> None:
    settings = load_settings()
    with pytest.raises(SettingsError, match="BOT_TOKEN is missing"):
        settings.token()
    with pytest.raises(SettingsError, match="DATA_KEY is missing"):
        settings.data_key()


def test_cli_reports_missing_token(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.runtime.cli import main

    assert main(["run"]) == 2
    assert "BOT_TOKEN is missing" in capsys.readouterr().err
