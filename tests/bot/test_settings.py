"""Every setting is range-checked when it is read: one line naming it, never a stored typo."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError, load_settings

REFUSED = [
    ({"NPSBOT_MIN_GROUP_SIZE": 1}, "NPSBOT_MIN_GROUP_SIZE"),
    ({"NPSBOT_MIN_GROUP_SIZE": 2}, "NPSBOT_MIN_GROUP_SIZE"),
    ({"NPSBOT_FOLLOWUP_WINDOW_HOURS": 1e12}, "NPSBOT_FOLLOWUP_WINDOW_HOURS"),
    ({"NPSBOT_FOLLOWUP_WINDOW_HOURS": 0}, "NPSBOT_FOLLOWUP_WINDOW_HOURS"),
    ({"NPSBOT_SLACK_SEND_RATE": 1e-9}, "NPSBOT_SLACK_SEND_RATE"),
    ({"NPSBOT_SLACK_SEND_RATE": 50}, "NPSBOT_SLACK_SEND_RATE"),
    ({"NPSBOT_TELEGRAM_SEND_RATE": 31}, "NPSBOT_TELEGRAM_SEND_RATE"),
    ({"NPSBOT_TELEGRAM_SEND_RATE": 0}, "NPSBOT_TELEGRAM_SEND_RATE"),
    ({"NPSBOT_SEND_CONCURRENCY": 0}, "NPSBOT_SEND_CONCURRENCY"),
    ({"NPSBOT_SLACK_API_URL": "slack.com/api/"}, "NPSBOT_SLACK_API_URL"),
    ({"NPSBOT_TELEGRAM_API_URL": "ftp://api.telegram.org/bot"}, "NPSBOT_TELEGRAM_API_URL"),
    (
        {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "TELEGRAM_WEBHOOK_SECRET": "s",
            "TELEGRAM_WEBHOOK_URL": "http://bot.example.com/telegram/webhook",
        },
        "TELEGRAM_WEBHOOK_URL",
    ),
    ({"NPSBOT_HTTP_PORT": 70000}, "NPSBOT_HTTP_PORT"),
    ({"NPSBOT_LOG_LEVEL": "loud"}, "NPSBOT_LOG_LEVEL"),
    ({"NPSBOT_LOG_FORMAT": "xml"}, "NPSBOT_LOG_FORMAT"),
    ({"NPSBOT_STARTUP_TIMEOUT": -1}, "NPSBOT_STARTUP_TIMEOUT"),
    ({"NPSBOT_ALERT_SLA_HOURS": 0}, "NPSBOT_ALERT_SLA_HOURS"),
    ({"NPSBOT_ALERT_SLA_HOURS": "a day"}, "NPSBOT_ALERT_SLA_HOURS"),
    ({"NPSBOT_CONVERSATION_DAYS": -1}, "NPSBOT_CONVERSATION_DAYS"),
    ({"NPSBOT_CONVERSATION_DAYS": 365}, "NPSBOT_CONVERSATION_DAYS"),
]


@pytest.mark.parametrize(("given", "name"), REFUSED)
def test_out_of_range_is_one_line_naming_the_setting(given: dict, name: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(**given)
    message = str(refused.value)
    assert name in message and "\n" not in message


def test_a_sandbox_may_be_paced_faster_than_the_platform() -> None:
    """The real platforms' limits hold against their URLs; a local sandbox sets its own."""
    settings = load_settings(
        NPSBOT_SLACK_API_URL="http://127.0.0.1:9/api/", NPSBOT_SLACK_SEND_RATE=500
    )
    assert settings.slack_send_rate == 500


def test_a_sandbox_is_paced_at_most_10000_a_second_and_slack_com_at_10() -> None:
    """High enough to pace a benchmark above its sandbox (the bot's own ceiling shows), with a
    bound still; the real platform keeps its own limit."""
    sandbox = {"NPSBOT_SLACK_API_URL": "http://127.0.0.1:9/api/"}
    assert load_settings(**sandbox, NPSBOT_SLACK_SEND_RATE=10_000).slack_send_rate == 10_000
    for given in ({**sandbox, "NPSBOT_SLACK_SEND_RATE": 10_001}, {"NPSBOT_SLACK_SEND_RATE": 11}):
        with pytest.raises(SettingsError, match="NPSBOT_SLACK_SEND_RATE"):
            load_settings(**given)
    telegram = {"NPSBOT_TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    assert load_settings(**telegram, NPSBOT_TELEGRAM_SEND_RATE=10_000).telegram_send_rate == 10_000
    with pytest.raises(SettingsError, match="NPSBOT_TELEGRAM_SEND_RATE"):
        load_settings(**telegram, NPSBOT_TELEGRAM_SEND_RATE=10_001)


def test_log_settings_ignore_case_and_secrets_are_listed() -> None:
    settings = Settings(
        NPSBOT_LOG_LEVEL="debug", NPSBOT_LOG_FORMAT="JSON", NPSBOT_API_TOKEN="api-secret"
    )
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert settings.secrets() == ["api-secret"]
    assert settings.trigger_joins_rotation is False


def test_a_secret_is_never_echoed_back() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(SLACK_BOT_TOKEN="xoxb-secret-value", SLACK_APP_TOKEN="wrong-kind-secret")
    assert "secret" not in str(refused.value).replace("SECRET", "")


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://bot.example.com/telegram/webhook", True),
        ("http://bot.example.com/telegram/webhook", False),
        ("http://127.0.0.1:3000/telegram/webhook", True),  # a local stand-in of Telegram
        ("http://localhost:3000/telegram/webhook", True),
    ],
)
def test_the_webhook_url_is_https_unless_it_is_loopback(url: str, accepted: bool) -> None:
    given = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_WEBHOOK_URL": url,
        "TELEGRAM_WEBHOOK_SECRET": "s",
    }
    if accepted:
        assert load_settings(**given).telegram_webhook_url == url
    else:
        with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_URL: must be an https URL"):
            load_settings(**given)


def test_each_adapter_gets_only_its_own_slice_of_the_settings() -> None:
    settings = load_settings(
        _env_file=None,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s" * 32,
        TELEGRAM_BOT_TOKEN="123:abc",
        NPSBOT_TELEGRAM_SEND_RATE="12",
    )
    slack, telegram = settings.platform("slack"), settings.platform("telegram")
    assert slack == settings.slack and telegram == settings.telegram
    assert set(type(slack).model_fields) == {"bot_token", "signing_secret", "app_token", "api_url"}
    assert "xoxb-1" not in repr(slack) and slack.bot_token is not None
    assert slack.bot_token.get_secret_value() == "xoxb-1"
    assert telegram.send_rate == 12 and telegram.webhook_url is None
    assert not any("slack" in name or "digest" in name for name in type(telegram).model_fields)
