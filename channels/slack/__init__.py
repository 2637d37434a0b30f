"""Slack: bolt's AsyncApp behind the core's Channel interface (HTTP or Socket Mode)."""

from channels.slack.adapter import SlackAdapter

__all__ = ["SlackAdapter"]
