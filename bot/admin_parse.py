"""Parsing `/nps ...` admin commands into typed requests, with one-line usage hints.

Adapters normalise mentions first: `@U123` for a person, `#C123` for a channel. A hint is
said in the team's language (`parse.*` keys) by whoever shows it; the syntax itself, like
`Mon-Fri 10:00-17:00`, is the command's and never translated.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from bot.i18n import Catalogue, Words

USAGE = {
    "help": "/nps help",
    "status": "/nps status",
    "cadence": (
        "/nps cadence [show | days N | gap-unanswered N | gap-answered N | cooldown N | "
        "window Mon-Fri 10:00-17:00 | quiet 22:00-08:00|off | daily-cap N|off | "
        "reminder N|off | expiry N]"
    ),
    "digest": "/nps digest now | /nps digest channel #channel | /nps digest here",
    "alerts": (
        "/nps alerts channel #channel | /nps alerts here | /nps alerts movers on|off|<points>"
    ),
    "followup": "/nps followup remember on|off",
    "announce": '/nps announce "<theme or phrase>" [send]',
    "pause": "/nps pause",
    "resume": "/nps resume",
    "send": "/nps send @user [--force]",
    "optout": "/nps optout @user",
    "audience": "/nps audience add|remove #channel|@user  |  /nps audience list",
    "anonymous": "/nps anonymous on|off",
    "report": "/nps report",
}

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
NUMBER = re.compile(r"^[0-9]{1,9}$")
"""ASCII digits only: `str.isdigit` also accepts "²" and "⑤", which `int` then refuses."""
PHRASE_LIMIT = 200
PLATFORM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""What a Slack or Telegram user or channel id can look like (ids are stored as VARCHAR(64))."""


Say = Callable[[Words], str]
"""One line in the given words: `lambda w: w.t("parse.usage", usage=...)`."""


@cache
def _english() -> Words:
    return Catalogue(default_language="en", team_language="en").words("en")


class UsageError(ValueError):
    """A malformed command; `say(words)` is the one line to show (`str()` is the English,
    for logs and tracebacks)."""

    def __init__(self, say: Say) -> None:
        self.say = say
        super().__init__(say(_english()))


@dataclass(frozen=True, slots=True)
class Command:
    verb: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    force: bool = False


def parse(text: str) -> Command:
    """Split the command; unknown verbs and bad arity raise UsageError with the hint."""
    try:
        words = shlex.split(text.strip())
    except ValueError:
        words = text.split()
    if not words:
        return Command("help")
    verb, rest = words[0].lower(), words[1:]
    if verb not in USAGE:
        raise UsageError(lambda w: w.t("parse.unknown_command", verb=verb))
    force = "--force" in rest
    rest = [word for word in rest if word != "--force"]
    check = CHECKS.get(verb)
    if check is not None and not check(rest):
        raise UsageError(lambda w: w.t("parse.usage", usage=USAGE[verb]))
    if verb == "cadence" and rest and rest[0].lower() != "show":
        return Command(verb, tuple(rest), parse_cadence(rest), force)
    return Command(verb, tuple(rest), {}, force)


def is_report(text: str) -> bool:
    """`/nps report`: the live report, which `bot.home` posts rather than `bot.admin`."""
    try:
        return parse(text).verb == "report"
    except UsageError:
        return False


def is_user(word: str) -> bool:
    return bool(PLATFORM_ID.match(word.removeprefix("@")))


def is_channel(word: str) -> bool:
    """`#C123` from Slack, a (negative) numeric chat id from Telegram."""
    return bool(PLATFORM_ID.match(word.removeprefix("#"))) and (
        word.startswith("#") or NUMBER.match(word.removeprefix("-")) is not None
    )


def _target_ok(rest: list[str]) -> bool:
    return rest == ["here"] or (len(rest) == 2 and rest[0] == "channel" and is_channel(rest[1]))


def _digest_ok(rest: list[str]) -> bool:
    return rest == ["now"] or _target_ok(rest)


def _alerts_ok(rest: list[str]) -> bool:
    """A target, or mover alerts: on, off, or how many points' fall (1-10) raises one."""
    if len(rest) == 2 and rest[0].lower() == "movers":
        value = rest[1].lower()
        return value in {"on", "off"} or (NUMBER.match(value) is not None and 1 <= int(value) <= 10)
    return _target_ok(rest)


def _announce_ok(rest: list[str]) -> bool:
    """A phrase (quoted when it has spaces), then `send` to write the message."""
    phrase_ok = bool(rest) and bool(rest[0].strip()) and len(rest[0]) <= PHRASE_LIMIT
    return phrase_ok and (len(rest) == 1 or (len(rest) == 2 and rest[1].lower() == "send"))


