"""What opening the Slack App Home costs, against building the report for every open.

Seeds a workspace with twelve weeks of answers and comments, then opens the Home for many
admins in a row through the real `Home` service: the first open builds the report (a dozen
aggregate queries and the chart), the rest reuse it. The baseline is the same build done
for every open, which is what a Home without the cache would cost. Prints seconds and the
ratio, and how many reports were built and views published.

    python bench/home.py            # 50,000 answers, 200 opens
    python bench/home.py --small    # 2,000 answers, 40 opens, one baseline build (CI)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.channel import Channel, Profile
from bot.db import Database
from bot.events import HomeOpened, Origin
from bot.home import Home
from bot.home_view import HomeView
from bot.i18n import build_catalogue
from bot.models import Invitation, Respondent, Response, Workspace
from bot.report import ReportCache, build_report, draw_chart
from bot.settings import Settings

TEAM = "TBENCH"
COMMENTS = ("slow checkout", "great support", "the app crashes", "pricing is fair", "love it")


class Publishing(Channel):
    """Slack as the Home sees it: publishes are counted, nothing else is used."""

    platform = "slack"

    def __init__(self) -> None:
        self.published = 0

    async def publish_home(self, *, user_id: str, home: HomeView) -> None:
        self.published += 1

    async def member_ids(self, *, chat_id: str) -> frozenset[str]:
        return frozenset()

    async def send_question(self, **_: object) -> None:  # type: ignore[override]  # refuses any
        raise NotImplementedError

    # One refusal for every send this bench must never make.
    show_score = ask_followup = send_text = post_digest = send_question  # type: ignore[assignment]

    async def fetch_profile(self, *, user_id: str) -> Profile | None:
        return None


def seed(db: Database, answers: int) -> int:
    rng = random.Random(7)
    now = datetime.now(UTC)
    with db.session() as session:
        workspace = Workspace(platform="slack", external_id=TEAM)
        session.add(workspace)
        session.flush()
        workspace_id = workspace.id or 0
    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(Respondent),
            [
                {
                    "workspace_id": workspace_id,
                    "platform": "slack",
                    "platform_user_id": f"U{i:06d}",
                    "attributes": {},
                }
                for i in range(answers)
            ],
        )
        people = connection.execute(sa.select(Respondent.id)).scalars().all()
        connection.execute(
            sa.insert(Invitation),
            [{"workspace_id": workspace_id, "respondent_id": p, "status": "sent"} for p in people],
        )
        invitations = connection.execute(sa.select(Invitation.id)).scalars().all()
        rows = []
        for person, invitation in zip(people, invitations, strict=True):
            at = now - timedelta(seconds=rng.randrange(84 * 86400))
            comment = rng.choice(COMMENTS) if rng.random() < 0.3 else None
            rows.append(
                {
                    "invitation_id": invitation,
                    "workspace_id": workspace_id,
                    "respondent_id": person,
                    "platform": "slack",
                    "score": rng.choice((0, 3, 6, 7, 8, 9, 9, 10, 10, 10)),
                    "comment": comment,
                    "answered_at": at,
                    "commented_at": at if comment else None,
                    "attributes": {},
                }
            )
        connection.execute(sa.insert(Response), rows)
    return workspace_id


async def opens(db: Database, settings: Settings, count: int) -> tuple[float, float, int, int]:
    """(the first open, which builds; the other opens together; builds; publishes)."""
    channel = Publishing()
    reports = ReportCache(db=db, settings=settings, now=lambda: datetime.now(UTC))
    home = Home(
        db=db,
        settings=settings,
        channels={"slack": channel},
        catalogue=build_catalogue(settings),
        reports=reports,
    )
    took = []
    for i in range(count):
        origin = Origin(platform="slack", workspace=TEAM, user_id=f"UADMIN{i}")
        started = time.perf_counter()
        await home.opened(HomeOpened(origin, platform_admin=True))
        took.append(time.perf_counter() - started)
    return took[0], sum(took[1:]), reports.builds, channel.published


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    # Small: one baseline build (a median of one), enough to show the script runs in CI.
    answers, count, repeats = (2_000, 40, 1) if args.small else (50_000, 200, 3)
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/home.db")
        db.upgrade()
        settings = Settings(NPSBOT_DATABASE_URL=db.url, NPSBOT_COMPANY_NAME="Acme")
        workspace_id = seed(db, answers)
        builds = []
        for _ in range(repeats):
            started = time.perf_counter()
            report = build_report(
                db=db, settings=settings, workspace_id=workspace_id, now=datetime.now(UTC)
            )
            draw_chart(report.trend, report.title, settings)
            builds.append(time.perf_counter() - started)
        build = statistics.median(builds)
        first, rest, built, published = asyncio.run(opens(db, settings, count))
        db.dispose()
    others = count - 1
    print(f"{answers:,} answers over 12 weeks; {count} Home opens by {count} admins")
    print(f"report build (the baseline, per open): {build:.3f} s")
    print(f"first open (builds; starts the chart worker): {first:.3f} s")
    print(f"{others} more opens with the cache: {rest:.3f} s ({rest / others * 1000:.2f} ms each)")
    print(f"ratio {build * others / rest:.0f}x faster than a build per open")
    print(f"reports built: {built}, views published: {published}")


if __name__ == "__main__":
    main()
