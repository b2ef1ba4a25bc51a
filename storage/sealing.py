"""What storage needs of the domain's `Vault` (bot/domain/privacy.py): encryption at rest, as a protocol,
so that `storage/` imports nothing from `bot/`."""

from __future__ import annotations

from typing import Any, Protocol


class Sealer(Protocol):
    """Authenticated encryption bound to a context (the vault)."""

    def encrypt(self, plaintext: str, *, context: str) -> str: ...

    def decrypt(self, token: str, *, context: str) -> str: ...

    def encrypt_json(self, data: Any, *, context: str) -> str: ...

    def decrypt_json(self, token: str, *, context: str) -> Any: ...
