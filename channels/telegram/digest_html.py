"""The weekly digest as Telegram HTML: a photo caption and the text that follows it.

Placeholder until the digest model lands (the lead fills it in); `post_digest` already splits
whatever this returns to Telegram's sizes.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.digest import Digest


def render_digest_html(digest: Digest) -> tuple[str, str]:
    """(caption for the chart, HTML body); text from the digest is escaped."""
    return html.escape(str(digest)[:1024]), html.escape(str(digest))
