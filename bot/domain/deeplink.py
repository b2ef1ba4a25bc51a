"""Deep-link payloads of `t.me/<bot>?start=<payload>`: `desa_<code>` and `inv_<code>`."""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DESA_PATTERN = re.compile(r"^desa_(\d{2})(\d{2})(\d{2})(\d{4})$")
INVITE_PATTERN = re.compile(r"^inv_([A-Za-z0-9]{4,32})$")


@dataclass(frozen=True)
class DeepLink:
    kind: str  # "desa", "invite" or "other"
    value: str
    raw: str


def parse_payload(payload: str | None) -> DeepLink | None:
    """Parse a /start payload; None when absent or not a valid Telegram payload."""
    if not payload or not PAYLOAD_PATTERN.match(payload):
        return None
    if match := DESA_PATTERN.match(payload):
        return DeepLink("desa", ".".join(match.groups()), payload)
    if match := INVITE_PATTERN.match(payload):
        return DeepLink("invite", match.group(1), payload)
    return DeepLink("other", payload, payload)


def desa_payload(desa_code: str) -> str:
    """64.08.01.2001 → desa_6408012001."""
    return "desa_" + desa_code.replace(".", "")
