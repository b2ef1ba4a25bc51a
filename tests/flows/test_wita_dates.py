"""Issue 13: every day shown is the WITA day, never the UTC day of a stored moment.

At 29 Nov 2026 17:30 UTC it is already 30 Nov 2026 01:30 WITA: a card showed "📝 29 Nov 2026" beside
"30 November 2026 01.30 WITA", and /petugas "since 29 Nov 2026".
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.clock import FixedClock
from bot.domain.i18n import translator
from bot.testing.runtime import LocalBot
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, expect_text, make_official, submit

LATE_EVENING_UTC = dt.datetime(2026, 11, 29, 17, 30, tzinfo=dt.UTC)  # 30 Nov 2026 01:30 WITA


@pytest.mark.parametrize(("moment", "day"), [
    (LATE_EVENING_UTC, dt.date(2026, 11, 30)),
    (LATE_EVENING_UTC.replace(tzinfo=None), dt.date(2026, 11, 30)),  # naive = UTC, as `datetime()` reads it
    (dt.datetime(2026, 11, 29, 15, 59, tzinfo=dt.UTC), dt.date(2026, 11, 29)),  # 23:59 WITA
    (dt.date(2026, 11, 29), dt.date(2026, 11, 29)),  # a day stays the same day
])
def test_translator_shows_the_wita_day(moment: dt.date, day: dt.date) -> None:
    t = translator("id")
    assert t.local_date(moment) == day
    assert t.date(moment) == t.date(day) and t.short_date(moment) == t.short_date(day)


async def test_card_note_and_officials_list_show_the_wita_day(local_bot: LocalBot, clock: FixedClock) -> None:
    clock.set(LATE_EVENING_UTC)
    official = await make_official(local_bot, 500001, [DESA_A], first_name="Bu Rina")
    await submit(local_bot, 200001, DESA_A, name="Siti Aminah")
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press_index(1)
    await official.expect_edit()
    await official.press("📝 Add a note")
    await official.expect_reply()
    await official.send("Ditelepon malam")
    await official.expect_reply()
    card = (await official.expect_reply()).text or ""
    assert "30 November 2026 01.30 WITA" in card
    assert "📝 30 Nov 2026: Ditelepon malam" in card and "29 Nov" not in card

    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/petugas")
    listing = (await admin.expect_reply()).text or ""
    assert "Bu Rina (500001)" in listing and "since 30 Nov 2026" in listing and "29 Nov" not in listing

    await official.send("/dataku")
    mine = (await official.expect_reply()).text or ""
    assert "30 November 2026" in mine and "29 November" not in mine


async def test_minatsaya_shows_the_wita_day(local_bot: LocalBot, clock: FixedClock) -> None:
    clock.set(LATE_EVENING_UTC)
    worker = local_bot.user(200001, language_code="id")
    request = await submit(local_bot, 200001, DESA_A)
    await worker.send("/minatsaya")
    mine = (await worker.expect_reply()).text or ""
    assert request.ref in mine and "30 November 2026" in mine and "29 November" not in mine
