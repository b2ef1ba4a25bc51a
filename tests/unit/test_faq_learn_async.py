"""FaqService.learn_async (issue 16): the matcher is rebuilt in a worker thread; until it is swapped in the old one
answers; when two rebuilds overlap, the one asked for last wins."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest

from bot.domain.clock import FixedClock
from bot.domain.faq import FaqService, LearnedEntry, learned_entries, matcher

PARKING = LearnedEntry("parking_fee", "id", "berapa ongkos parkir motor di pasar pagi",
                       question="Ongkos parkir pasar", answer="Tanya juru parkir.", category="privacy")


@pytest.fixture
def service() -> Iterator[FaqService]:
    faq = FaqService(FixedClock(dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)))
    yield faq
    faq.learn([])


async def test_learned_off_the_loop_and_the_latest_wins(service: FaqService) -> None:
    before = matcher()
    first = asyncio.create_task(service.learn_async([PARKING]))
    await asyncio.sleep(0)  # the first rebuild is under way in its thread: the old matcher still answers
    assert matcher() is before and service.reply_to(PARKING.phrasing).kind != "answer"
    await first
    reply = service.reply_to(PARKING.phrasing)
    assert (reply.kind, reply.entry_id) == ("answer", "parking_fee") and learned_entries() == (PARKING,)

    older = asyncio.create_task(service.learn_async([]))
    newer = asyncio.create_task(service.learn_async([PARKING]))
    await asyncio.gather(older, newer)
    assert learned_entries() == (PARKING,) and service.reply_to(PARKING.phrasing).entry_id == "parking_fee"
