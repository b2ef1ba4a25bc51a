"""A key rotation seen by a worker: the bot runs with DATA_KEY=<new> and DATA_KEY_OLD=<old> while `rotate-key`
moves the roster; the status check finds people on either key, before, during (half-rotated) and after."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.clock import FixedClock
from bot.domain.key_rotation import SEALED_TABLES, KeyRotation
from bot.domain.privacy import Vault, generate_key
from bot.domain.roster import RosterService
from bot.testing.runtime import LocalBot
from storage.roster import RosterRepository
from storage.rotation import RotationRepository
from tests.flows.test_status import ask_status
from tests.support.flows import onboard
from tests.support.roster import BUDI, SITI, roster_csv

WITA = ZoneInfo("Asia/Makassar")


async def test_status_checks_work_before_during_and_after_a_rotation(tmp_path: Path, clock: FixedClock) -> None:
    old, new = generate_key(), generate_key()
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, data_key=new,
                        DATA_KEY_OLD=old) as bot:
        assert bot.db is not None
        path = tmp_path / "roster.csv"
        path.write_bytes(roster_csv([SITI, BUDI]))
        imported = await RosterService(RosterRepository(bot.db), Vault(old), clock, WITA).import_file(
            path, file_name=path.name, imported_by="test", now=clock.now())  # the roster as it was, old key
        assert imported.status == "imported"
        user = bot.user(200001)
        await onboard(bot, user)
        assert "Terlindungi" in await ask_status(user, SITI.nik, "Siti Aminah")  # before

        rotation = KeyRotation(RotationRepository(bot.db), Vault(new, (old,)), batch=1)
        roster = next(t for t in SEALED_TABLES if t.name == "roster_members")
        half = await rotation.rotate_table(roster, max_batches=1)
        assert (half.written, half.left) == (1, 1)  # one person on each key
        assert "Terlindungi" in await ask_status(user, SITI.nik, "Siti Aminah")  # during
        assert "Tidak aktif" in await ask_status(user, BUDI.nik, "Budi")

        assert all(r.left == 0 for r in await rotation.rotate())
        assert all(r.unreadable == 0 for r in await rotation.verify(Vault(new)))
    async with LocalBot(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock=clock, data_key=new) as bot:
        user = bot.user(200002)  # after: DATA_KEY_OLD removed
        await onboard(bot, user)
        assert "Terlindungi" in await ask_status(user, SITI.nik, "Siti Aminah")
        assert "Tidak aktif" in await ask_status(user, BUDI.nik, "Budi")
