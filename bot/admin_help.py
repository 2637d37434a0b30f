"""`/nps help`: every command's syntax with what it does, in the team's language.

The syntax is the command itself (never translated); the description is the catalogue's.
A command without a description yet still shows its syntax.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.admin_parse import USAGE
from bot.i18n import Words


def _descriptions(words: Words) -> dict[str, Callable[[], str]]:
    """Each key written out, so `make i18n` finds it."""
    return {
        "help": lambda: words.t("help.help"),
        "status": lambda: words.t("help.status"),
        "cadence": lambda: words.t("help.cadence"),
        "digest": lambda: words.t("help.digest"),
        "alerts": lambda: words.t("help.alerts"),
        "followup": lambda: words.t("help.followup"),
        "announce": lambda: words.t("help.announce"),
        "pause": lambda: words.t("help.pause"),
        "resume": lambda: words.t("help.resume"),
        "send": lambda: words.t("help.send"),
        "optout": lambda: words.t("help.optout"),
        "audience": lambda: words.t("help.audience"),
        "anonymous": lambda: words.t("help.anonymous"),
        "report": lambda: words.t("help.report"),
    }


def help_text(words: Words) -> str:
    described = _descriptions(words)
    lines = [words.t("help.heading")]
    for verb, usage in USAGE.items():
        describe = described.get(verb)
        lines.append(f"• {usage}: {describe()}" if describe else f"• {usage}")
    return "\n".join(lines)
