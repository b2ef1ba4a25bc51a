"""The audit log's pages (kind and person filters, recent actors) and the open requests per desa (issue 12), on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from bot.domain.interest import Draft, InterestService
from bot.domain.privacy import Vault
from storage.audit import AuditRepository
from storage.db import Database
from storage.interest import OPEN_STATUSES, InterestRepository
from storage.routing import WaitingRepository

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
NIKS = ["6408014505900001", "6408011203850002", "6408012507920003"]


async def test_audit_pages_filter_by_actions_and_person(db: Database) -> None:
    audit = AuditRepository(db)
    for i, (actor, action) in enumerate([(1, "roster_import"), (2, "nik_view"), (2, "export"), (3, "nik_view"),
                                         (1, "roster_undo")]):
        await audit.record(actor_id=actor, action=action, now=NOW + dt.timedelta(minutes=i), target=f"t{i}")
    entries, total = await audit.page(("nik_view", "export"), None, limit=2, offset=0)
    assert total == 3 and [e.target for e in entries] == ["t3", "t2"]  # newest first
    entries, total = await audit.page(("nik_view", "export"), None, limit=2, offset=2)
    assert total == 3 and [e.target for e in entries] == ["t1"]
    entries, total = await audit.page(None, 1, limit=10, offset=0)
    assert total == 2 and [e.action for e in entries] == ["roster_undo", "roster_import"]
    assert (await audit.page(("export",), 3, limit=10, offset=0))[1] == 0
    assert await audit.recent_actors() == [1, 3, 2]


async def test_open_requests_counted_per_desa(db: Database, vault: Vault) -> None:
    service = InterestService(InterestRepository(db), vault)
    for i, desa in enumerate(["64.08.01.2001", "64.08.01.2001", "64.08.02.2001"]):
        draft = Draft(name="Siti Aminah", nik=NIKS[i], phone="+6281234567890", desa_code=desa, occupation="farmer")
        await service.submit(100 + i, draft, "id", NOW + dt.timedelta(hours=i))
    closed = (await service.for_user(102))[0]
    waiting = WaitingRepository(db)
    found = await waiting.by_desa(OPEN_STATUSES)
    assert [(w.desa_code, w.waiting, w.oldest) for w in found] == [
        ("64.08.01.2001", 2, NOW), ("64.08.02.2001", 1, NOW + dt.timedelta(hours=2))]
    await service.repository.set_status(closed.id, "registered", None, NOW)
    assert [w.desa_code for w in await waiting.by_desa(OPEN_STATUSES)] == ["64.08.01.2001"]
