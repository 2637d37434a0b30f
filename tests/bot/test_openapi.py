"""The trigger API describes itself, and schemathesis holds it to that description."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.schemas import OpenApiSchema as BaseOpenAPISchema

from bot import store
from bot.app import NpsBot
from bot.db import Database
from bot.settings import Settings

TOKEN = "openapi-test-token-0123456789"


@pytest.fixture
def bot(db: Database) -> NpsBot:
    with db.session() as session:
        store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=datetime.now(UTC)
        )
    return NpsBot(Settings(NPSBOT_DATABASE_URL=db.url, NPSBOT_API_TOKEN=TOKEN), db=db, platforms=[])


@pytest.fixture
def api(bot: NpsBot) -> BaseOpenAPISchema:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", bot.web_app())


def test_document_comes_from_the_models(api: BaseOpenAPISchema) -> None:
    raw = api.raw_schema
    request = raw["components"]["schemas"]["TriggerRequest"]
    assert request["additionalProperties"] is False
    assert set(request["required"]) == {"platform", "user_id", "event"}
    assert request["properties"]["platform"]["enum"] == ["slack", "telegram"]
    post = raw["paths"]["/api/v1/triggers"]["post"]
    assert set(post["responses"]) == {"202", "401", "404", "409", "413", "422", "503"}


def test_no_5xx_and_every_answer_matches_the_schema(api: BaseOpenAPISchema) -> None:
    """Two hundred seeded cases, valid and not, with the token and without."""
    operation = api["/api/v1/triggers"]["POST"]

    @given(case=operation.as_strategy(), authorised=st.booleans())
    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case, authorised: bool) -> None:
        token = TOKEN if authorised else "wrong"
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

    check()
