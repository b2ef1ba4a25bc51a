"""Settings from the environment or `.env` (names fixed by DESIGN.md)."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.i18n import SUPPORTED_LANGUAGES

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/jagakerja.db"
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{2,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    BOT_TOKEN: SecretStr | None = None
    BOT_API_URL: str = "https://api.telegram.org/bot"
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    ADMIN_IDS: Annotated[tuple[int, ...], NoDecode] = ()
    DATA_KEY: SecretStr | None = None
    TIMEZONE: str = "Asia/Makassar"
    DEFAULT_LANGUAGE: str = "id"
    # Broadcasts: messages per second in bulk (Telegram allows about 30) and progress edit interval.
    BROADCAST_RATE: float = Field(default=25.0, gt=0, le=1000)
    BROADCAST_PROGRESS_SECONDS: float = Field(default=3.0, gt=0, le=600)
    LOG_LEVEL: str = Field(default="INFO")
    # Protection status checks allowed per Telegram user per day (anti-enumeration).
    STATUS_CHECKS_PER_DAY: int = Field(default=5, ge=1, le=100)
    # Several `jagakerja run` processes serve this bot on one PostgreSQL (no in-process caches of shared rows).
    MULTI_PROCESS: bool = False
    # Webhook mode (polling when WEBHOOK_URL is unset): Telegram posts updates to WEBHOOK_URL with the secret.
    WEBHOOK_URL: str | None = None
    WEBHOOK_SECRET: SecretStr | None = Field(default=None, validate_default=True)  # checked against WEBHOOK_URL
    WEBHOOK_LISTEN: str = "0.0.0.0"
    WEBHOOK_PORT: int = Field(default=8080, ge=1, le=65535)
    # Polling mode: /healthz, /readyz and /metrics on this port (unset: no server). Webhook mode serves them itself.
    HEALTH_PORT: int | None = Field(default=None, ge=1, le=65535)
    LOG_FORMAT: Literal["text", "json"] = "text"
    # Key rotation: the previous DATA_KEY, still accepted until `jagakerja rotate-key` has finished.
    DATA_KEY_OLD: SecretStr | None = None
    # The HTTP client under python-telegram-bot: aiohttp (bot/runtime/aiohttp_request.py, faster) or PTB's httpx.
    HTTP_TRANSPORT: Literal["aiohttp", "httpx"] = "aiohttp"

    @field_validator("BOT_TOKEN")
    @classmethod
    def _token_format(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value()):
            raise ValueError("malformed token: expected '<digits>:<letters/digits>' as given by @BotFather")
        return value

    @field_validator("BOT_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
        if not (value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("ADMIN_IDS", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated Telegram user ids, e.g. 12345,67890") from None
        return value

    @field_validator("DATA_KEY", "DATA_KEY_OLD")
    @classmethod
    def _data_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from bot.domain.privacy import KeyError_, decode_key

            try:
                decode_key(value.get_secret_value())
            except KeyError_ as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}; use an IANA name such as Asia/Makassar") from None
        return value

    @field_validator("DEFAULT_LANGUAGE")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("WEBHOOK_URL")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("must be a URL such as https://bot.example.org/telegram/<something-secret>")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValueError("must be https (Telegram posts only to HTTPS; http is allowed for loopback tests)")
        if parts.path in ("/healthz", "/readyz", "/metrics"):
            raise ValueError("the path is taken by a health or metrics route; choose another one")
        return value

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        if value is None and info.data.get("WEBHOOK_URL"):
            raise ValueError("is required when WEBHOOK_URL is set (e.g. `python -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))'`)")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.TIMEZONE)

    def token(self) -> str:
        if self.BOT_TOKEN is None:
            raise SettingsError("BOT_TOKEN is missing: set it in the environment or .env (from @BotFather)")
        return self.BOT_TOKEN.get_secret_value()

    def data_key(self) -> str:
        if self.DATA_KEY is None:
            raise SettingsError("DATA_KEY is missing: create one with `jagakerja keygen` and set DATA_KEY")
        return self.DATA_KEY.get_secret_value()

    def old_data_keys(self) -> tuple[str, ...]:
        """The previous DATA_KEY while a key rotation runs (DATA_KEY_OLD): still read, never written."""
        return () if self.DATA_KEY_OLD is None else (self.DATA_KEY_OLD.get_secret_value(),)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.ADMIN_IDS


def load_settings(**overrides: object) -> Settings:
    """Load settings, turning validation errors into one clear message per variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {msg}")
        raise SettingsError("Invalid setting " + "; ".join(lines)) from None
