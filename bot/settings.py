"""Runtime configuration, read once from the environment and `.env`.

Built at start-up and passed down; no module reads `os.environ` on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n.languages import SUPPORTED, supported_list

SLACK_API_URL = "https://slack.com/api/"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
SLACK_MAX_RATE = 10.0
"""Messages a second to slack.com: chat.postMessage allows about one a second per channel
(each DM is a channel) and a few hundred a minute per workspace."""
TELEGRAM_MAX_RATE = 30.0
"""Telegram's documented ceiling for bulk messages, all chats together."""
SANDBOX_MAX_RATE = 10_000.0
"""The highest send rate against any other API base (a local sandbox, a proxy), which is paced
by what it answers: high enough that a benchmark can pace the bot above what its sandbox
allows and see the bot's own limit (`bench/dispatch.py --ceiling`), low enough to catch a
typo's extra zeros."""
MIN_RATE = 0.01


class SettingsError(ValueError):
    """A missing or contradictory setting, worded as one line that names it."""


class SlackSettings(BaseModel):
    """The Slack adapter's slice of the settings: its credentials and API base, no more."""

    model_config = ConfigDict(frozen=True)

    bot_token: SecretStr | None
    signing_secret: SecretStr | None
    app_token: SecretStr | None
    api_url: str


class TelegramSettings(BaseModel):
    """The Telegram adapter's slice: its token, API base, send rate and webhook."""

    model_config = ConfigDict(frozen=True)

    bot_token: SecretStr | None
    api_url: str
    send_rate: float
    webhook_url: str | None
    webhook_secret: SecretStr | None


