"""Key rotation (`jagakerja rotate-key`): every personal field re-encrypted, every NIK re-hashed, under a new
DATA_KEY, while the bot keeps running.

The procedure (docs/operations.md): the bot is restarted with DATA_KEY=<new> and DATA_KEY_OLD=<old> — it then
writes with the new key and reads, and finds by NIK hash, rows of either key (`Vault(new, old_keys=[old])`);
`rotate-key` moves the rows still on the old key in batches (resumable: a token names its key, so the rows to do
are derivable, see `storage.rotation`), then reads every value back with the new key alone. When that check
passes, DATA_KEY_OLD is removed.

What is not re-keyed, because the value behind the hash is not kept: the daily status-check counters (per user,
per NIK: while DATA_KEY_OLD is set, `StatusService` adds today's counts under the old key), invite codes (an
invite made before the rotation works while DATA_KEY_OLD is set: at most 7 days) and the anonymous erasure
records (never looked up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.privacy import DecryptionError, Vault
from storage.inbox import PAYLOAD_CONTEXT as INBOX_CONTEXT
from storage.rotation import RotationRepository, RowUpdate

_ROSTER = {"nik_enc": "roster_members.nik", "nama_enc": "roster_members.nama", "kpj_enc": "roster_members.kpj"}
_REQUEST = {c + "_enc": f"interest_requests.{c}"
            for c in ("nik", "name", "phone", "birth_date", "note", "status_reason")}
MAX_PASSES = 5  # a pass leaves only rows the bot changed meanwhile (on a column still on the old key)


@dataclass(frozen=True)
class SealedTable:
    """A table with vault tokens: its primary key, its sealed columns (→ their encryption context) and, when it
    has one, the NIK hash column computed from the NIK in `nik_column`."""

    name: str
    key: str
    columns: Mapping[str, str]
    nik_hash: str | None = None
    nik_column: str = "nik_enc"


# Every column holding a vault token (tests/tools/test_rotate_key.py checks that no `*_enc` column is missing).
SEALED_TABLES: tuple[SealedTable, ...] = (
    SealedTable("roster_members", "id", _ROSTER, nik_hash="nik_hash"),
    SealedTable("roster_staging", "id", _ROSTER, nik_hash="nik_hash"),  # a ready import's staged rows
    SealedTable("roster_history", "id", _ROSTER),  # an import's rows as they were (undo): copies of members
    SealedTable("interest_requests", "id", _REQUEST, nik_hash="nik_hash"),  # also assisted registrations
    SealedTable("faq_questions", "id", {"text_enc": "faq_questions.text", "answer_enc": "faq_questions.answer"}),
    SealedTable("followup_notes", "id", {"text_enc": "followup_notes.text"}),
    SealedTable("officials", "user_id", {"name_enc": "officials.name"}),
    SealedTable("ptb_user_data", "user_id", {"data": "user_data"}),  # conversations' half-entered answers
    SealedTable("ptb_chat_data", "chat_id", {"data": "chat_data"}),
    SealedTable("inbox", "update_id", {"payload": INBOX_CONTEXT}),  # updates not handled yet (storage/inbox.py)
)


@dataclass
class TableReport:
    name: str
    before: int = 0  # rows on another key when the rotation started
    written: int = 0  # rows written back (a row the bot changed meanwhile may be counted twice)
    left: int = 0  # rows still on another key at the end (0 when done)
    conflicts: set[Any] = field(default_factory=set)  # keys of rows whose new NIK hash is taken (docs/operations.md)
    undecryptable: set[Any] = field(default_factory=set)  # keys of rows no known key opens
    checked: int = 0  # rows read back with the new key alone (verification)
    unreadable: int = 0  # …that did not decrypt, or whose NIK hash is not the new key's


class KeyRotation:
    """Moves every sealed row to the vault's current key (decrypting with any key the vault knows)."""

    def __init__(self, repository: RotationRepository, vault: Vault, *, batch: int = 1000,
                 progress: Callable[[str], None] | None = None) -> None:
        self.repository = repository
        self.vault = vault
        self.batch = batch
        self.progress = progress or (lambda _line: None)

    async def rotate(self, tables: tuple[SealedTable, ...] = SEALED_TABLES) -> list[TableReport]:
        return [await self.rotate_table(table) for table in tables]

    async def rotate_table(self, table: SealedTable, *, max_batches: int | None = None) -> TableReport:
        """Rotate one table; `max_batches` stops early (tests: an interrupted rotation)."""
        prefix, columns = self.vault.token_prefix, list(table.columns)
        report = TableReport(table.name, before=await self.repository.pending(table.name, columns, prefix))
        batches = 0
        for _ in range(MAX_PASSES):
            after, written = None, 0
            while max_batches is None or batches < max_batches:
                rows = await self.repository.rows(table.name, table.key, columns, after=after, limit=self.batch,
                                                  prefix=prefix)
                if not rows:
                    break
                after, batches = rows[-1][table.key], batches + 1
                updates = [u for u in (self._reseal(table, row, report) for row in rows) if u is not None]
                report.conflicts.update(await self.repository.write(table.name, table.key, updates))
                written += len(updates)
                self.progress(f"{table.name}: {report.written + written:,} of {report.before:,}")
            report.written += written
            report.left = await self.repository.pending(table.name, columns, prefix)
            if report.left <= len(report.undecryptable) + len(report.conflicts) or written == 0:
                break
        return report

    def _reseal(self, table: SealedTable, row: Mapping[str, Any], report: TableReport) -> RowUpdate | None:
        old = {c: row[c] for c in table.columns}
        new: dict[str, str | None] = {}
        try:
            plain = {c: self.vault.decrypt(v, context=ctx) for c, ctx in table.columns.items() if (v := row[c])}
        except DecryptionError:
            report.undecryptable.add(row[table.key])
            return None
        for column, context in table.columns.items():
            value = row[column]
            new[column] = value if not value or self.vault.on_current_key(value) else \
                self.vault.encrypt(plain[column], context=context)
        if table.nik_hash is not None and table.nik_column in plain:
            new[table.nik_hash] = self.vault.hash_nik(plain[table.nik_column])
        return RowUpdate(row[table.key], old, new)

    async def verify(self, verifier: Vault, tables: tuple[SealedTable, ...] = SEALED_TABLES,
                     reports: list[TableReport] | None = None) -> list[TableReport]:
        """Read every sealed value back with `verifier` (the new key alone: `rotation_vaults`), and check every
        NIK hash against the new key's."""
        by_name = {r.name: r for r in reports or []}
        done = []
        for table in tables:
            report = by_name.get(table.name) or TableReport(table.name)
            report.checked = report.unreadable = 0
            extra = [table.nik_hash] if table.nik_hash else []
            after = None
            while rows := await self.repository.rows(table.name, table.key, list(table.columns), extra,
                                                     after=after, limit=self.batch):
                after = rows[-1][table.key]
                for row in rows:
                    report.checked += 1
                    report.unreadable += 0 if _readable(verifier, table, row) else 1
            done.append(report)
        return done



def _readable(vault: Vault, table: SealedTable, row: Mapping[str, Any]) -> bool:
    try:
        plain = {c: vault.decrypt(v, context=ctx) for c, ctx in table.columns.items() if (v := row[c])}
    except DecryptionError:
        return False
    if table.nik_hash is not None and table.nik_column in plain:
        return bool(row[table.nik_hash] == vault.hash_nik(plain[table.nik_column]))
    return True


def rotation_vaults(new_key: str, old_keys: tuple[str, ...]) -> tuple[Vault, Vault]:
    """The vault that rotates (new key, reads the old ones) and the one that verifies (new key alone)."""
    return Vault(new_key, old_keys), Vault(new_key)
