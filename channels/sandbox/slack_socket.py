"""Socket Mode as Slack runs it: hello on connect, envelopes out, acks back within 3 seconds.

An `events_api` envelope not acknowledged in time is sent again with `retry_attempt` and
`retry_reason: "timeout"`, up to 3 retries, as Slack does; an interaction or slash command is
not retried: the person sees an error, which the sandbox records as an unacked delivery.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Literal

from aiohttp import WSCloseCode, WSMsgType, web

from channels.sandbox.slack_records import Delivery, Json

__all__ = ["ACK_SECONDS", "MAX_RETRIES", "AckTimeout", "EnvelopeKind", "SocketModeServer"]

EnvelopeKind = Literal["events_api", "interactive", "slash_commands"]
ACK_SECONDS = 3.0
MAX_RETRIES = 3


class AckTimeout(TimeoutError):
    """No attempt of a delivery was acknowledged within Slack's window."""


class SocketModeServer:
    """The websocket end of Socket Mode; `app_id` goes into the hello frame."""

    def __init__(self, *, app_id: str, ack_seconds: float = ACK_SECONDS) -> None:
        self.app_id = app_id
        self.ack_seconds = ack_seconds
        self.acks: list[Json] = []
        self.deliveries: list[Delivery] = []
        self.connection_count = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._pending: dict[str, asyncio.Future[Json]] = {}

    @property
    def open_connections(self) -> int:
        return len(self._sockets)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connection_count += 1
        self._connected.set()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {
                    "host": "applink-sandbox",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_frame(json.loads(msg.data))
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
            if not self._sockets:
                self._connected.clear()
        return ws

    def _on_frame(self, frame: Json) -> None:
        envelope_id = frame.get("envelope_id")
        if envelope_id is None:
            return
        self.acks.append(frame)
        future = self._pending.get(envelope_id)
        if future is not None and not future.done():
            future.set_result(frame)

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def push(self, kind: EnvelopeKind, payload: Json, *, retry_attempt: int = 0) -> Json:
        """Deliver an envelope and return the app's ack frame; retries events like Slack.

        `retry_attempt` starts the count elsewhere, to replay a retry Slack would send.
        """
        if not self._sockets:
            raise RuntimeError("no Socket Mode client is connected")
        delivery = Delivery(kind=kind, transport="socket_mode")
        self.deliveries.append(delivery)
        last = retry_attempt + (MAX_RETRIES if kind == "events_api" else 0)
        for attempt in range(retry_attempt, last + 1):
            delivery.attempts += 1
            ack = await self._send_once(kind, payload, attempt)
            if ack is not None:
                delivery.acked = True
                return ack
            if not self._sockets:
                break
        raise AckTimeout(f"{kind} envelope not acknowledged within {self.ack_seconds:g} s")

    async def _send_once(self, kind: EnvelopeKind, payload: Json, attempt: int) -> Json | None:
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        frame = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": attempt,
            "retry_reason": "timeout" if attempt else "",
        }
        try:
            await self._sockets[-1].send_json(frame)
            return await asyncio.wait_for(future, self.ack_seconds)
        except TimeoutError:
            return None
        finally:
            self._pending.pop(envelope_id, None)

    async def drop(self) -> None:
        """Close every connection abruptly, as a network blip would."""
        sockets, self._sockets = self._sockets, []
        self._connected.clear()
        for ws in sockets:
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"sandbox dropped the socket")
