"""Text as Slack shows it: mrkdwn escaping for other people's words, and cutting to a limit.

Slack treats `<...>` in mrkdwn (and in a message's fallback `text`) as a control sequence:
`<!channel>`, `<!here>`, `<!subteam^S1>`, `<@U1>` and `<https://x|label>` are live. Whatever a
customer or teammate wrote is escaped (`&`, `<`, `>`) before it lands in the team's channel,
so it reads as typed and pings nobody. Block Kit refuses a whole message when one text is over
its limit, so every text is cut to fit, with "…" where it was cut.
"""

from __future__ import annotations

ELLIPSIS = "…"


def escape(text: str) -> str:
    """Slack's three control characters as entities; `&` first, so nothing is escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut.

    A cut never splits an entity such as `&amp;` in two, which Slack would show half-escaped.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def quote(text: str) -> str:
    """A mrkdwn block quote of escaped `text`, every line marked."""
    return ">" + escape(text).replace("\n", "\n>")
