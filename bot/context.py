"""A custom PTB context: services, the current user's record and translator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import Translator, translator

if TYPE_CHECKING:
    from bot.app import JagaKerjaApplication
    from bot.services import Services
    from storage.users import UserRecord


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None, user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.profile: UserRecord | None = None
        self._i18n: Translator | None = None

    @property
    def app(self) -> JagaKerjaApplication:
        return self.application  # type: ignore[return-value]

    @property
    def services(self) -> Services:
        return self.app.services

    @property
    def i18n(self) -> Translator:
        if self._i18n is None:
            settings = self.services.settings
            self._i18n = translator(settings.DEFAULT_LANGUAGE, settings.tz)
        return self._i18n

    @i18n.setter
    def i18n(self, value: Translator) -> None:
        self._i18n = value
