# npsbot: one process serving Slack, Telegram, the scheduler and the HTTP endpoints.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MPLBACKEND=Agg \
    NPSBOT_HTTP_HOST=0.0.0.0 \
    NPSBOT_HTTP_PORT=3000 \
    NPSBOT_DATABASE_URL=sqlite:////data/npsbot.db

RUN useradd --create-home --uid 10001 npsbot && mkdir /data && chown npsbot /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY channels ./channels
COPY scheduling ./scheduling
COPY scoring ./scoring
RUN pip install .

USER npsbot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"NPSBOT_HTTP_PORT\"]}/healthz', timeout=4)" || exit 1
CMD ["npsbot", "run"]
