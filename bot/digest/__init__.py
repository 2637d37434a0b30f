"""The weekly digest, core side: the week, its input from the store, building and posting.

The model, its sections and their wording are pure and live in `scoring.digest`; each
platform renders them at its edge (`channels/*/digest_*.py`), the CLI in `terminal`.
"""

from __future__ import annotations

from bot.digest.gather import gather
from bot.digest.service import Digests
from bot.digest.week import Week

__all__ = ["Digests", "Week", "gather"]
