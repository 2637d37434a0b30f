"""`POST /api/v1/triggers` over HTTP (ASGI), with the fatigue policy behind it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from bot import store
from bot.app import NpsBot
from bot.clock import FakeClock
from bot.db import Database
from bot.models import Invitation, InvitationStatus, Respondent
from bot.settings import Settings

TOKEN = "s3cret-token"


@pytest.fixture
def bot(db: Database, clock: FakeClock) -> NpsBot:
    settings = Settings(NPSBOT_DATABASE_URL=db.url, NPSBOT_API_TOKEN=TOKEN)
    with db.session() as session:
        store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=clock.now()
        )
    return NpsBot(settings, db=db, clock=clock, platforms=[])


@pytest.fixture
async def client(bot: NpsBot):
    transport = httpx.ASGITransport(app=bot.web_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://npsbot") as http:
        yield http


def body(**overrides: object) -> dict[str, object]:
    return {
        "platform": "slack",
        "user_id": "U42",
        "event": "order_delivered",
        "delay_minutes": 60,
        "attributes": {"plan": "pro"},
        **overrides,
    }


async def post(client: httpx.AsyncClient, payload: object, token: str = TOKEN) -> httpx.Response:
    return await client.post(
        "/api/v1/triggers", json=payload, headers={"Authorization": f"Bearer {token}"}
    )


async def test_wrong_or_missing_token_is_401(client, db) -> None:
    assert (await post(client, body(), token="nope")).status_code == 401
    assert (await client.post("/api/v1/triggers", json=body())).status_code == 401
    with db.session() as session:
        assert session.exec(select(Invitation)).all() == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(platform="email"), "platform"),
        (body(delay_minutes=-5), "delay_minutes"),
        (body(user_id=""), "user_id"),
        (body(event="has spaces"), "event"),
        ({"platform": "slack"}, "user_id"),
        (body(surprise=1), "surprise"),
    ],
)
async def test_bad_body_is_422_naming_the_field(client, payload, field) -> None:
    response = await post(client, payload)
    assert response.status_code == 422
    assert response.json()["field"] == field


async def test_not_json_is_422(client) -> None:
    response = await client.post(
        "/api/v1/triggers", content=b"{nope", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 422


@pytest.mark.database  # the only cover of last_trigger
async def test_trigger_schedules_after_the_delay(client, db, clock) -> None:
    response = await post(client, body())
    assert response.status_code == 202
    assert response.json()["status"] == "scheduled"
    with db.session() as session:
        invitation = session.exec(select(Invitation)).one()
    assert invitation.source == "triggered" and invitation.event == "order_delivered"
    assert invitation.due_at == clock.now() + timedelta(minutes=60)
    second = await post(client, body())
    assert second.json() == {
        "status": "suppressed",
        "invitation_id": 2,
        "due_at": None,
        "reason": "a survey is already open",
    }


async def test_opted_out_trigger_is_suppressed_with_reason(client, bot, db, clock) -> None:
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=clock.now()
        )
        respondent = store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id="U42", now=clock.now()
        )
        store.set_opted_out(session=session, respondent=respondent, opted_out=True, now=clock.now())
    response = await post(client, body())
    assert response.json()["status"] == "suppressed"
    assert response.json()["reason"] == "opted out"
    with db.session() as session:
        invitation = session.exec(select(Invitation)).one()
    assert invitation.status == InvitationStatus.SUPPRESSED
    counted = bot.metrics.registry.get_sample_value(
        "npsbot_invitations_total", {"outcome": "suppressed", "reason": "opted out"}
    )
    assert counted == 1


async def test_a_stranger_named_by_a_trigger_does_not_join_the_rotation(client, db) -> None:
    assert (await post(client, body(user_id="UNEW"))).status_code == 202
    with db.session() as session:
        stranger = session.exec(select(Respondent)).one()
    assert stranger.active is False, "asked about this event only"


async def test_a_known_person_keeps_their_rotation(client, db, clock) -> None:
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=clock.now()
        )
        store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id="U42", now=clock.now()
        )
    assert (await post(client, body())).status_code == 202
    with db.session() as session:
        assert session.exec(select(Respondent)).one().active is True


async def test_trigger_joins_rotation_when_configured(db: Database, clock: FakeClock) -> None:
    settings = Settings(
        NPSBOT_DATABASE_URL=db.url, NPSBOT_API_TOKEN=TOKEN, NPSBOT_TRIGGER_JOINS_ROTATION=True
    )
    with db.session() as session:
        store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=clock.now()
        )
    bot = NpsBot(settings, db=db, clock=clock, platforms=[])
    transport = httpx.ASGITransport(app=bot.web_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://npsbot") as http:
        assert (await post(http, body(user_id="UNEW"))).status_code == 202
    with db.session() as session:
        assert session.exec(select(Respondent)).one().active is True


@pytest.mark.database  # the only cover of the workspace lookup
async def test_unknown_workspace_is_404_and_several_are_409(client, db, clock) -> None:
    response = await post(client, body(platform="telegram"))
    assert (response.status_code, response.json()["field"]) == (404, "workspace")
    with db.session() as session:
        store.get_or_create_workspace(
            session=session, platform="slack", external_id="T2", now=clock.now()
        )
    assert (await post(client, body())).status_code == 409
    assert (await post(client, body(workspace="T2"))).status_code == 202
