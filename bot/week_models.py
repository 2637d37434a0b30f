"""The weekly counts of weeks that have ended, kept so the digest's trend need not count
eleven old weeks of answers again on every build.

A row is one workspace's one week (its UTC bounds, so a week of another time zone is
another row). Triggers (migration 0010) delete the rows of every week an answer or a
delivery is written into, moved out of or deleted from, in the writing transaction: no
write path, present or future, can leave a row stale.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from bot.columns import UTCDateTime


class WeekCount(SQLModel, table=True):
    """One workspace's answers by category and its deliveries, in [start_at, end_at)."""

    workspace_id: int = Field(primary_key=True)
    start_at: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    end_at: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    promoters: int
    passives: int
    detractors: int
    delivered: int