class Settings(BaseSettings):
    """Every knob npsbot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    database_url: str = Field(default="sqlite:///./npsbot.db", alias="NPSBOT_DATABASE_URL")
    http_host: str = Field(default="127.0.0.1", alias="NPSBOT_HTTP_HOST")
    http_port: int = Field(default=3000, ge=0, le=65535, alias="NPSBOT_HTTP_PORT")
    company_name: str = Field(default="our company", alias="NPSBOT_COMPANY_NAME")
    admins: str = Field(default="", alias="NPSBOT_ADMINS")
    api_token: SecretStr | None = Field(default=None, alias="NPSBOT_API_TOKEN")
    slack_api_url: str = Field(default=SLACK_API_URL, alias="NPSBOT_SLACK_API_URL")
    telegram_api_url: str = Field(default=TELEGRAM_API_URL, alias="NPSBOT_TELEGRAM_API_URL")
    public_url: str | None = Field(default=None, alias="NPSBOT_PUBLIC_URL")
    anonymous: bool = Field(default=False, alias="NPSBOT_ANONYMOUS")
    default_language: str = Field(default="en", alias="NPSBOT_DEFAULT_LANGUAGE")
    team_language: str = Field(default="en", alias="NPSBOT_TEAM_LANGUAGE")
    strings_dir: Path | None = Field(default=None, alias="NPSBOT_STRINGS_DIR")
    followup_detractor: str | None = Field(default=None, alias="NPSBOT_FOLLOWUP_DETRACTOR")
    followup_passive: str | None = Field(default=None, alias="NPSBOT_FOLLOWUP_PASSIVE")
    followup_promoter: str | None = Field(default=None, alias="NPSBOT_FOLLOWUP_PROMOTER")
    followup_recall_detractor: str | None = Field(
        default=None, alias="NPSBOT_FOLLOWUP_RECALL_DETRACTOR"
    )
    followup_recall_passive: str | None = Field(
        default=None, alias="NPSBOT_FOLLOWUP_RECALL_PASSIVE"
    )
    followup_recall_promoter: str | None = Field(
        default=None, alias="NPSBOT_FOLLOWUP_RECALL_PROMOTER"
    )
    followup_window_hours: float = Field(
        default=24.0, gt=0, le=30 * 24, alias="NPSBOT_FOLLOWUP_WINDOW_HOURS"
    )
    alert_sla_hours: float = Field(default=24.0, gt=0, le=30 * 24, alias="NPSBOT_ALERT_SLA_HOURS")
    conversation_days: float = Field(default=7.0, gt=0, le=90, alias="NPSBOT_CONVERSATION_DAYS")
    digest_day: str = Field(
        default="mon", pattern=r"(?i)^(mon|tue|wed|thu|fri|sat|sun)$", alias="NPSBOT_DIGEST_DAY"
    )
    digest_time: str = Field(
        default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", alias="NPSBOT_DIGEST_TIME"
    )
    digest_timezone: str = Field(default="UTC", alias="NPSBOT_DIGEST_TIMEZONE")
    min_group_size: int = Field(default=5, ge=3, le=1000, alias="NPSBOT_MIN_GROUP_SIZE")
    slack_send_rate: float = Field(
        default=5.0, ge=MIN_RATE, le=SANDBOX_MAX_RATE, alias="NPSBOT_SLACK_SEND_RATE"
    )
    telegram_send_rate: float = Field(
        default=30.0, ge=MIN_RATE, le=SANDBOX_MAX_RATE, alias="NPSBOT_TELEGRAM_SEND_RATE"
    )
    send_concurrency: int = Field(default=16, ge=1, le=256, alias="NPSBOT_SEND_CONCURRENCY")
    confidence_level: float = Field(default=0.95, gt=0.5, lt=1, alias="NPSBOT_CONFIDENCE_LEVEL")
    spool_dir: Path = Field(default=Path("./npsbot-spool"), alias="NPSBOT_SPOOL_DIR")
    job_lease_seconds: float = Field(default=60.0, gt=0, le=3600, alias="NPSBOT_JOB_LEASE_SECONDS")
    job_retry_seconds: float = Field(default=1.0, gt=0, le=600, alias="NPSBOT_JOB_RETRY_SECONDS")
    job_poll_seconds: float = Field(default=1.0, gt=0, le=60, alias="NPSBOT_JOB_POLL_SECONDS")
    webhook_retry_seconds: float = Field(
        default=10.0, gt=0, le=30, alias="NPSBOT_WEBHOOK_RETRY_SECONDS"
    )
    """The first retry of a failed webhook delivery; each next waits twice as long."""
    trigger_joins_rotation: bool = Field(default=False, alias="NPSBOT_TRIGGER_JOINS_ROTATION")
    retention_days: int | None = Field(default=None, ge=1, le=36_500, alias="NPSBOT_RETENTION_DAYS")
    """Comments and conversation texts older than this are purged daily; unset keeps them."""
    audit_retention_days: int = Field(
        default=400, ge=30, le=36_500, alias="NPSBOT_AUDIT_RETENTION_DAYS"
    )
    processed_event_days: int = Field(default=7, ge=1, le=365, alias="NPSBOT_PROCESSED_EVENT_DAYS")
    """How long delivery ids are remembered to drop platform retries and replays."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="NPSBOT_LOG_LEVEL"
    )
    log_format: Literal["text", "json"] = Field(default="text", alias="NPSBOT_LOG_FORMAT")
    startup_timeout: float = Field(default=300.0, ge=0, le=86_400, alias="NPSBOT_STARTUP_TIMEOUT")
    """Seconds start-up keeps retrying an unreachable database or platform; 0 = forever."""
    preload_models: bool = Field(default=True, alias="NPSBOT_PRELOAD_MODELS")
    """Load the language and sentiment models at start-up (about a second of CPU and 300 MB);
    off, the first comment loads them (a replica that only sends never does)."""

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("slack_api_url", "telegram_api_url", "telegram_webhook_url", "public_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL")
        loopback = parts.hostname in LOOPBACK  # a local stand-in of Telegram (tests, demo)
        if info.field_name == "telegram_webhook_url" and parts.scheme != "https" and not loopback:
            raise ValueError("must be an https URL: Telegram delivers webhooks over HTTPS only")
        return value

    @field_validator("default_language", "team_language")
    @classmethod
    def _supported(cls, value: str) -> str:
        code = value.strip().lower()
        if code not in SUPPORTED:
            raise ValueError(f"'{value}' is not a supported language; use {supported_list()}")
        return code

    @field_validator(
        "followup_detractor",
        "followup_passive",
        "followup_promoter",
        "followup_recall_detractor",
        "followup_recall_passive",
        "followup_recall_promoter",
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        """An empty NPSBOT_FOLLOWUP_* means "use the catalogue", never an empty message."""
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError(
                "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) "
                "nor SLACK_APP_TOKEN (Socket Mode) is"
            )
        if (self.slack_signing_secret or self.slack_app_token) and not self.slack_bot_token:
            raise ValueError("SLACK_BOT_TOKEN is required when Slack is configured")
        if self.slack_app_token and not self.slack_app_token.get_secret_value().startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        try:
            ZoneInfo(self.digest_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"NPSBOT_DIGEST_TIMEZONE '{self.digest_timezone}' is not a known time zone"
            ) from None
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
        if self.telegram_webhook_url and not self.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is required when TELEGRAM_WEBHOOK_URL is set")
        for name, rate, url, real, ceiling in (
            (
                "NPSBOT_SLACK_SEND_RATE",
                self.slack_send_rate,
                self.slack_api_url,
                SLACK_API_URL,
                SLACK_MAX_RATE,
            ),
            (
                "NPSBOT_TELEGRAM_SEND_RATE",
                self.telegram_send_rate,
                self.telegram_api_url,
                TELEGRAM_API_URL,
                TELEGRAM_MAX_RATE,
            ),
        ):
            if url == real and rate > ceiling:
                raise ValueError(
                    f"{name} {rate:g} is above the platform's limit of {ceiling:g} messages "
                    "a second; the platform would answer 429"
                )
        return self

    @property
    def admin_ids(self) -> frozenset[str]:
        """Platform user ids allowed to administer, from the comma-separated list."""
        return frozenset(part.strip() for part in self.admins.split(",") if part.strip())

    def secrets(self) -> list[str]:
        """Every configured secret's value, for the log and output masks."""
        values = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.api_token,
        )
        return [v.get_secret_value() for v in values if v and v.get_secret_value()]

    @property
    def slack(self) -> SlackSettings:
        return SlackSettings(
            bot_token=self.slack_bot_token,
            signing_secret=self.slack_signing_secret,
            app_token=self.slack_app_token,
            api_url=self.slack_api_url,
        )

    @property
    def telegram(self) -> TelegramSettings:
        return TelegramSettings(
            bot_token=self.telegram_bot_token,
            api_url=self.telegram_api_url,
            send_rate=self.telegram_send_rate,
            webhook_url=self.telegram_webhook_url,
            webhook_secret=self.telegram_webhook_secret,
        )

    def platform(self, name: str) -> SlackSettings | TelegramSettings:
        """The slice the named platform's adapter and credential check take."""
        return self.slack if name == "slack" else self.telegram

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's report into one line that names the setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")
        given = first.get("input")
        shown = f" (got '{given}')" if first["loc"] and _safe_to_show(name, given) else ""
        raise SettingsError(f"{name}: {message}{shown}" if first["loc"] else message) from None


def _safe_to_show(name: str, given: object) -> bool:
    """Echo a bad value back, unless it may be a secret or is long."""
    secretive = ("TOKEN", "SECRET", "DATABASE_URL")
    return (
        isinstance(given, str | int | float)
        and len(str(given)) <= 80
        and not any(word in name for word in secretive)
    )
