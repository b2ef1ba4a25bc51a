"""/healthz, /readyz and /metrics (webhook server and polling mode's health server), the metrics' labels, the
webhook settings, and the Bot API double acting like Telegram for webhooks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.domain.clock import FixedClock
from bot.runtime.health import HealthServer, readiness
from bot.runtime.metrics import Metrics, metrics_for, observe_roster, send_error_kind
from bot.runtime.settings import SettingsError, load_settings
from bot.testing.double import BotApiDouble
from bot.testing.runtime import TEST_TOKEN
from storage.db import Database
from tests.support.db import PG_SKIP_REASON, postgres_database, postgres_url, sqlite_database
from tests.support.flows import onboard
from tests.support.webhook import WebhookBot


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


@pytest.fixture
async def webhook_bot(tmp_path: Path, clock: FixedClock) -> AsyncIterator[WebhookBot]:
    async with WebhookBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock) as bot:
        yield bot


# ----------------------------------------------------------------------------- probes


async def test_healthz_and_readyz_on_the_webhook_server(webhook_bot: WebhookBot) -> None:
    assert await _get(webhook_bot.endpoint("/healthz")) == (200, "ok\n")
    assert await _get(webhook_bot.endpoint("/readyz")) == (200, "ready\n")


async def test_metrics_show_the_updates_handled_after_a_conversation(webhook_bot: WebhookBot) -> None:
    user = webhook_bot.user(100011)
    await onboard(webhook_bot, user)
    await user.send("/dataku")
    await user.expect_reply()
    status, text = await _get(webhook_bot.endpoint("/metrics"))
    assert status == 200
    assert re.search(r'jagakerja_updates_handled_total\{handler="cmd:start"\} 1\.0', text), text
    assert re.search(r'jagakerja_updates_handled_total\{handler="cmd:dataku"\} 1\.0', text)
    assert re.search(r'jagakerja_updates_handled_total\{handler="button:[^"]+"\} [1-9]', text)
    assert 'jagakerja_update_seconds_bucket{handler="cmd:start",le="+Inf"} 1.0' in text
    assert "jagakerja_inbox_depth 0.0" in text and "jagakerja_inbox_oldest_age_seconds 0.0" in text
    for kind in ("retry_after", "forbidden", "bad_request", "network", "other"):
        assert f'jagakerja_send_errors_total{{kind="{kind}"}} 0.0' in text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_readyz_needs_a_migrated_database(tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":
        opened = sqlite_database(tmp_path, migrate=False)
    else:
        url = postgres_url()
        if url is None:
            pytest.skip(PG_SKIP_REASON)
        opened = postgres_database(url, migrate=False)
    async with opened as db:
        assert (await readiness(db) or "").startswith("migrations pending")
        async with _health_server(db) as server:
            status, text = await _get(f"http://127.0.0.1:{server.port}/readyz")
            assert status == 503 and "migrations pending" in text
            assert await _get(f"http://127.0.0.1:{server.port}/healthz") == (200, "ok\n"), "alive all the same"
            await db.migrate()
            assert await _get(f"http://127.0.0.1:{server.port}/readyz") == (200, "ready\n")


async def test_readyz_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        reason = await readiness(db, timeout=5)
        assert reason is not None and reason.startswith("database unreachable")
        assert "nobody" not in reason, "never the URL"
    finally:
        await db.close()


class _FakeApp:
    """Just enough of an Application for a metrics registry."""

    handlers: dict[int, list[Any]] = {}
    error_handlers: dict[Any, Any] = {}


def _health_server(db: Database) -> Any:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def serve() -> AsyncIterator[HealthServer]:
        server = HealthServer(_FakeApp(), db, listen="127.0.0.1", port=0)  # type: ignore[arg-type]
        await server.start()
        try:
            yield server
        finally:
            await server.stop()

    return serve()


async def test_the_polling_health_server_serves_the_same_routes(tmp_path: Path) -> None:
    async with sqlite_database(tmp_path) as db, _health_server(db) as server:
        base = f"http://127.0.0.1:{server.port}"
        assert await _get(f"{base}/healthz") == (200, "ok\n")
        assert await _get(f"{base}/readyz") == (200, "ready\n")
        status, text = await _get(f"{base}/metrics")
        assert status == 200 and "jagakerja_updates_in_flight" in text
        assert (await _get(f"{base}/telegram/hook"))[0] == 404, "no webhook route in polling mode"


# ----------------------------------------------------------------------------- metrics


def _update(data: dict[str, Any]) -> Update:
    base = {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "X"}}
    if "callback_query" in data:
        query = {"id": "1", "from": base["from"], "chat_instance": "c", **data["callback_query"]}
        return Update.de_json({"update_id": 1, "callback_query": query}, None)  # type: ignore[arg-type]
    return Update.de_json({"update_id": 1, "message": {**base, **data}}, None)  # type: ignore[arg-type]


def test_handler_labels_stay_bounded_whatever_users_send() -> None:
    metrics = Metrics()
    metrics._commands = frozenset({"start", "dataku"})
    assert metrics.handler_label(_update({"text": "/start desa_123"}), None) == "cmd:start"
    assert metrics.handler_label(_update({"text": "/DATAKU@jagakerja_bot"}), None) == "cmd:dataku"
    assert metrics.handler_label(_update({"text": "/x9ZzqQ_forged"}), None) == "cmd:other"
    assert metrics.handler_label(_update({"text": "halo"}), None) == "text"
    assert metrics.handler_label(_update({"contact": {"phone_number": "1", "first_name": "a"}}), None) == "contact"
    assert metrics.handler_label(_update({"callback_query": {"data": "zz:forged:123"}}), None) == "button:?"
    assert metrics.handler_label(object(), None) == "other"


def test_each_metrics_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.send_error("forbidden")
    first.send_error("nonsense")
    assert first.registry.get_sample_value("jagakerja_send_errors_total", {"kind": "forbidden"}) == 1
    assert first.registry.get_sample_value("jagakerja_send_errors_total", {"kind": "other"}) == 1
    assert second.registry.get_sample_value("jagakerja_send_errors_total", {"kind": "forbidden"}) == 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB's note on RetryAfter's type, not ours
def test_send_error_kinds() -> None:
    assert send_error_kind(RetryAfter(dt.timedelta(seconds=3))) == "retry_after"
    assert send_error_kind(Forbidden("blocked")) == "forbidden"
    assert send_error_kind(BadRequest("x")) == "bad_request"
    assert send_error_kind(TimedOut()) == "network"
    assert send_error_kind(ValueError()) == "other"


async def test_roster_and_broadcast_gauges() -> None:
    metrics = Metrics()
    seen: list[tuple[str, int, int | None]] = []

    async def chat_progress(phase: str, done: int, total: int | None) -> None:
        seen.append((phase, done, total))

    progress = observe_roster(metrics, chat_progress)
    await progress("validate", 500, 2000)
    await progress("apply", 10, None)
    assert seen == [("validate", 500, 2000), ("apply", 10, None)]
    sample = metrics.registry.get_sample_value
    assert sample("jagakerja_roster_import_rows", {"phase": "validate", "what": "done"}) == 500
    assert sample("jagakerja_roster_import_rows", {"phase": "validate", "what": "total"}) == 2000
    metrics.broadcast_progress(7, sent=90, failed=3, open_=7, total=100)
    assert sample("jagakerja_broadcast_recipients", {"job": "7", "state": "sent"}) == 90
    metrics.set_inbox(4, 12.5)
    assert sample("jagakerja_inbox_depth") == 4 and sample("jagakerja_inbox_oldest_age_seconds") == 12.5


async def test_a_failing_handler_counts_as_failed(webhook_bot: WebhookBot) -> None:
    assert webhook_bot.app is not None
    metrics = metrics_for(webhook_bot.app)
    user = webhook_bot.user(100012)
    await onboard(webhook_bot, user)
    assert webhook_bot.services is not None

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom (test)")

    webhook_bot.services.users.get = broken  # type: ignore[method-assign]
    await user.send("/dataku")
    await user.expect_reply()  # the apology from the error handler
    assert metrics.registry.get_sample_value("jagakerja_updates_failed_total", {"handler": "cmd:dataku"}) == 1


# ----------------------------------------------------------------------------- settings


def test_webhook_settings_are_checked() -> None:
    base: dict[str, Any] = {"_env_file": None, "BOT_TOKEN": TEST_TOKEN}
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET: is required"):
        load_settings(**base, WEBHOOK_URL="https://bot.example.org/tg")
    with pytest.raises(SettingsError, match="WEBHOOK_URL: must be https"):
        load_settings(**base, WEBHOOK_URL="http://bot.example.org/tg", WEBHOOK_SECRET="abc")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET: must be 1-256"):
        load_settings(**base, WEBHOOK_URL="https://bot.example.org/tg", WEBHOOK_SECRET="no spaces")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET: must be 1-256"):
        load_settings(**base, WEBHOOK_URL="https://bot.example.org/tg", WEBHOOK_SECRET="x" * 257)
    with pytest.raises(SettingsError, match="WEBHOOK_URL: the path is taken"):
        load_settings(**base, WEBHOOK_URL="https://bot.example.org/metrics", WEBHOOK_SECRET="abc")
    ok = load_settings(**base, WEBHOOK_URL="http://127.0.0.1:8080/tg", WEBHOOK_SECRET="a-B_9")
    assert ok.WEBHOOK_PORT == 8080 and ok.WEBHOOK_LISTEN == "0.0.0.0"
    assert load_settings(**base).WEBHOOK_URL is None, "polling stays the default"


# ----------------------------------------------------------------------------- the double


async def _call(double: BotApiDouble, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(
        f"{double.base_url}{TEST_TOKEN}/{method}", json=params
    ) as response:
        return response.status, await response.json()


async def test_the_double_acts_like_telegram_for_webhooks() -> None:
    async with BotApiDouble() as double:
        status, body = await _call(double, "setWebhook", url="http://example.org/hook")
        assert status == 400 and "HTTPS" in body["description"]
        status, body = await _call(double, "setWebhook", url="https://example.org/hook", secret_token="bad token")
        assert status == 400 and "secret token" in body["description"]
        assert (await _call(double, "setWebhook", url="http://127.0.0.1:1/hook", secret_token="ok",
                            allowed_updates=["message"]))[0] == 200
        status, body = await _call(double, "getUpdates")
        assert status == 409 and "webhook is active" in body["description"]
        info = (await _call(double, "getWebhookInfo"))[1]["result"]
        assert info["url"] == "http://127.0.0.1:1/hook" and info["allowed_updates"] == ["message"]
        double.push_update({"message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                                        "text": "hi"}})
        await double.wait_for(lambda: len(double.webhook.attempts) >= 2, what="two delivery attempts")
        assert {a.status for a in double.webhook.attempts} == {0}, "nobody listens on port 1: retried"
        info = (await _call(double, "getWebhookInfo"))[1]["result"]
        assert info["pending_update_count"] == 1 and info["last_error_message"]
        assert (await _call(double, "deleteWebhook"))[0] == 200
        status, body = await _call(double, "getUpdates")
        assert status == 200 and [u["message"]["text"] for u in body["result"]] == ["hi"], "kept for getUpdates"


async def test_broadcast_progress_is_read_from_the_database_at_each_scrape(webhook_bot: WebhookBot) -> None:
    from bot.domain.audience import Audience
    from bot.domain.broadcast import Content, Draft

    assert webhook_bot.services is not None and webhook_bot.app is not None
    broadcasts = webhook_bot.services.broadcasts
    later = webhook_bot.clock.now() + dt.timedelta(days=1)
    job_id = await broadcasts.create(900001, Draft(Content("text", "Halo"), Audience("everyone")), scheduled_at=later)
    text = (await metrics_for(webhook_bot.app).render()).decode()
    assert f'jagakerja_broadcast_recipients{{job="{job_id}",state="sent"}} 0.0' in text
    assert f'jagakerja_broadcast_recipients{{job="{job_id}",state="total"}}' in text


async def test_broadcast_send_errors_are_counted_by_kind(webhook_bot: WebhookBot) -> None:
    from bot.domain.broadcast import Blocked, Content

    assert webhook_bot.services is not None and webhook_bot.app is not None
    transport = webhook_bot.services.broadcasts.transport
    assert transport is not None, "attached at start so its senders are counted"
    webhook_bot.double.block_user(555001)
    async with transport.open_sender() as sender:
        with pytest.raises(Blocked):
            await sender.send(555001, Content("text", "Halo"))
        assert await sender.send(555002, Content("text", "Halo")) > 0
    sample = metrics_for(webhook_bot.app).registry.get_sample_value
    assert sample("jagakerja_send_errors_total", {"kind": "forbidden"}) == 1
    assert sample("jagakerja_send_errors_total", {"kind": "network"}) == 0


async def test_inbox_depth_and_age_while_updates_wait(webhook_bot: WebhookBot) -> None:
    assert webhook_bot.inbox is not None and webhook_bot.app is not None
    await webhook_bot.inbox.stop()  # the workers stop: what arrives now waits in the inbox
    user = webhook_bot.user(100013)
    first = await user.send("/start")
    await webhook_bot.double.wait_until_fetched(first)  # delivered: the webhook answered 200, so it is stored
    await user.send("/bantuan")
    await webhook_bot.double.wait_for(lambda: not webhook_bot.double.pending_updates, what="both delivered")
    text = (await metrics_for(webhook_bot.app).render()).decode()
    assert "jagakerja_inbox_depth 2.0" in text, text
    found = re.search(r"^jagakerja_inbox_oldest_age_seconds (\S+)$", text, re.M)
    assert found is not None and 0 <= float(found.group(1)) < 600
