"""The consent text required by UU 27/2022 (PDP) before any personal data is asked.

Bump CONSENT_VERSION whenever the consent text changes: users are asked again.
"""

from __future__ import annotations

import re
from typing import Protocol

from bot.domain.i18n import Translator

CONSENT_VERSION = "2026-11-v1"
RETENTION_YEARS = 2

# What a person types to say "I agree" at the consent screen (compared as whole phrases, case and punctuation
# ignored, so "Ya!" and "✅ Setuju" count and "tidak setuju" does not).
AGREEMENT_PHRASES = frozenset({
    "ya", "iya", "iyaa", "y", "yes", "ok", "oke", "okay", "okey", "setuju", "saya setuju", "ya setuju",
    "iya setuju", "ya saya setuju", "ok setuju", "oke setuju", "agree", "i agree", "yes i agree",
})


class ConsentAnswer(Protocol):
    """What a user record says about consent (`storage.users.UserRecord` fits)."""

    @property
    def consent_status(self) -> str | None: ...

    @property
    def consent_version(self) -> str | None: ...


def answered_current(user: ConsentAnswer) -> bool:
    """The user has agreed to, or refused, the current consent text (otherwise: ask)."""
    return user.consent_status is not None and user.consent_version == CONSENT_VERSION


def agreed_current(user: ConsentAnswer) -> bool:
    """The user has agreed to the current consent text: personal data may be asked."""
    return user.consent_status == "given" and user.consent_version == CONSENT_VERSION


def typed_agreement(text: str) -> bool:
    """Typed text that says "I agree" (`ya`, `Setuju.`, `OK`, `yes`, `I agree` …)."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", text.casefold()).split()) in AGREEMENT_PHRASES


def consent_text(t: Translator) -> str:
    _ = t.gettext
    return "\n".join([
        _("<b>Your data, your consent</b>"),
        "",
        _("<b>Why:</b> to check your BPJS Ketenagakerjaan protection and to pass your request "
          "to your village officials."),
        _("<b>What we may ask later:</b> name, NIK, date of birth, phone number, village, occupation "
          "and an income range."),
        _("<b>Who sees it:</b> only the officials of your village or kecamatan and the district labour "
          "office (Disnakertrans). Never sold or shared with others."),
        _("<b>How long:</b> at most {years} years after your request is settled. "
          "Stored encrypted.").format(years=RETENTION_YEARS),
        _("<b>Your rights:</b> see your data (/dataku), correct it, withdraw consent and "
          "erase everything (/hapusdata) at any time."),
        "",
        _("Do you agree?"),
    ])


# ---------------------------------------------------------------------------- paper consent (assisted registration)

FORM_NUMBER_MAX = 40  # interest_requests.consent_form


def clean_form_number(text: str) -> str | None:
    """The number of a signed paper consent form as an official types it (`12`, `045/BD/2026`, `A-7`): letters,
    digits, `/ - .` and spaces, at most FORM_NUMBER_MAX characters, at least one digit; else None."""
    number = " ".join((text or "").split()).lstrip("#").strip()
    if not number or len(number) > FORM_NUMBER_MAX or not any(ch.isdigit() for ch in number):
        return None
    if not all(ch.isascii() and (ch.isalnum() or ch in "/-. ") for ch in number):
        return None
    return number


def paper_consent_record(official_id: int, form_number: str) -> str:
    """How a paper consent is recorded (the audit entry's detail): the consent was given on the desa's paper form
    (the same text as `consent_text`, version CONSENT_VERSION), signed by the worker in front of the official."""
    return f"paper consent witnessed by {official_id}, form #{form_number}, version {CONSENT_VERSION}"
