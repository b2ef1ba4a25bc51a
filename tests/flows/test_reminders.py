"""Expiry reminders: opt in after a check, 30/7 days before the end, after an extension; never twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from handlers.reminders import JOB_NAME, RemindMe, run_due_reminders
from tests.support.flows import onboard
from tests.support.roster import SITI, import_rows

WITA = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=WITA).astimezone(dt.UTC)


async def opt_in(local_bot: LocalBot, tmp_path: Path, user_id: int = 300001) -> tuple[TelegramUser, str]:
    """Siti checks her protection and taps 🔔; the user and the bot's answer."""
    assert local_bot.services is not None
    await import_rows(local_bot.services, tmp_path, [SITI])
    user = local_bot.user(user_id)
    await onboard(local_bot, user)
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send(SITI.nik)
    await user.expect_reply()
    await user.send(SITI.nama)  # the second factor: the name as on the KTP (issue 13)
    await user.expect_reply()
    await user.press("🔔 Ingatkan sebelum berakhir")
    done = await user.expect_reply()
    return user, done.text or ""


async def subscribe(local_bot: LocalBot, tmp_path: Path, user_id: int = 300001) -> TelegramUser:
    user, text = await opt_in(local_bot, tmp_path, user_id)
    assert "30 hari dan 7 hari sebelum 31 Desember 2026, pukul 08.00 WITA" in text
    return user


async def run(local_bot: LocalBot, moment: dt.datetime) -> int:
    assert local_bot.services is not None and local_bot.app is not None
    local_bot.clock.set(moment)  # type: ignore[attr-defined]
    return await run_due_reminders(local_bot.services, local_bot.app.bot, moment)


async def test_reminders_30_and_7_days_before_end_once_each(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await subscribe(local_bot, tmp_path)
    end = SITI.berakhir
    assert await run(local_bot, at(end - dt.timedelta(days=31))) == 0
    assert await run(local_bot, at(end - dt.timedelta(days=30))) == 1
    reminder = await user.expect_reply()
    assert "🔔 Pengingat" in (reminder.text or "") and "31 Desember 2026" in (reminder.text or "")
    assert "Tinggal 30 hari lagi" in (reminder.text or "")
    assert [label for row in reminder.buttons for label in row] == ["🛡 Cek Status Perlindungan",
                                                                     "🔕 Berhenti pengingat"]
    assert await run(local_bot, at(end - dt.timedelta(days=30), 15)) == 0  # same day again
    await local_bot.restart()
    assert await run(local_bot, at(end - dt.timedelta(days=29))) == 0  # after a restart: still not twice
    assert await run(local_bot, at(end - dt.timedelta(days=7))) == 1
    assert "Tinggal 7 hari lagi" in ((await user.expect_reply()).text or "")
    assert await run(local_bot, at(end - dt.timedelta(days=3))) == 0
    assert await run(local_bot, at(end + dt.timedelta(days=1))) == 0
    services = local_bot.services
    assert services is not None
    sent = await services.reminders.repository.sent(300001)
    assert [(r.kind, r.status) for r in sent] == [("d30", "sent"), ("d7", "sent")]


async def test_missed_days_catch_up_with_the_latest_reminder_only(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await subscribe(local_bot, tmp_path)
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=5))) == 1  # bot was down for weeks
    text = (await user.expect_reply()).text or ""
    assert "Tinggal 5 hari lagi" in text


async def test_extension_by_a_new_import_is_announced(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await subscribe(local_bot, tmp_path)
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=30))) == 1
    await user.expect_reply()
    services = local_bot.services
    assert services is not None
    renewed = dataclasses.replace(SITI, berakhir=dt.date(2027, 12, 31))
    await import_rows(services, tmp_path, [renewed], now=at(SITI.berakhir - dt.timedelta(days=20)))
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=7))) == 1
    text = (await user.expect_reply()).text or ""
    assert "Kabar baik" in text and "31 Desember 2027" in text
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=6))) == 0  # no 7-day reminder: extended
    assert await run(local_bot, at(dt.date(2027, 12, 1))) == 1  # 30 days before the new end
    assert "31 Desember 2027" in ((await user.expect_reply()).text or "")


