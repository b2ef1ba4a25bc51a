"""Webhook mode end to end: the Bot API double POSTs updates to the real Application's webhook server, as
Telegram does (secret header, retries on non-200), and the durable inbox handles them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.domain.clock import FixedClock
from bot.runtime.webhook import SECRET_HEADER
from tests.conftest import ADMIN_ID
from tests.support.flows import MENU_ID, flat, onboard
from tests.support.webhook import PATH, SECRET, WebhookBot, recording


@pytest.fixture
async def accepted() -> list[dict[str, Any]]:
    return []


@pytest.fixture
async def webhook_bot(tmp_path: Path, clock: FixedClock, accepted: list[dict[str, Any]]
                      ) -> AsyncIterator[WebhookBot]:
    async with WebhookBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, admin_ids=(ADMIN_ID,),
                          wrap_accept=recording(accepted)) as bot:
        yield bot


async def _post(bot: WebhookBot, body: bytes, secret: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with aiohttp.ClientSession() as session, session.post(bot.endpoint(), data=body, headers=headers) as r:
        return r.status, await r.text()


async def test_a_conversation_works_through_the_webhook(webhook_bot: WebhookBot) -> None:
    double = webhook_bot.double
    (call,) = double.calls_to("setWebhook")
    assert call.params["url"] == webhook_bot.url and call.params["url"].endswith(PATH)
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert not call.params.get("drop_pending_updates")

    user = webhook_bot.user(100001)
    menu = await onboard(webhook_bot, user)
    assert flat(menu.buttons) == MENU_ID
    await user.press("💰 Manfaat & Iuran")
    assert (await user.expect_reply()).text
    assert not double.pending_updates, "every update was delivered and answered 200"
    assert all(a.status == 200 for a in double.webhook.attempts)
    assert not double.calls_to("getUpdates"), "webhook mode never polls"


async def test_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    webhook_bot: WebhookBot, accepted: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    update = b'{"update_id": 777, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},' \
             b' "from": {"id": 5, "is_bot": false, "first_name": "X"}, "text": "/start"}}'
    with caplog.at_level(logging.WARNING):
        assert (await _post(webhook_bot, update, "wrong-secret"))[0] == 403
        assert (await _post(webhook_bot, update, None))[0] == 403
        assert (await _post(webhook_bot, update, SECRET + "x"))[0] == 403
    assert accepted == [], "nothing reaches the inbox"
    assert webhook_bot.services is not None and await webhook_bot.services.users.get(5) is None
    assert not webhook_bot.double.messages_to(5)
    assert "refused" in caplog.text and "wrong-secret" not in caplog.text and SECRET not in caplog.text


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "7"}', b'{"update_id": true}',
                                  b'{"message": {}}', b"\xff\xfe"])
async def test_a_malformed_body_is_a_400(webhook_bot: WebhookBot, accepted: list[dict[str, Any]],
                                         body: bytes) -> None:
    assert (await _post(webhook_bot, body, SECRET))[0] == 400
    assert accepted == []


async def test_a_failed_store_answers_500_and_telegram_delivers_again_once(tmp_path: Path, clock: FixedClock
                                                                          ) -> None:
    calls: list[dict[str, Any]] = []
    async with WebhookBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock,
                          wrap_accept=recording(calls, fail_first=2)) as bot:
        user = bot.user(100002)
        update_id = await user.send("/start")
        reply = await user.expect_reply()
        await bot.settle(update_id)
        assert "JagaKerja" in (reply.text or "") or reply.buttons
        attempts = [a.status for a in bot.double.webhook.attempts if a.update_id == update_id]
        assert attempts == [500, 500, 200], "Telegram retries a non-200 until it gets 200"
        assert [c["update_id"] for c in calls] == [update_id] * 3
        assert len(bot.double.messages_to(user.chat_id)) == 1, "handled once"


async def test_updates_wait_while_the_bot_is_away_and_arrive_in_order(tmp_path: Path, clock: FixedClock) -> None:
    """The webhook stays set when the bot stops: Telegram queues, then delivers in order after the restart."""
    async with WebhookBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock) as bot:
        user = bot.user(100003)
        await onboard(bot, user)
        await bot._stop_app()  # the process is gone; the webhook is still set
        assert bot.double.webhook_url == bot.url
        await user.send("/bantuan")
        assert bot.double.pending_updates, "queued at Telegram while nobody answers"
        await bot._start_app()
        assert (await user.expect_reply(timeout=10)).text
        assert not bot.double.pending_updates
