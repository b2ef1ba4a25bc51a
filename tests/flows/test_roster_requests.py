"""Roster ↔ requests (issue 12) through the real Application and the Bot API double: an import that lists a
requester's NIK closes the request and tells the worker (in their language); Daftar Minat checks the roster
first; an ended member and the same NIK from another account are flagged on the officials' cards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.domain.followup import WorkerUnreachable
from bot.domain.interest import Draft
from bot.domain.roles import Actor
from bot.domain.roster_files import SampleRow
from bot.testing.runtime import LocalBot
from handlers.interest_jobs import NOTICE_JOB
from tests.conftest import ADMIN_ID
from tests.flows.test_interest_flow import fill_until_summary, labels, say, tap
from tests.support.flows import onboard
from tests.support.officials import DESA_A, KEC_K, NIKS, expect_text, make_official, submit
from tests.support.roster import SITI, import_rows


def row(nik: str, born: dt.date, *, mulai: dt.date = dt.date(2026, 1, 1),
        berakhir: dt.date = dt.date(2026, 12, 31)) -> SampleRow:
    return SampleRow(nik=nik, nama="Siti Aminah", tanggal_lahir=born, kode_desa=DESA_A, program="JKK+JKM",
                     sumber_dana="APBD", mulai=mulai, berakhir=berakhir, kpj="")


ANI = row(NIKS[0], dt.date(1990, 5, 5))  # 6408014505900001
BAYU = row(NIKS[1], dt.date(1985, 3, 12))  # 6408011203850002
ENDED = row("6408012507920001", dt.date(1992, 7, 25), mulai=dt.date(2025, 1, 1), berakhir=dt.date(2025, 12, 31))


async def test_import_closes_requests_and_tells_each_worker_in_their_language(local_bot: LocalBot,
                                                                              tmp_path: Path) -> None:
    services = local_bot.services
    assert services is not None
    english = local_bot.user(300001, language_code="en")
    await onboard(local_bot, english, language="English")
    indonesian = local_bot.user(300002)
    await onboard(local_bot, indonesian)
    first = await submit(local_bot, 300001, DESA_A, nik=ANI.nik, language="en")
    second = await submit(local_bot, 300002, DESA_A, nik=BAYU.nik)
    await services.followup.change_status(Actor(ADMIN_ID, "admin"), second.id, "contacted", None)  # no message

    result = await import_rows(services, tmp_path, [ANI, BAYU, SITI])
    assert result.status == "imported" and result.import_id is not None

    told = await english.expect_reply()
    text = told.text or ""
    assert "You are now protected until 31 December 2026" in text and first.ref in text
    assert "PLKK" in text and "2 × 24 hours" in text
    assert "🛡 Check protection" in labels(told)
    told_id = await indonesian.expect_reply()
    assert "Anda sekarang terlindungi sampai 31 Desember 2026" in (told_id.text or "")

    stored = await services.interest.repository.get(first.id)
    assert stored is not None and stored.status == "registered" and stored.roster_notice is None
    assert stored.status_reason == f"roster:{result.import_id}:new"
    other = await services.interest.repository.get(second.id)
    assert other is not None and other.status_reason == f"roster:{result.import_id}:contacted"
    entries = [e for e in await services.audit.recent() if e.actor_id == 0 and e.action == "status_change"]
    assert {e.target for e in entries} == {first.ref, second.ref}  # the system (actor 0) closed them
    assert all("→registered (roster:" in (e.detail or "") for e in entries)

    mine = await say(indonesian, "/minatsaya")
    assert "Dikonfirmasi oleh daftar peserta kabupaten" in (mine.text or "") and "roster:" not in (mine.text or "")
    official = await make_official(local_bot, 500001, [KEC_K])
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    await official.press("Registered")
    await official.expect_edit()
    await official.press_index(1)
    card = (await official.expect_edit()).text or ""
    assert f"Confirmed by the district roster (import #{result.import_id})" in card and "roster:1" not in card
    assert "On the district roster: protected until 31 Dec 2026" in card
    # The typed-reason sealing at start leaves a roster code alone (it is not typed text).
    assert await services.followup.seal_reasons() == 0


async def test_protected_worker_is_told_at_once_and_files_nothing(local_bot: LocalBot, tmp_path: Path) -> None:
    services = local_bot.services
    assert services is not None
    await import_rows(services, tmp_path, [ANI])
    worker = local_bot.user(300003)
    await onboard(local_bot, worker)
    await tap(worker, "📝 Daftar Minat")
    await say(worker, "Siti Aminah")  # the name as on the roster: the NIK alone would reveal nothing
    reply = await say(worker, ANI.nik)
    text = reply.text or ""
    assert "NIK ini sudah terdaftar sebagai peserta" in text and "Cek Status Perlindungan" in text
    assert "2026" not in text and "APBD" not in text and "Siti" not in text  # nothing of the roster on a NIK alone
    assert "🛡 Cek Status Perlindungan" in labels(reply)
    assert await services.interest.for_user(300003) == []
    await worker.press("🛡 Cek Status Perlindungan")  # the status check (second factor) takes it from here
    assert "NIK" in ((await worker.expect_reply()).text or "")


async def test_a_nik_under_another_name_reveals_nothing(local_bot: LocalBot, tmp_path: Path) -> None:
    """Daftar Minat is no NIK oracle: someone typing a protected worker's NIK under another name is not told the
    NIK is on the roster; the flow goes on as for any NIK (the official's card shows the roster entry)."""
    services = local_bot.services
    assert services is not None
    await import_rows(services, tmp_path, [ANI])
    stranger = local_bot.user(300013)
    await onboard(local_bot, stranger)
    await tap(stranger, "📝 Daftar Minat")
    await say(stranger, "Budi Santoso")
    text = (await say(stranger, ANI.nik)).text or ""
    assert "sudah terdaftar" not in text and "NIK tersimpan" in text


async def test_ended_member_and_second_account_are_flagged_on_both_cards(local_bot: LocalBot,
                                                                         tmp_path: Path) -> None:
    services = local_bot.services
    assert services is not None
    await import_rows(services, tmp_path, [ENDED])
    worker = local_bot.user(300004)
    await onboard(local_bot, worker)
    await fill_until_summary(worker, nik=ENDED.nik)
    done = await tap(worker, "✅ Kirim")
    assert "Nomor referensi Anda" in (done.text or "")
    mine = await services.interest.for_user(300004)
    other_worker = local_bot.user(300005)
    await onboard(local_bot, other_worker)
    await fill_until_summary(other_worker, nik=ENDED.nik)
    second_done = await tap(other_worker, "✅ Kirim")
    theirs = await services.interest.for_user(300005)
    assert len(mine) == len(theirs) == 1
    assert mine[0].ref not in (second_done.text or "") and "akun lain" not in (second_done.text or "")

    official = await make_official(local_bot, 500002, [KEC_K])
    await official.send("/tindaklanjut")
    await expect_text(official, "ollow-up")
    cards = []
    for index in (1, 2):
        await official.press_index(index)
        cards.append((await official.expect_edit()).text or "")
        await official.press("◀ Back to list")
        await official.expect_edit()
    for card, other in zip(cards, (mine[0].ref, theirs[0].ref), strict=True):  # newest first: theirs
        assert "Was on the district roster: ended 31 Dec 2025" in card
        assert f"The same NIK was also sent from another account: {other}" in card


class Flaky:
    """A sender that cannot reach anyone until told to."""

    def __init__(self) -> None:
        self.up = False
        self.sent: list[tuple[int, str]] = []

    async def protected(self, user_id: int, text: str, worker: bool) -> bool:
        if not self.up:
            raise WorkerUnreachable("NetworkError")
        self.sent.append((user_id, text))
        return True

    def wake(self) -> None:
        pass


async def test_a_failed_message_never_undoes_the_closing_and_is_sent_later(local_bot: LocalBot,
                                                                          tmp_path: Path) -> None:
    services = local_bot.services
    assert services is not None
    worker = local_bot.user(300006)
    await onboard(local_bot, worker)
    request = await submit(local_bot, 300006, DESA_A, nik=ANI.nik)
    assert local_bot.app is not None and local_bot.app.job_queue is not None
    for job in local_bot.app.job_queue.get_jobs_by_name(NOTICE_JOB):  # this test runs the rounds itself
        job.schedule_removal()
    flaky = Flaky()
    services.roster_requests.attach(flaky)
    result = await import_rows(services, tmp_path, [ANI])
    assert await services.roster_requests.send_owed() == 0
    stored = await services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "registered" and stored.roster_notice == 1
    flaky.up = True
    assert await services.roster_requests.send_owed() == 1
    assert flaky.sent[0][0] == 300006 and "terlindungi</b> sampai 31 Desember 2026" in flaky.sent[0][1]
    stored = await services.interest.repository.get(request.id)
    assert stored is not None and stored.roster_notice is None
    assert await services.roster_requests.send_owed() == 0  # told once
    # The import undone: the request is open again, as it was.
    assert result.import_id is not None
    assert await services.roster_requests.on_import_undone(result.import_id) == [request.ref]
    reopened = await services.interest.repository.get(request.id)
    assert reopened is not None and reopened.status == "new" and reopened.status_reason is None


async def test_an_import_without_the_nik_or_with_an_ended_row_closes_nothing(local_bot: LocalBot,
                                                                            tmp_path: Path) -> None:
    services = local_bot.services
    assert services is not None
    request = await submit(local_bot, 300007, DESA_A, nik=ENDED.nik)
    await import_rows(services, tmp_path, [ANI, ENDED])
    stored = await services.interest.repository.get(request.id)
    assert stored is not None and stored.status == "new" and stored.roster_notice is None


async def test_an_assisted_request_confirmed_by_the_roster_tells_the_official(local_bot: LocalBot,
                                                                              tmp_path: Path) -> None:
    services = local_bot.services
    assert services is not None
    official = await make_official(local_bot, 500003, [KEC_K])
    draft = Draft(name="Siti Aminah", nik=ANI.nik, phone="+6281234567890", desa_code=DESA_A, occupation="ojek")
    assisted = await services.interest.submit_assisted(await services.roles.actor(500003), draft, "045/BD/2026", "id")
    assert assisted.outcome == "created" and assisted.request is not None
    await import_rows(services, tmp_path, [ANI])
    told = await expect_text(official, "district roster confirms")
    assert assisted.request.ref in (told.text or "") and "31 December 2026" in (told.text or "")
    assert "please tell them" in (told.text or "")
