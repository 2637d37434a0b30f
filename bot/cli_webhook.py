"""`npsbot webhook add|list|remove|test|log`: the team's own systems hear what happens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from bot.cli_support import fail, friendly, say, settings_and_db

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.models import Webhook

webhook_app = typer.Typer(
    help="Signed webhooks to your CRM, helpdesk or warehouse.", no_args_is_help=True
)
UrlArgument = Annotated[str, typer.Argument(help="The endpoint, http:// or https://.")]


def checked_url(url: str) -> str:
    """An absolute http(s) URL with a host; anything else is refused in one line."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        fail(f"not a valid URL: '{url}'")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        fail(f"a webhook URL must be http:// or https:// with a host, not '{url}'")
    return url


def checked_events(values: list[str]) -> list[str]:
    """Event names given once or comma-separated; an unknown one is refused with the list."""
    from bot.outbound import EVENTS

    events = sorted({name.strip() for value in values for name in value.split(",") if name})
    unknown = [name for name in events if name not in EVENTS]
    if unknown:
        fail(f"unknown event '{unknown[0]}'; events are: {', '.join(EVENTS)}")
    return events


def registered(session: Session, url: str) -> Webhook:
    """The endpoint at `url`, or one line saying there is none."""
    from bot import store

    webhook = store.find_webhook(session=session, url=url)
    if webhook is None:
        fail(f"no webhook {url} (npsbot webhook list shows them)")
    return webhook


@webhook_app.command("add")
def webhook_add(
    url: UrlArgument,
    events: Annotated[
        list[str] | None,
        typer.Option("--events", help="Event types to send, comma-separated (default all)."),
    ] = None,
) -> None:
    """Register an endpoint and print its signing secret (shown this once)."""
    with friendly():
        import secrets
        from datetime import UTC, datetime

        from bot import store

        checked_url(url)
        chosen = checked_events(events or [])
        _, database = settings_and_db()
        secret = secrets.token_urlsafe(32)
        with database.session() as session:
            added = store.add_webhook(
                session=session, url=url, secret=secret, events=chosen, now=datetime.now(UTC)
            )
        if added is None:
            fail(f"{url} is registered already (npsbot webhook remove {url} first)")
        say(f"Registered {url} for {', '.join(chosen) or 'every event'}.")
        say(f"secret: {secret}")


@webhook_app.command("list")
def webhook_list() -> None:
    """The registered endpoints and the events each hears."""
    with friendly():
        from bot import store

        _, database = settings_and_db()
        with database.session() as session:
            webhooks = store.list_webhooks(session=session)
            if not webhooks:
                say("No webhooks (npsbot webhook add URL).")
            for webhook in webhooks:
                say(f"{webhook.url}  {', '.join(webhook.events) or 'every event'}")


@webhook_app.command("remove")
def webhook_remove(url: UrlArgument) -> None:
    """Forget an endpoint; events not yet delivered to it are dropped."""
    with friendly():
        from bot import store

        _, database = settings_and_db()
        with database.session() as session:
            store.remove_webhook(session=session, webhook=registered(session, url))
        say(f"Removed {url}.")


@webhook_app.command("test")
def webhook_test(url: UrlArgument) -> None:
    """Send a signed `ping` now and say what the endpoint answered."""
    with friendly():
        import asyncio
        from datetime import UTC, datetime

        import aiohttp

        from bot.outbound import PING, encode, event_body
        from bot.webhook_delivery import post

        _, database = settings_and_db()
        with database.session() as session:
            webhook = registered(session, url)
        now = datetime.now(UTC)
        body = event_body(event_type=PING, data={"url": url}, now=now)

        async def ping() -> tuple[int | None, str | None]:
            async with aiohttp.ClientSession() as http:
                attempt = await post(
                    http,
                    url=url,
                    secret=webhook.secret,
                    event_type=PING,
                    body=encode(body),
                    now=now,
                )
            return attempt.status, attempt.error

        status, error = asyncio.run(ping())
        if error is not None:
            fail(f"ping to {url} failed: {error}")
        say(f"ping {body['id']} delivered to {url}: HTTP {status}")


@webhook_app.command("log")
def webhook_log(
    url: Annotated[str | None, typer.Argument(help="Only this endpoint.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many, newest first.")] = 50,
) -> None:
    """Recent deliveries: delivered, pending (with the last error) or dead."""
    with friendly():
        from bot import store

        _, database = settings_and_db()
        with database.session() as session:
            webhook_id = None if url is None else registered(session, url).id
            rows = store.delivery_log(session=session, webhook_id=webhook_id, limit=limit)
        if not rows:
            say("No deliveries yet.")
        for delivery, endpoint in rows:
            when = delivery.created_at.isoformat(timespec="seconds") if delivery.created_at else ""
            outcome = delivery.last_error or (
                f"HTTP {delivery.last_status}" if delivery.last_status else ""
            )
            say(
                f"{when}  {delivery.status:<9}  {delivery.type:<20}  {delivery.event_id}  "
                f"{endpoint}  tries {delivery.attempts}  {outcome}".rstrip()
            )
