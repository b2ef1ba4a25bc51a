# JagaKerja bot: slim Python, non-root user, data on a volume, `jagakerja run` as entry.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
RUN pip install --no-cache-dir uv

# Dependencies first (cached while only the code changes), from the lock file.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project

COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
COPY content ./content
RUN uv sync --frozen --no-dev \
    && python -c "from bot.domain.i18n import load_catalogs; load_catalogs()"

RUN useradd --system --uid 10001 --home-dir /app jagakerja \
    && mkdir -p /app/data && chown jagakerja /app/data
USER jagakerja
VOLUME ["/app/data"]

ENV DATABASE_URL=sqlite+aiosqlite:////app/data/jagakerja.db
# Webhook mode (WEBHOOK_URL set): updates, /healthz, /readyz and /metrics on WEBHOOK_PORT (default 8080).
EXPOSE 8080
# `jagakerja run` applies the migrations at start (`migrate` runs them alone, e.g. once before several processes).
STOPSIGNAL SIGTERM
ENTRYPOINT ["jagakerja"]
CMD ["run"]
