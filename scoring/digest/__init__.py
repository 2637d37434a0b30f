"""The weekly digest as one model, its wording, and the one ordered list of its sections.

`compose` decides what the week says (`model`), `wording` says it in sentences, and
`sections` puts them in the order every renderer (Slack, Telegram, terminal) walks.
"""

from __future__ import annotations

from scoring.digest.model import (
    STALLED_AFTER_WEEKS,
    Digest,
    DigestInput,
    FollowUp,
    Status,
    compose,
)
from scoring.digest.sections import MAX_THEMES, Section, ThemeGroup, sections
from scoring.phrases import Phrases

__all__ = [
    "MAX_THEMES",
    "STALLED_AFTER_WEEKS",
    "Digest",
    "DigestInput",
    "FollowUp",
    "Phrases",
    "Section",
    "Status",
    "ThemeGroup",
    "compose",
    "sections",
]
