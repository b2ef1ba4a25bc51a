"""Officials: invites through /undang, accepting the link, /petugas and revocation, the CLI, storage."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.domain.privacy import Vault, generate_key
from bot.domain.roles import Actor, can_access
from bot.runtime.cli import main as cli_main
from bot.runtime.services import build_services
from bot.runtime.settings import load_settings
from bot.testing.runtime import LocalBot
from storage.db import Database
from tests.conftest import ADMIN_ID
from tests.support.officials import DESA_A, DESA_A2, DESA_B, KEC_B, KEC_K, make_official, texts

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


async def test_admin_invites_two_desa_with_pickers_and_official_accepts(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, first_name="Admin", language_code="en")
    await admin.send("/undang")
    await admin.expect_reply()
    await admin.press("🏘 Official for desa / kecamatan")
    await admin.expect_edit()
    await admin.press("Kutai Timur")
    await admin.expect_edit()
    await admin.press("Muara Ancalong")
    await admin.expect_edit()
    await admin.press("Senyiur")
    await admin.expect_edit()
    await admin.press("Kelinjau Ilir")
    picker = await admin.expect_edit()
    assert "✅ Senyiur" in [label for row in picker.buttons for label in row]
    await admin.press("✉️ Create invite (2 desa)")
    created = await admin.expect_edit()
    text = created.text or ""
    assert "Senyiur (Muara Ancalong)" in text and "Kelinjau Ilir (Muara Ancalong)" in text
    assert "29 November 2026" in text  # valid 7 days
    link = next(word for word in text.split() if word.startswith("https://t.me/jagakerja_bot?start=inv_"))
    payload = link.split("start=", 1)[1]

    official = local_bot.user(500001, first_name="Pak Budi", language_code="en")
    await official.send(f"/start {payload}")
    offer = await official.expect_reply()
    assert "Senyiur" in (offer.text or "") and "Kelinjau Ilir" in (offer.text or "")
    await official.press("✅ Accept")
    welcome = await official.expect_edit()
    assert "You now serve" in (welcome.text or "")
    assert local_bot.services is not None
    assert await local_bot.services.roles.official_area_codes(500001) == [DESA_A, DESA_A2]
    scoped = local_bot.double.commands.get(("chat:500001", "")) or next(
        (v for k, v in local_bot.double.commands.items() if "500001" in k[0]), [])
    assert any(c["command"] == "tindaklanjut" for c in scoped)
    assert await local_bot.services.audit.count("invite") == 1
    assert await local_bot.services.audit.count("invite_accepted") == 1

    # The link works once.
    other = local_bot.user(500002, language_code="en")
    await other.send(f"/start {payload}")
    refused = await other.expect_reply()
    assert "does not work any more" in (refused.text or "")
    assert (await local_bot.services.roles.actor(500002)).role == "worker"


async def test_whole_kecamatan_invite_in_indonesian_and_expiry(local_bot: LocalBot, clock: FixedClock) -> None:
    admin = local_bot.user(ADMIN_ID, first_name="Admin", language_code="id")
    await admin.send("/undang")
    await admin.expect_reply()
    await admin.press("🏘 Petugas desa / kecamatan")
    await admin.expect_edit()
    await admin.press("Kutai Timur")
    await admin.expect_edit()
    await admin.press("Muara Wahau")
    await admin.expect_edit()
    await admin.press("🏘 Seluruh kecamatan")
    created = await admin.expect_edit()
    assert "Kec. Muara Wahau" in (created.text or "")
    payload = (created.text or "").split("start=", 1)[1].split()[0]

    clock.advance(dt.timedelta(days=7, minutes=1))
    late = local_bot.user(500003, language_code="id")
    await late.send(f"/start {payload}")
    assert "tidak berlaku lagi" in ((await late.expect_reply()).text or "")


async def test_invite_survives_restart_while_picking(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/undang")
    await admin.expect_reply()
    await admin.press("🏘 Official for desa / kecamatan")
    await admin.expect_edit()
    await admin.press("Kutai Timur")
    await admin.expect_edit()
    await admin.press("Muara Ancalong")
    await admin.expect_edit()
    await admin.press("Senyiur")
    await admin.expect_edit()
    await local_bot.restart()
    await admin.press("Long Nah")
    picker = await admin.expect_edit()
    assert "✉️ Create invite (2 desa)" in [label for row in picker.buttons for label in row]


async def test_list_and_revoke_takes_effect_at_once(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500010, [DESA_A], first_name="Bu Rina")
    await official.send("/tindaklanjut")
    assert "Follow-up" in ((await official.expect_reply()).text or "")

    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/petugas")
    listing = await admin.expect_reply()
    assert "Bu Rina (500010)" in (listing.text or "") and "Senyiur" in (listing.text or "")
    await admin.press("🚫 Bu Rina")
    await admin.expect_edit()
    await admin.press("🚫 Yes, revoke")
    done = await admin.expect_edit()
    assert "revoked" in (done.text or "")

    await official.send("/tindaklanjut")
    assert "only for village officials" in ((await official.expect_reply()).text or "")
    assert local_bot.services is not None
    assert await local_bot.services.audit.count("revoke") == 1
    assert 500010 not in await local_bot.services.officials.active_ids()


async def test_admin_invites_another_admin(local_bot: LocalBot) -> None:
    admin = local_bot.user(ADMIN_ID, language_code="en")
    await admin.send("/undang")
    await admin.expect_reply()
    await admin.press("🛡 Another admin")
    created = await admin.expect_edit()
    payload = (created.text or "").split("start=", 1)[1].split()[0]
    new_admin = local_bot.user(700001, language_code="en")
    await new_admin.send("/undang")
    assert "only for admins" in ((await new_admin.expect_reply()).text or "")
    await new_admin.send(f"/start {payload}")
    await new_admin.expect_reply()
    await new_admin.press("✅ Accept")
    assert "admin" in ((await new_admin.expect_edit()).text or "")
    assert local_bot.services is not None
    assert await local_bot.services.roles.is_admin(700001)
    await new_admin.send("/undang")
    assert "Who do you want to invite?" in ((await new_admin.expect_reply()).text or "")


async def test_worker_and_official_cannot_invite(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500020, [DESA_A])
    worker = local_bot.user(100001, language_code="en")
    for user in (official, worker):
        for command in ("/undang", "/petugas", "/audit"):
            await user.send(command)
            assert "only for admins" in ((await user.expect_reply()).text or "")
    assert not any("Invite created" in t for t in texts(official) + texts(worker))


def test_can_access_by_prefix() -> None:
    assert can_access([KEC_K], DESA_A)
    assert can_access([DESA_A], DESA_A)
    assert not can_access([DESA_A], DESA_A2)
    assert not can_access(["64.08.0"], DESA_A)  # a prefix of digits is not an area
    assert not can_access([], DESA_A)
    assert Actor(1, "admin").can_access(DESA_B)


async def test_repository_invites_once_and_areas(db: Database) -> None:
    settings = load_settings(BOT_TOKEN="123456:TEST", DATA_KEY=generate_key(), DATABASE_URL="sqlite+aiosqlite://",
                             ADMIN_IDS=str(ADMIN_ID))
    clock = FixedClock(NOW)
    services = build_services(settings, db, Vault(settings.data_key()), clock)
    admin = Actor(ADMIN_ID, "admin")
    first = await services.officials.create_invite(admin, "official", [DESA_A, KEC_B])
    assert await services.officials.find_invite(first.code) is not None
    official = await services.officials.accept_invite(first.code, 42, "Budi")
    assert official is not None and official.area_codes == (DESA_A, KEC_B)
    assert await services.officials.accept_invite(first.code, 43, "Eve") is None
    assert await services.officials.officials_for(DESA_A) == [42]
    assert await services.officials.officials_for("64.08.02.2005") == [42]
    assert await services.officials.officials_for(DESA_A2) == []
    second = await services.officials.create_invite(admin, "official", [DESA_A2])
    await services.officials.accept_invite(second.code, 42, "Budi")  # more areas for the same official
    assert (await services.officials.active(42)).area_codes == (DESA_A, DESA_A2, KEC_B)  # type: ignore[union-attr]
    assert await services.officials.revoke(admin, 42)
    assert await services.officials.officials_for(DESA_A) == []
    assert (await services.roles.actor(42)).role == "worker"
    expired = await services.officials.create_invite(admin, "official", [DESA_A])
    clock.advance(dt.timedelta(days=8))
    assert await services.officials.accept_invite(expired.code, 44, None) is None
    with pytest.raises(ValueError):
        await services.officials.create_invite(admin, "official", ["99.99.99.9999"])
    with pytest.raises(ValueError):
        await services.officials.create_invite(Actor(42, "official", (DESA_A,)), "official", [DESA_A])


def test_cli_invite_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("DATA_KEY", generate_key())
    monkeypatch.setenv("ADMIN_IDS", str(ADMIN_ID))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert cli_main(["migrate"]) == 0
    assert cli_main(["officials", "invite", "--area", "6408012001", "--bot-username", "jk_bot"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/jk_bot?start=inv_" in out and "Senyiur" in out
    payload = out.split("start=", 1)[1].split()[0]
    code = payload.removeprefix("inv_")

    async def accept() -> None:
        db = Database(os.environ["DATABASE_URL"])
        try:
            services = build_services(load_settings(), db, Vault(os.environ["DATA_KEY"]))
            assert await services.officials.accept_invite(code, 4242, "Budi") is not None
        finally:
            await db.close()

    import asyncio

    asyncio.run(accept())
    assert cli_main(["officials", "list"]) == 0
    listing = capsys.readouterr().out
    assert "4242" in listing and "64.08.01.2001" in listing
    assert cli_main(["officials", "revoke", "4242"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert cli_main(["officials", "revoke", "4242"]) == 1
    assert cli_main(["officials", "invite", "--area", "12"]) == 2


async def test_dataku_lists_the_role_and_hapusdata_removes_it(local_bot: LocalBot) -> None:
    official = await make_official(local_bot, 500030, [DESA_A])
    await official.send("/dataku")
    mine = await official.expect_reply()
    assert "Official for: Senyiur (Muara Ancalong)" in (mine.text or "")
    assert local_bot.services is not None
    await local_bot.services.erase_user(500030)
    assert (await local_bot.services.roles.actor(500030)).role == "worker"
    assert await local_bot.services.officials.get(500030) is None
