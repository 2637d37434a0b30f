"""Neutral events as JSON and back, for the job table and the local spool."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from bot.events import ActorEvent, Origin

_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(ActorEvent)}


def encode(event: ActorEvent) -> dict[str, Any]:
    fields = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    fields["origin"] = dataclasses.asdict(event.origin)
    return {"type": type(event).__name__, "fields": fields}


def decode(payload: dict[str, Any]) -> ActorEvent:
    """The event `encode` wrote; KeyError/TypeError for a payload that is not one."""
    cls = _TYPES[payload["type"]]
    fields = dict(payload["fields"])
    fields["origin"] = Origin(**fields["origin"])
    event: ActorEvent = cls(**fields)
    return event


def lane(origin: Origin) -> str:
    """One person on one platform: their events are handled one at a time, in order."""
    return f"{origin.platform}:{origin.workspace}:{origin.user_id}"
