"""The real Application running against the Bot API test double (console, tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from bot.domain.clock import Clock, SystemClock
from bot.domain.i18n import load_catalogs
from bot.domain.privacy import Vault, generate_key
from bot.runtime.app import JagaKerjaApplication, build_application
from bot.runtime.services import Services, build_services
from bot.runtime.settings import Settings, load_settings
from bot.testing.double import BotApiDouble
from bot.testing.user import TelegramUser
from storage.db import Database, open_database

TEST_TOKEN = "123456:TEST-double"


class LocalBot:
    """Starts the double (unless given one), opens the database, runs the Application with long polling.

    `restart()` stops the Application and builds a new one on the same database, as a real restart would.
    """

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock | None = None,
        double: BotApiDouble | None = None,
        data_key: str | None = None,
        admin_ids: tuple[int, ...] = (),
        schema: str | None = None,
        configure: Callable[[JagaKerjaApplication], None] | None = None,
        overall_max_rate: float = 30,
        **settings_overrides: object,
    ) -> None:
        self.database_url = database_url
        self.schema = schema
        self.configure = configure  # e.g. add test-only handlers to every Application built
        self.overall_max_rate = overall_max_rate  # 0 disables the global 30 msg/s limiter (benchmarks)
        self.clock = clock or SystemClock()
        self.double = double or BotApiDouble()
        self._own_double = double is None
        self._overrides: dict[str, object] = {
            **settings_overrides,
            "BOT_TOKEN": TEST_TOKEN,
            "DATA_KEY": data_key or generate_key(),
            "DATABASE_URL": database_url,
            "ADMIN_IDS": ",".join(str(i) for i in admin_ids),
        }
        self.settings: Settings | None = None
        self.db: Database | None = None
        self.app: JagaKerjaApplication | None = None
        self.services: Services | None = None

    async def start(self) -> LocalBot:
        load_catalogs()
        if self._own_double and self.double.port is None:
            await self.double.start()
        self.settings = load_settings(**self._overrides)
        self.db = await open_database(self.database_url, self.schema)
        vault = Vault(self.settings.data_key(), self.settings.old_data_keys())
        self.services = build_services(self.settings, self.db, vault, self.clock)
        await self._start_app()
        return self

    async def _start_app(self) -> None:
        assert self.services is not None and self.settings is not None
        self.app = build_application(
            self.settings, self.services,
            base_url=self.double.base_url,
            base_file_url=self.double.base_file_url,
            network_backoff=0.01,
            overall_max_rate=self.overall_max_rate,
            configure=self.configure,
        )
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=None)

    async def _stop_app(self) -> None:
        if self.app is None:
            return
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        self.app = None

    async def restart(self) -> None:
        """Stop the Application (flushing persistence) and start a fresh one on the same database."""
        await self._stop_app()
        await self._start_app()

    async def crash_restart(self) -> None:
        """Throw the Application away without a clean stop (nothing flushed) and start a new one."""
        assert self.app is not None
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        self.app.persistence = None  # a crash writes nothing more
        await self._stop_app()
        await self._start_app()

    async def stop(self) -> None:
        await self._stop_app()
        if self.db is not None:
            await self.db.close()
            self.db = None
        if self._own_double:
            await self.double.stop()

    async def settle(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the Application has handled this update (and all before it)."""
        assert self.app is not None
        await self.app.wait_processed(update_id, timeout)

    def user(
        self,
        user_id: int = 100001,
        first_name: str = "Siti",
        language_code: str | None = "id",
        username: str | None = None,
    ) -> TelegramUser:
        return TelegramUser(self.double, user_id, first_name=first_name, language_code=language_code, username=username)

    async def __aenter__(self) -> LocalBot:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
