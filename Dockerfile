# npsbot: one process serving Slack, Telegram, the scheduler and the HTTP endpoints.
#   docker build -t npsbot .
# BASE may be any Debian-like image with python3 (3.11+) and its venv module.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/npsbot/bin:$PATH \
    HOME=/data \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    NPSBOT_HTTP_HOST=0.0.0.0 \
    NPSBOT_HTTP_PORT=3000 \
    NPSBOT_DATABASE_URL=sqlite:////data/npsbot.db

# Dependencies in their own layer, exactly as locked (hashes checked): a code change reuses it.
COPY requirements.lock /tmp/requirements.lock
RUN python3 -m venv /opt/npsbot \
    && pip install --require-hashes -r /tmp/requirements.lock \
    && rm /tmp/requirements.lock

# The code, installed without touching the dependencies (setuptools comes from the lock).
COPY pyproject.toml README.md LICENSE /tmp/npsbot/
COPY bot /tmp/npsbot/bot
COPY channels /tmp/npsbot/channels
COPY scheduling /tmp/npsbot/scheduling
COPY scoring /tmp/npsbot/scoring
RUN pip install --no-deps --no-build-isolation /tmp/npsbot && rm -rf /tmp/npsbot

# A numeric non-root user whose home, working directory and volume is /data: SQLite (when not
# on PostgreSQL), `npsbot demo` and its chart all write there.
RUN useradd --uid 10001 --user-group --home-dir /data --create-home --shell /usr/sbin/nologin npsbot
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"NPSBOT_HTTP_PORT\"]}/readyz', timeout=4)" || exit 1
CMD ["npsbot", "run"]
