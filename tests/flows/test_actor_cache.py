"""The actor cache through the real bot (issue 16): the sender's row and role come from memory between updates,
and every change — a revocation by an admin, a language change, /hapusdata — is seen by the very next update."""

from __future__ import annotations

from pathlib import Path

from bot.domain.clock import FixedClock
from bot.testing.runtime import LocalBot
from storage.users import UserRepository
from tests.conftest import ADMIN_ID
from tests.support.flows import onboard
from tests.support.officials import DESA_A, make_official


async def test_a_revocation_is_seen_by_the_officials_next_update(local_bot: LocalBot) -> None:
    assert local_bot.services is not None
    cache = local_bot.services.users.cache
    official = await make_official(local_bot, 500020, [DESA_A], first_name="Bu Sari")
    await official.send("/tindaklanjut")
    assert "only for village officials" not in ((await official.expect_reply()).text or "")
    assert 500020 not in cache  # staff are never cached: a revocation from the CLI is seen at once too

    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/petugas")
    await admin.expect_reply()
    await admin.press("🚫 Bu Sari")
    await admin.expect_edit()
    await admin.press("🚫 Yes, revoke")
    assert "revoked" in ((await admin.expect_edit()).text or "")
    assert 500020 not in cache

    await official.send("/tindaklanjut")
    assert "only for village officials" in ((await official.expect_reply()).text or "")


async def test_a_language_change_is_seen_at_once(local_bot: LocalBot) -> None:
    assert local_bot.services is not None
    cache = local_bot.services.users.cache
    user = local_bot.user(100031)
    await onboard(local_bot, user)
    await user.send("/bantuan")
    assert "Ganti bahasa" in ((await user.expect_reply()).text or "")
    assert (cached := cache.get(100031)) is not None and cached[0].language == "id"
    await user.send("/bahasa")
    await user.expect_reply()
    await user.press("English")
    assert "Language changed" in ((await user.expect_reply()).text or "")
    await user.send("/bantuan")
    assert "Change language" in ((await user.expect_reply()).text or "")
    assert (cached := cache.get(100031)) is not None and cached[0].language == "en"


async def test_hapusdata_leaves_no_cached_row(local_bot: LocalBot) -> None:
    assert local_bot.services is not None
    user = local_bot.user(100032)
    await onboard(local_bot, user)
    await user.send("/hapusdata")
    await user.expect_reply()
    await user.press("🗑 Ya, hapus")
    await user.expect_reply()
    assert 100032 not in local_bot.services.users.cache
    assert await local_bot.services.users.get(100032) is None
    await user.send("/start")  # a new user again: language first, no consent remembered
    assert "Pilih bahasa" in ((await user.expect_reply()).text or "")


async def test_multi_process_reads_the_row_on_every_update(tmp_path: Path, clock: FixedClock) -> None:
    """MULTI_PROCESS: another process may change the row at any time; the cache is off."""
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, admin_ids=(ADMIN_ID,),
                        MULTI_PROCESS=True) as bot:
        assert bot.services is not None and bot.db is not None
        user = bot.user(100033)
        await onboard(bot, user)
        assert not bot.services.users.cache.enabled and len(bot.services.users.cache) == 0
        await UserRepository(bot.db).set_language(100033, "en")  # as another process would
        await user.send("/bantuan")
        reply = (await user.expect_reply()).text or ""
        assert "/bahasa" in reply and "Change language" in reply
