"""The custom PTB context every handler receives: the domain services, the user's record, translator and actor.

The runtime's Application carries `services`; this module reads it through a protocol so that handlers never
import the runtime (the runtime wires handlers, not the other way round)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.i18n import Translator, translator
from bot.domain.roles import Actor

if TYPE_CHECKING:
    from bot.domain.services import Services
    from bot.domain.users import UserRecord


class HasServices(Protocol):
    services: Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None, user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.profile: UserRecord | None = None
        self._i18n: Translator | None = None
        self._actor: Actor | None = None

    @property
    def services(self) -> Services:
        return cast(HasServices, self.application).services

    @property
    def i18n(self) -> Translator:
        if self._i18n is None:
            config = self.services.config
            self._i18n = translator(config.default_language, config.tz)
        return self._i18n

    @i18n.setter
    def i18n(self, value: Translator) -> None:
        self._i18n = value

    @property
    def actor(self) -> Actor:
        """Who is acting (worker / official with areas / admin), resolved once per update in group -1."""
        if self._actor is None:
            user_id = self._user_id if self._user_id is not None else 0
            self._actor = Actor(user_id, "worker")
        return self._actor

    @actor.setter
    def actor(self, value: Actor) -> None:
        self._actor = value
