"""Block Kit for the weekly digest. The lead owns the digest model and fills this in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.digest import Digest


def render_digest_blocks(digest: Digest) -> tuple[str, list[dict[str, Any]]]:
    """The digest as (fallback text, blocks); the chart is uploaded separately."""
    return str(digest), []
