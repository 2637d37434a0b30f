"""The Events URL's gate: Slack's signature checked on the raw bytes before anything parses them.

bolt parses a request's body (JSON or form) before its verification middleware runs, so
unsigned junk used to answer 500 with a traceback, a non-numeric `X-Slack-Request-Timestamp`
raised inside the verifier (500 again), and a failed check logged the whole unsigned body.
Here a request passes on to bolt only with a numeric timestamp within five minutes and a
valid `v0=` signature; anything else is answered 401 in one line and never logged. The body
has been bounded already: `bot.web.BodyLimit` answers 413 past 1 MiB (Slack's own payloads
are a few hundred KB at most) before it is read.
"""

from __future__ import annotations

import logging

from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

log = logging.getLogger(__name__)

TIMESTAMP_DIGITS = 12
"""Seconds since 1970 have 10 digits until the year 2286; longer is not a timestamp."""
REFUSED = {"error": "invalid or missing Slack request signature"}


class SignedOnly:
    """Passes a request on only when Slack signed it with our signing secret."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret=signing_secret)

    async def refusal(self, request: Request) -> Response | None:
        """A 401 for an unsigned, forged, stale or malformed request; None when it is Slack's."""
        body = await request.body()  # cached: bolt reads the same bytes after us
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        well_formed = timestamp.isascii() and timestamp.isdigit() and signature
        if (
            well_formed
            and len(timestamp) <= TIMESTAMP_DIGITS
            and self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        ):
            return None
        log.info("refused an unsigned request to %s (%d bytes)", request.url.path, len(body))
        return JSONResponse(REFUSED, status_code=401)
