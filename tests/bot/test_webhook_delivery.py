"""The webhook retry policy on a fake clock: first retry within 30 s, doubling to an hour,
dead after a day, visible in the log; the person's next event then goes out."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import outbound, store
from bot.clock import FakeClock
from bot.db import Database
from bot.jobs import JobRunner
from bot.models import Job, Webhook, WebhookDelivery, Workspace
from bot.webhook_delivery import GIVE_UP_AFTER, RETRY_CAP, WebhookSender, signature
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.database  # the only cover of giving up and removing deliveries


def seed(db: Database, clock: FakeClock, url: str) -> int:
    with db.session() as session:
        store.add_webhook(session=session, url=url, secret="s", events=[], now=clock.now())
        workspace = Workspace(platform="telegram", external_id="bot1", anonymous=True)
        session.add(workspace)
        session.flush()
        person = store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id="4242", now=clock.now()
        )
        return person.id or 0


def emit(db: Database, clock: FakeClock, respondent_id: int, owner: str) -> None:
    with db.session() as session:
        outbound.emit(
            session,
            type="case.claimed",
            respondent_id=respondent_id,
            data={"owner": owner},
            now=clock.now(),
            anonymous=False,
        )


def jobs_left(db: Database) -> list[Job]:
    with db.session() as session:
        return list(session.exec(select(Job)).all())


async def test_a_delivery_failing_for_a_day_is_given_up_and_the_next_goes_out(
    db: Database, clock: FakeClock
) -> None:
    jobs = JobRunner(db=db, clock=clock)
    sender = WebhookSender(db=db, jobs=jobs, clock=clock, retry_seconds=10)
    async with Receiver(otherwise=500) as receiver:
        person = seed(db, clock, receiver.url)
        emit(db, clock, person, "ada")
        emit(db, clock, person, "bob")
        start = clock.now()
        waits: list[timedelta] = []
        while True:
            assert await jobs.run_due() == 1, "one person's events go one at a time"
            await jobs.idle()
            first = min(jobs_left(db), key=lambda job: job.id or 0)
            if first.dead:
                break
            waits.append(first.run_after - clock.now())
            clock.set(first.run_after)
        assert waits[0] <= timedelta(seconds=30), "the first retry comes within 30 s"
        assert waits[1] == 2 * waits[0] and max(waits) == timedelta(seconds=RETRY_CAP)
        assert GIVE_UP_AFTER <= clock.now() - start < GIVE_UP_AFTER + timedelta(hours=1)
        assert {got.event["data"]["owner"] for got in receiver.received} == {"ada"}

        with db.session() as session:
            (dead, waiting) = session.exec(
                select(WebhookDelivery).order_by(WebhookDelivery.id)
            ).all()
            assert (dead.status, dead.last_status, dead.attempts) == ("dead", 500, len(waits) + 1)
            (line, *_) = store.delivery_log(session=session)
            assert line[0].id == waiting.id, "newest first"

        receiver.otherwise = 200
        await jobs.run_due()
        await jobs.idle()
        assert receiver.received[-1].event["data"]["owner"] == "bob"
        assert receiver.received[-1].event["data"]["respondent"]["id"].startswith("p-")
        assert [job.dead for job in jobs_left(db)] == [True], "the dead one stays to be seen"
    await sender.close()


def test_the_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    # As `openssl dgst -sha256 -hmac whsec` computes it, and the README's receiver does.
    assert signature("whsec", "1700000000", '{"a":1}') == (
        "v1=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032"
    )


def test_webhooks_are_removed_with_their_dead_jobs(db: Database, clock: FakeClock) -> None:
    person = seed(db, clock, "http://127.0.0.1:9/x")
    emit(db, clock, person, "ada")
    with db.session() as session:
        webhook = session.exec(select(Webhook)).one()
        store.remove_webhook(session=session, webhook=webhook)
    assert jobs_left(db) == []


def test_the_readmes_five_lines_verify_a_signature() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.partition("## Webhooks")[2]
    code = section.partition("```python\n")[2].partition("```")[0]
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    body = '{"id":"e1","type":"ping"}'

    def check(secret: str, sent: str, at: float) -> bool:
        timestamp = str(int(at))
        headers = {
            "X-Npsbot-Timestamp": timestamp,
            "X-Npsbot-Signature": signature("k", timestamp, body),
        }
        try:
            exec(code, {"secret": secret, "headers": headers, "body": sent.encode()})
        except AssertionError:
            return False
        return True

    now = time.time()
    assert check("k", body, now)
    assert not check("k", body.replace("ping", "pong"), now), "a changed body"
    assert not check("other", body, now), "another secret"
    assert not check("k", body, now - 3600), "a replayed old request"
