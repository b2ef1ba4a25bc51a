"""`/healthz`, `/readyz` and `/metrics`: the same routes on the webhook server and on polling mode's small
server (HEALTH_PORT).

- `/healthz` (liveness): the event loop answers → 200 "ok". It checks nothing else on purpose: a liveness
  probe that fails when the database is down makes the orchestrator restart a process that cannot help it.
- `/readyz` (readiness): the database answers and its Alembic revisions are exactly this code's heads →
  200 "ready"; else 503 with the reason ("database unreachable", "migrations pending: …"). Also 503 once the
  process is stopping, so a load balancer stops sending it webhooks before it goes.
- `/metrics`: Prometheus text exposition of this Application's registry (bot/runtime/metrics.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram.ext import Application

from bot.runtime.metrics import CONTENT_TYPE, metrics_for
from storage.db import Database
from storage.migrate import current_revisions, head_revisions

log = logging.getLogger(__name__)

READY_TIMEOUT = 5.0  # seconds for the database check; a probe must answer even when the database hangs
HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")


@functools.cache
def _heads() -> frozenset[str]:
    return frozenset(head_revisions())


async def _revisions(conn: AsyncConnection) -> set[str]:
    return await conn.run_sync(current_revisions)


async def readiness(db: Database, timeout: float = READY_TIMEOUT) -> str | None:
    """None when ready; else why not (no secrets, no personal data: safe to show to a probe)."""
    try:
        async with asyncio.timeout(timeout), db.engine.connect() as conn:
            current = await _revisions(conn)
    except TimeoutError:
        return "database unreachable: no answer in time"
    except Exception as exc:  # any driver error: the reason is its class, never its text (may hold the URL)
        return f"database unreachable: {type(exc).__name__}"
    heads = _heads()
    if not current:
        return "migrations pending: the database is not migrated"
    if current != heads:
        missing, unknown = len(heads - current), len(current - heads)
        return f"migrations not at head: {missing} head(s) missing, {unknown} unknown to this code"
    return None


class HealthRoutes:
    """The three routes, for one Application and its database."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], db: Database) -> None:
        self.application = application
        self.db = db
        self.stopping = False

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, request: web.Request) -> web.Response:
        reason = "stopping" if self.stopping else await readiness(self.db)
        if reason is not None:
            return web.Response(status=503, text=reason + "\n")
        return web.Response(text="ready\n")

    async def metrics(self, request: web.Request) -> web.Response:
        body = await metrics_for(self.application).render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


class HttpServer:
    """An aiohttp server on (listen, port) with the health routes; subclasses add routes in `build`."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], db: Database, *,
                 listen: str, port: int) -> None:
        self.routes = HealthRoutes(application, db)
        self.application = application
        self.listen = listen
        self.port = port
        self._runner: web.AppRunner | None = None

    def build(self) -> web.Application:
        app = web.Application()
        self.routes.add_to(app)
        return app

    async def start(self) -> None:
        """Bind and serve; `port` 0 picks a free one (read it back from `self.port`)."""
        self._runner = web.AppRunner(self.build(), access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("HTTP server listening on %s:%d (%s)", self.listen, self.port, ", ".join(HEALTH_PATHS))

    async def stop(self) -> None:
        self.routes.stopping = True
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class HealthServer(HttpServer):
    """Polling mode's server: only the health routes (HEALTH_PORT)."""