def announce_phrase(text: str) -> str | None:
    """The phrase of `announce "<phrase>" send`, for which the adapter asks for the message
    (a modal, a forced reply); None for any other command."""
    try:
        command = parse(text)
    except UsageError:
        return None
    if command.verb == "announce" and len(command.args) == 2:
        return command.args[0].strip()
    return None


def _no_args(rest: list[str]) -> bool:
    return not rest


def _one_user(rest: list[str]) -> bool:
    return len(rest) == 1 and is_user(rest[0])


def _audience_ok(rest: list[str]) -> bool:
    if rest == ["list"]:
        return True
    return (
        len(rest) >= 2
        and rest[0] in {"add", "remove"}
        and all(is_user(w) or is_channel(w) for w in rest[1:])
    )


CHECKS: dict[str, Callable[[list[str]], bool]] = {
    "help": _no_args,
    "report": _no_args,
    "status": _no_args,
    "pause": _no_args,
    "resume": _no_args,
    "send": _one_user,
    "optout": _one_user,
    "digest": _digest_ok,
    "alerts": _alerts_ok,
    "announce": _announce_ok,
    "followup": lambda rest: (
        len(rest) == 2 and rest[0].lower() == "remember" and rest[1].lower() in {"on", "off"}
    ),
    "audience": _audience_ok,
    "anonymous": lambda rest: rest in (["on"], ["off"]),
}


def parse_cadence(words: list[str]) -> dict[str, str]:
    """Turn `days 60 reminder off ...` into column values, validating each one."""
    usage = USAGE["cadence"]

    def hint(words: Words) -> str:
        return words.t("parse.usage", usage=usage)

    options: dict[str, str] = {}
    index = 0
    while index < len(words):
        key = words[index].lower()
        if index + 1 >= len(words):
            raise UsageError(hint)
        value = words[index + 1]
        index += 2
        if key in {"days", "gap-unanswered", "gap-answered", "cooldown", "expiry"}:
            options[key] = str(_positive(value, key))
        elif key in {"daily-cap", "reminder"}:
            options[key] = "off" if value.lower() == "off" else str(_positive(value, key))
        elif key == "window":
            if index >= len(words):
                raise UsageError(hint)
            options["send-days"] = parse_days(value)
            options["window"] = parse_window(words[index])
            index += 1
        elif key == "quiet":
            options["quiet"] = "off" if value.lower() == "off" else parse_span(value)
        else:
            raise _unknown_setting(key)
    return options


def _unknown_setting(key: str) -> UsageError:
    usage = USAGE["cadence"]
    return UsageError(lambda w: w.t("parse.unknown_setting", key=key, usage=usage))


def _positive(value: str, key: str) -> int:
    if not NUMBER.match(value) or not 1 <= int(value) <= 3650:
        usage = USAGE["cadence"]
        raise UsageError(lambda w: w.t("parse.whole_number", key=key, usage=usage))
    return int(value)


def parse_days(value: str) -> str:
    """`Mon-Fri` or `Mon,Wed,Fri` -> "0,1,2,3,4" (Monday is 0)."""
    value = value.lower()
    try:
        if "-" in value:
            first, last = (DAYS.index(part[:3]) for part in value.split("-", 1))
            days = (
                list(range(first, last + 1))
                if first <= last
                else [*range(first, 7), *range(last + 1)]
            )
        else:
            days = sorted({DAYS.index(part[:3]) for part in value.split(",")})
    except ValueError:
        raise UsageError(lambda w: w.t("parse.days", value=value)) from None
    return ",".join(str(day) for day in days)


def parse_span(value: str) -> str:
    """`10:00-17:00` -> itself, validated; the two ends must differ."""
    parts = value.split("-")
    if len(parts) != 2 or not all(TIME.match(part) for part in parts):
        raise UsageError(lambda w: w.t("parse.times", value=value))
    start, end = (f"{int(p.split(':')[0]):02d}:{p.split(':')[1]}" for p in parts)
    if start == end:
        raise UsageError(lambda w: w.t("parse.same_time", value=value))
    return f"{start}-{end}"


def parse_window(value: str) -> str:
    """A send window within one day: people are not surveyed across midnight."""
    span = parse_span(value)
    start, end = span.split("-")
    if start > end:
        raise UsageError(lambda w: w.t("parse.window_wraps", value=value, start=start, end=end))
    return span