async def test_stop_button_and_erase_end_reminders(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await subscribe(local_bot, tmp_path)
    await user.send("/dataku")
    assert "Pengingat: aktif (perlindungan sampai 31 Desember 2026)" in ((await user.expect_reply()).text or "")
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=30))) == 1
    await user.expect_reply()
    await user.press("🔕 Berhenti pengingat")
    assert "tidak ada pengingat lagi" in ((await user.expect_reply()).text or "")
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=7))) == 0
    services = local_bot.services
    assert services is not None
    await opt_in(local_bot, tmp_path, user_id=300002)  # 7 days before: promises only what is to come
    await services.erase_user(300002)
    reminders = services.reminders.repository
    assert await reminders.get(300002) is None and await reminders.sent(300002) == []


async def test_blocked_user_is_marked_and_not_retried(local_bot: LocalBot, tmp_path: Path) -> None:
    await subscribe(local_bot, tmp_path)
    local_bot.double.block_user(300001)
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=30))) == 0
    services = local_bot.services
    assert services is not None
    assert [(r.kind, r.status) for r in await services.reminders.repository.sent(300001)] == [("d30", "failed")]
    profile = await services.users.get(300001)
    assert profile is not None and profile.blocked_at is not None


async def test_opt_in_needs_a_fresh_protected_check(local_bot: LocalBot, tmp_path: Path) -> None:
    user = local_bot.user(300003)
    await onboard(local_bot, user)
    menu = user.last_reply
    assert menu is not None
    await user.press_data(menu.message_id, RemindMe().pack())  # forged button: no check was done
    assert "cek status perlindungan dulu" in ((await user.expect_reply()).text or "")
    assert local_bot.services is not None and await local_bot.services.reminders.repository.get(300003) is None


async def test_daily_job_runs_at_eight_wita(local_bot: LocalBot) -> None:
    assert local_bot.app is not None and local_bot.app.job_queue is not None
    jobs = local_bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    assert len(jobs) == 1
    next_run = jobs[0].next_t
    assert next_run is not None
    local = next_run.astimezone(WITA)
    assert (local.hour, local.minute) == (8, 0)


async def test_opt_in_with_five_days_left_promises_no_reminder_that_has_passed(local_bot: LocalBot,
                                                                                tmp_path: Path) -> None:
    """Issue 13: with 5 days left the answer was "30 hari dan 7 hari sebelum 31 Desember" (both passed)."""
    local_bot.clock.set(at(SITI.berakhir - dt.timedelta(days=5), hour=10))  # type: ignore[attr-defined]
    user, text = await opt_in(local_bot, tmp_path)
    assert "30 hari" not in text and "7 hari sebelum" not in text
    assert "27 Desember 2026, pukul 08.00 WITA" in text  # the next daily run: today's 08.00 has passed
    assert "berakhir 31 Desember 2026, 5 hari lagi" in text and "kantor desa" in text  # what to do now
    assert await run(local_bot, at(SITI.berakhir - dt.timedelta(days=4))) == 1  # the promise is kept
    assert "Tinggal 4 hari lagi" in ((await user.expect_reply()).text or "")


async def test_opt_in_with_twenty_days_left_names_both_days_still_to_come(local_bot: LocalBot,
                                                                          tmp_path: Path) -> None:
    local_bot.clock.set(at(SITI.berakhir - dt.timedelta(days=20), hour=7))  # type: ignore[attr-defined]
    _, text = await opt_in(local_bot, tmp_path)
    assert "30 hari" not in text and "11 Desember 2026 dan 24 Desember 2026, pukul 08.00 WITA" in text
    assert "kantor desa" not in text  # not urgent yet


async def test_opt_in_on_the_last_evening_promises_nothing_and_says_what_to_do(local_bot: LocalBot,
                                                                              tmp_path: Path) -> None:
    local_bot.clock.set(at(SITI.berakhir, hour=19))  # type: ignore[attr-defined]
    _, text = await opt_in(local_bot, tmp_path)
    assert "mengingatkan" not in text and "berakhir hari ini" in text and "kantor desa" in text
    assert await run(local_bot, at(SITI.berakhir + dt.timedelta(days=1))) == 0
