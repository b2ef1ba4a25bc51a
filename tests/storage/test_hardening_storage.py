"""Issue 14 in storage (SQLite and PostgreSQL): typed status reasons encrypted (new ones at once, those stored
in clear by an older version sealed by `FollowupService.seal_reasons`), invites revoked with their maker."""

from __future__ import annotations

import datetime as dt

from bot.domain.clock import FixedClock
from bot.domain.interest import Draft, view
from bot.domain.privacy import Vault
from bot.domain.roles import Actor
from bot.domain.services import Services
from bot.runtime.services import build_services
from bot.runtime.settings import load_settings
from storage.db import Database
from storage.interest import interest_requests
from storage.officials import official_invites
from tests.conftest import ADMIN_ID

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
NIKS = ["6408014505900001", "6408011203850002", "6408012507920003"]


def _services(db: Database, vault: Vault, clock: FixedClock) -> Services:
    settings = load_settings(BOT_TOKEN="123456:TEST", DATABASE_URL="sqlite+aiosqlite://", ADMIN_IDS=str(ADMIN_ID))
    return build_services(settings, db, vault, clock)


async def test_typed_reasons_are_sealed_and_presets_stay(db: Database, vault: Vault) -> None:
    clock = FixedClock(NOW)
    services = _services(db, vault, clock)
    repository = services.interest.repository
    made = []
    for nik in NIKS:
        draft = Draft(name="Siti Aminah", nik=nik, phone="+6281234567890", desa_code="64.08.01.2001",
                      occupation="farmer")
        made.append((await services.interest.submit(100, draft, "id", NOW)).request)
    # as an older version stored them: the typed reason in clear
    await repository.set_status(made[0].id, "not_eligible", "Umur < 18", NOW)
    await repository.set_status(made[1].id, "not_eligible", "reason:member", NOW)
    admin = Actor(ADMIN_ID, "admin")
    change = await services.followup.change_status(admin, made[2].id, "not_eligible", "Sudah punya KPJ")
    assert change.changed and change.card.request.status_reason == "Sudah punya KPJ"

    assert await services.followup.seal_reasons() == 1
    assert await services.followup.seal_reasons() == 0  # idempotent
    async with db.read() as conn:
        rows = {r.id: r for r in await conn.execute(interest_requests.select())}
    assert rows[made[0].id].status_reason is None and "Umur" not in rows[made[0].id].status_reason_enc
    assert rows[made[1].id].status_reason == "reason:member" and rows[made[1].id].status_reason_enc is None
    assert rows[made[2].id].status_reason is None and "KPJ" not in rows[made[2].id].status_reason_enc
    shown = {r.id: view(vault, r).status_reason for r in await repository.get_many([m.id for m in made])}
    assert shown == {made[0].id: "Umur < 18", made[1].id: "reason:member", made[2].id: "Sudah punya KPJ"}
    # the compare-and-set still holds on the sealed column: the same decision again changes nothing
    again = await services.followup.change_status(admin, made[0].id, "not_eligible", "Umur < 18")
    assert not again.changed


async def test_revocation_takes_the_unused_invites_and_erasure_too(db: Database, vault: Vault) -> None:
    clock = FixedClock(NOW)
    services = _services(db, vault, clock)
    root = Actor(ADMIN_ID, "admin")
    invite = await services.officials.create_invite(root, "admin", [])
    assert await services.officials.accept_invite(invite.code, 42, "Budi") is not None
    added = Actor(42, "admin")
    used = await services.officials.create_invite(added, "official", ["64.08.01"])
    assert await services.officials.accept_invite(used.code, 43, "Ani") is not None
    waiting = await services.officials.create_invite(added, "admin", [])
    clock.advance(dt.timedelta(minutes=1))
    assert await services.officials.revoke(root, 42)
    async with db.read() as conn:
        rows = {r.id: r for r in await conn.execute(official_invites.select())}
    assert rows[waiting.invite.id].revoked_at is not None and rows[used.invite.id].revoked_at is None
    assert await services.officials.find_invite(waiting.code) is None
    assert await services.officials.accept_invite(waiting.code, 44, None) is None
    assert (await services.roles.actor(43)).role == "official"  # accepted before: stays

    by_official = await services.officials.create_invite(root, "admin", [])
    clock.advance(dt.timedelta(minutes=1))
    assert await services.officials.accept_invite(by_official.code, 45, "Eka") is not None
    later = await services.officials.create_invite(Actor(45, "admin"), "official", ["64.08.01"])
    await services.privacy.erase_user(45)
    assert await services.officials.accept_invite(later.code, 46, None) is None
