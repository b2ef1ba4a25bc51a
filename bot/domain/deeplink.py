"""Deep-link payloads of `t.me/<bot>?start=<payload>` and where each one lands:

- `desa_<code>` (a desa's QR poster, `bot/domain/posters.py`): the bot names the desa and offers Daftar Minat
  with that desa filled in;
- `inv_<code>` (an official's invite, `bot/domain/officials.py`): the invite, to accept or decline;
- a feature (`cekstatus`, `cekkelayakan`, `iuran`, `daftarminat`, `minatsaya`, `bantuan`): that feature, as if
  its command had been typed (`feature_payload` makes one);
- anything else ("other", e.g. an old or a forged link): the normal welcome.

A new user goes through the language and consent steps first; the link is kept until they are done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DESA_PATTERN = re.compile(r"^desa_(\d{2})(\d{2})(\d{2})(\d{4})$")
INVITE_PATTERN = re.compile(r"^inv_([A-Za-z0-9]{4,32})$")

# Features a link may open: the payload is the feature's command; True when it asks for personal data (it is
# opened only after the user agreed to the consent text: after a refusal the link lands on the menu).
FEATURE_LINKS: dict[str, bool] = {
    "cekstatus": True,
    "cekkelayakan": False,
    "iuran": False,
    "daftarminat": True,
    "minatsaya": False,
    "bantuan": False,
}


@dataclass(frozen=True)
class DeepLink:
    kind: str  # "desa", "invite", "feature" or "other"
    value: str  # the desa code (dotted), the invite code, the feature's command, or the payload
    raw: str


def parse_payload(payload: str | None) -> DeepLink | None:
    """Parse a /start payload; None when absent or not a valid Telegram payload."""
    if not payload or not PAYLOAD_PATTERN.match(payload):
        return None
    if match := DESA_PATTERN.match(payload):
        return DeepLink("desa", ".".join(match.groups()), payload)
    if match := INVITE_PATTERN.match(payload):
        return DeepLink("invite", match.group(1), payload)
    if payload.lower() in FEATURE_LINKS:
        return DeepLink("feature", payload.lower(), payload)
    return DeepLink("other", payload, payload)


def desa_payload(desa_code: str) -> str:
    """64.08.01.2001 → desa_6408012001."""
    return "desa_" + desa_code.replace(".", "")


def feature_payload(command: str) -> str:
    """`cekstatus` → `cekstatus` (a link that opens the status check); ValueError for a feature links can't open."""
    if command not in FEATURE_LINKS:
        raise ValueError(f"no deep link opens /{command}")
    return command


def needs_consent(feature: str) -> bool:
    """The feature asks for personal data: a link opens it only once the user has agreed."""
    return FEATURE_LINKS.get(feature, True)
