"""Issue 13: the status check asks a second factor the NIK does not hold (the name as on the KTP, or the last 4
KPJ digits), a wrong answer looks exactly like an unknown NIK, and one NIK locks for the day after 3 answers that
found nothing, whoever typed them — all through the real Application and the Bot API double."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.domain.status_check import Answer, StatusService
from bot.testing.runtime import LocalBot
from bot.testing.user import TelegramUser
from storage.roster import MemberRecord
from storage.status_checks import status_nik_attempts
from tests.conftest import ADMIN_ID
from tests.flows.test_statistics import seed
from tests.support.flows import onboard
from tests.support.roster import BUDI, SITI, import_rows

UNKNOWN_NIK = "6408045708850004"  # SITI's NIK shape (same birth date, region), not on the roster
# SITI's birth date (17 Aug 1985) as people type it
BIRTH_DATE_FORMS = ["17-08-1985", "17 agustus 1985", "17 Agu 85", "17.08.85", "17081985", "17-8-85", "17/8/1985",
                    "17 8 1985", "1985-08-17"]


async def roster_and_user(local_bot: LocalBot, tmp_path: Path, user_id: int = 210001) -> TelegramUser:
    assert local_bot.services is not None
    assert (await import_rows(local_bot.services, tmp_path, [SITI, BUDI])).status == "imported"
    user = local_bot.user(user_id)
    await onboard(local_bot, user)
    return user


async def type_nik(user: TelegramUser, nik: str) -> str:
    await user.press("🛡 Cek Status Perlindungan")
    await user.expect_reply()
    await user.send(nik)
    return (await user.expect_reply()).text or ""


async def check(user: TelegramUser, nik: str, answer: str) -> str:
    await type_nik(user, nik)
    await user.send(answer)
    return (await user.expect_reply()).text or ""


def service(local_bot: LocalBot) -> StatusService:
    assert local_bot.services is not None
    return local_bot.services.status_checks


def next_day(local_bot: LocalBot) -> None:
    local_bot.clock.advance(dt.timedelta(days=1))  # type: ignore[attr-defined]


async def test_nik_and_birth_date_alone_reveal_nothing(local_bot: LocalBot, tmp_path: Path) -> None:
    """A listed NIK and an unlisted one get the same words at every step when the second answer is the birth
    date (in any form): nothing is looked up, no check is used, nothing says "found"."""
    user = await roster_and_user(local_bot, tmp_path)
    listed = await type_nik(user, SITI.nik)
    for form in BIRTH_DATE_FORMS:
        await user.send(form)
        reply = (await user.expect_reply()).text or ""
        assert "sudah ada di dalam NIK" in reply, form
        assert "Terlindungi" not in reply and "Tidak aktif" not in reply and "ditemukan" not in reply
    await user.send("/batal")
    await user.expect_reply()
    unlisted = await type_nik(user, UNKNOWN_NIK)
    assert listed.replace("0003", "0004") == unlisted
    replies = []
    for form in BIRTH_DATE_FORMS:
        await user.send(form)
        replies.append((await user.expect_reply()).text or "")
    assert all(r == replies[0] and "sudah ada di dalam NIK" in r for r in replies)
    assert await service(local_bot).repository.outcomes_for_user(210001) == []
    assert await service(local_bot).remaining(210001) == 5


@pytest.mark.parametrize(("answer", "found"), [
    ("Siti Aminah", True),
    ("siti   aminah", True),
    ("Aminah", True),  # the first name ("Siti" is a prefix many names share)
    ("Hj. Siti Aminah", True),
    ("SITI AMINAH, S.Pd.", True),
    ("Siti Aminnah", True),  # small spelling differences
    ("Siti Amina", True),
    ("5678", True),  # the last 4 digits of the KPJ 26012345678
    ("5 6 7 8", True),
    ("Siti Rahmah", False),
    ("Budi", False),
    ("1234", False),
    ("0003", False),  # the NIK's own last digits are not the KPJ's
])
async def test_second_factor_table(local_bot: LocalBot, tmp_path: Path, answer: str, found: bool) -> None:
    user = await roster_and_user(local_bot, tmp_path)
    text = await check(user, SITI.nik, answer)
    assert ("✅ Terlindungi" in text) is found, text
    assert ("🔍 Tidak ditemukan" in text) is not found, text


async def test_kpj_digits_never_match_a_member_without_kpj(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await roster_and_user(local_bot, tmp_path)
    assert "Tidak ditemukan" in await check(user, BUDI.nik, "0001")  # BUDI has no KPJ; 0001 ends his NIK
    assert "Tidak aktif" in await check(user, BUDI.nik, "Budi Santoso")


async def test_wrong_answer_and_locked_nik_read_exactly_like_an_unknown_nik(local_bot: LocalBot,
                                                                           tmp_path: Path) -> None:
    user = await roster_and_user(local_bot, tmp_path)
    wrong = await check(user, SITI.nik, "Rina")
    wrong_buttons = user.last_reply.buttons  # type: ignore[union-attr]
    unknown = await check(user, UNKNOWN_NIK, "Siti Aminah")
    assert wrong.replace("0003", "0004") == unknown and user.last_reply.buttons == wrong_buttons  # type: ignore[union-attr]
    await check(user, SITI.nik, "Rani")
    await check(user, SITI.nik, "Rini")  # the third failure: locked for today
    locked = await check(user, SITI.nik, "Siti Aminah")  # the right name, too late
    assert locked == wrong and "NIK dan nama" in locked


async def test_per_nik_cap_holds_against_ten_users(local_bot: LocalBot, tmp_path: Path) -> None:
    """Three users answer wrongly for one NIK; the seven after them, with the right name, hear "not found" too;
    the admin's /statistik counts the locked NIK; the next day the right name works again."""
    assert local_bot.services is not None
    await import_rows(local_bot.services, tmp_path, [SITI])
    users = [local_bot.user(220001 + i) for i in range(10)]
    for user in users:
        await onboard(local_bot, user)
    for user, guess in zip(users[:3], ["Rina", "5679", "Siti Rahmah"], strict=True):
        assert "Tidak ditemukan" in await check(user, SITI.nik, guess)
    for user in users[3:]:
        text = await check(user, SITI.nik, "Siti Aminah")
        assert "Tidak ditemukan" in text and "Terlindungi" not in text
    async with local_bot.db.read() as conn:  # type: ignore[union-attr]
        rows = (await conn.execute(sa.select(status_nik_attempts))).all()
    assert len(rows) == 1 and SITI.nik not in str(rows[0]) and rows[0].failures >= 3
    assert rows[0].nik_key != local_bot.services.status_checks.vault.hash_nik(SITI.nik)

    admin = local_bot.user(ADMIN_ID)
    await onboard(local_bot, admin)
    await admin.send("/statistik")
    stats = (await admin.expect_reply()).text or ""
    assert "NIK dikunci hari ini setelah 3 kali cek tidak ditemukan: 1" in stats
    await admin.expect_replies(5)  # the five charts (handlers/statistics.py)

    next_day(local_bot)
    assert "✅ Terlindungi" in await check(users[9], SITI.nik, "Aminah")
    await admin.send("/statistik")
    assert "NIK dikunci hari ini setelah 3 kali cek tidak ditemukan: 0" in ((await admin.expect_reply()).text or "")


