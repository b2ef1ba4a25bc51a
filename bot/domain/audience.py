"""Who a broadcast goes to: everyone, workers, officials, an area (kabupaten/kecamatan/desa) or a language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from bot.domain.i18n import LANGUAGE_NAMES, N_, SUPPORTED_LANGUAGES, Translator
from bot.domain.regions import normalize_code, region, short_name
from storage.broadcasts import BroadcastRepository

AudienceKind = Literal["everyone", "workers", "officials", "kabupaten", "kecamatan", "desa", "language"]

# kind -> button label msgid, in menu order
KINDS: dict[AudienceKind, str] = {
    "everyone": N_("👥 Everyone"),
    "workers": N_("👷 Workers"),
    "officials": N_("🏛 Officials"),
    "kabupaten": N_("🗺 A kabupaten"),
    "kecamatan": N_("📍 A kecamatan"),
    "desa": N_("🏡 A desa"),
    "language": N_("🔤 One language"),
}
AREA_LEVELS = {"kabupaten": 2, "kecamatan": 3, "desa": 4}

IdsProvider = Callable[[], Awaitable[set[int]]]


class AudienceError(ValueError):
    """The audience does not make sense (unknown kind, wrong area level, unsupported language)."""


@dataclass(frozen=True)
class Audience:
    kind: str
    value: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise AudienceError(f"unknown audience {self.kind!r}")
        if self.kind in AREA_LEVELS:
            found = region(self.value or "")
            if found is None or found.level != AREA_LEVELS[self.kind]:
                raise AudienceError(f"{self.value!r} is not a {self.kind} code")
        elif self.kind == "language":
            if self.value not in SUPPORTED_LANGUAGES:
                raise AudienceError(f"unsupported language {self.value!r}")
        elif self.value is not None:
            raise AudienceError(f"audience {self.kind!r} takes no value")

    def describe(self, t: Translator) -> str:
        """A short phrase for the admin: "Kecamatan Sangatta Utara", "Everyone"."""
        if self.kind in AREA_LEVELS:
            found = region(self.value or "")
            name = short_name(found) if found else self.value
            labels = {"kabupaten": t.gettext("Kabupaten {name}"), "kecamatan": t.gettext("Kecamatan {name}"),
                      "desa": t.gettext("Desa {name}")}
            return labels[self.kind].format(name=name)
        if self.kind == "language":
            return t.gettext("Users who read {language}").format(language=LANGUAGE_NAMES[self.value or ""])
        names = {"everyone": t.gettext("Everyone"), "workers": t.gettext("Workers"),
                 "officials": t.gettext("Officials")}
        return names[self.kind]


@dataclass(frozen=True)
class AreaPick:
    """Where an admin's area choice leads: the audience, or (a wider region) its parts to choose from."""

    audience: Audience | None = None
    narrow: str | None = None  # the region code whose parts to offer next


def pick_area(kind: str, text: str) -> AreaPick | None:
    """A region code, tapped or typed, for an area audience of `kind` (kabupaten/kecamatan/desa): the audience
    when the code is of that level, the region to narrow down when it is wider; None when unknown or narrower."""
    level = AREA_LEVELS.get(kind)
    code = normalize_code(text)
    found = region(code) if code else None
    if level is None or found is None or found.level > level:
        return None
    if found.level < level:
        return AreaPick(narrow=found.code)
    try:
        return AreaPick(audience=Audience(kind, found.code))
    except AudienceError:
        return None


async def _none() -> set[int]:
    return set()


class AudienceResolver:
    """Turns an `Audience` into user ids (blocked users and those who stopped announcements are never
    included)."""

    def __init__(self, repo: BroadcastRepository, *, default_language: str,
                 official_ids: IdsProvider = _none, admin_ids: IdsProvider = _none) -> None:
        self.repo = repo
        self.default_language = default_language
        self.official_ids = official_ids
        self.admin_ids = admin_ids

    async def recipients(self, audience: Audience) -> list[int]:
        kind, value = audience.kind, audience.value
        if kind == "officials":
            return await self.repo.audience_ids(only=await self.official_ids())
        if kind == "workers":
            staff = await self.official_ids() | await self.admin_ids()
            return await self.repo.audience_ids(exclude=staff)
        if kind in AREA_LEVELS:
            return await self.repo.audience_ids(region=value)
        if kind == "language":
            return await self.repo.audience_ids(language=value, default_language=self.default_language,
                                                supported_languages=SUPPORTED_LANGUAGES)
        return await self.repo.audience_ids()
