"""The sandboxes' own tests move the sandbox's monotonic clock (its rate buckets) by hand."""

from __future__ import annotations

import pytest


class Clock:
    """A monotonic clock that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
