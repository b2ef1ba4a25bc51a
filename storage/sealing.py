"""What storage needs of the domain's `Vault` (bot/domain/privacy.py): encryption at rest, as a protocol,
so that `storage/` imports nothing from `bot/`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Sealer(Protocol):
    """Authenticated encryption bound to a context (the vault)."""

    def encrypt(self, plaintext: str, *, context: str) -> str: ...

    def decrypt(self, token: str, *, context: str) -> str: ...

    def encrypt_json(self, data: Any, *, context: str) -> str: ...

    def decrypt_json(self, token: str, *, context: str) -> Any: ...


def hash_list(hashes: str | Sequence[str]) -> list[str]:
    """A lookup hash, or several: while `jagakerja rotate-key` runs, a value is looked up under the new key's
    hash and the old key's (`Vault.lookup_hashes`), whichever the row still carries."""
    return [hashes] if isinstance(hashes, str) else list(hashes)