async def test_per_nik_cap_holds_when_ten_users_answer_at_once(local_bot: LocalBot, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten users answer for one NIK in the same instant: at most three answers are compared with the roster."""
    assert local_bot.services is not None
    await import_rows(local_bot.services, tmp_path, [SITI])
    status = local_bot.services.status_checks
    compared: list[str] = []
    real_lookup = status.lookup

    async def counting_lookup(nik: object, answer: Answer) -> MemberRecord | None:
        compared.append(answer.value)
        return await real_lookup(nik, answer)  # type: ignore[arg-type]

    monkeypatch.setattr(status, "lookup", counting_lookup)
    users = [local_bot.user(230001 + i) for i in range(10)]
    for user in users:
        await onboard(local_bot, user)
        await type_nik(user, SITI.nik)
    guesses = [f"{1000 + i}" for i in range(9)] + ["5678"]  # the last one is the right KPJ ending
    updates = [await user.send(guess) for user, guess in zip(users, guesses, strict=True)]
    await asyncio.gather(*(local_bot.settle(u) for u in updates))
    replies = await asyncio.gather(*(user.expect_reply() for user in users))
    found = [r.text for r in replies if "Terlindungi" in (r.text or "")]
    assert len(compared) <= 3
    assert len(found) <= 1 and (not found or "5678" in compared)
    assert "Tidak ditemukan" in await check(users[0], SITI.nik, "Siti Aminah")  # locked whatever the order


async def test_a_common_first_word_alone_is_asked_again_once(local_bot: LocalBot, tmp_path: Path) -> None:
    user = await roster_and_user(local_bot, tmp_path)
    await type_nik(user, SITI.nik)
    await user.send("Siti")
    assert "nama lengkap" in ((await user.expect_reply()).text or "")
    assert await service(local_bot).repository.outcomes_for_user(210001) == []
    await user.send("Siti")  # asked once: the same answer is now taken as it is
    assert "Tidak ditemukan" in ((await user.expect_reply()).text or "")


async def test_median_reads_as_words_in_indonesian(local_bot: LocalBot) -> None:
    assert local_bot.db is not None
    await seed(local_bot.db)
    admin = local_bot.user(ADMIN_ID)
    await onboard(local_bot, admin)
    await admin.send("/statistik")
    text = (await admin.expect_reply()).text or ""
    assert "Waktu tengah" not in text
    assert "Median waktu sampai tindak lanjut pertama: 10 jam (separuh permintaan yang sudah ditindaklanjuti " \
           "lebih cepat dari itu)" in text
