"""Simulated customers for `npsbot demo`: who they are and how they answer.

Scores follow a realistic NPS shape (most answers 7-10, a long tail of detractors), differ by
plan and region, and improve slowly over the weeks so the trend has something to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from scoring.nps import category

PLANS = (("free", -1.2), ("pro", 0.4), ("enterprise", 0.9))
REGIONS = (
    ("eu", "Europe/Berlin"),
    ("uk", "Europe/London"),
    ("us", "America/New_York"),
    ("apac", "Asia/Singapore"),
)
FIRST_NAMES = (
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Gustav",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomás",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
)
COMMENTS = {
    "detractor": (
        "Checkout is slow and crashed twice this week",
        "slow checkout, I gave up and ordered elsewhere",
        "Support never answered my ticket",
        "Too expensive for what it does",
        "The app logs me out all the time 😤",
        "billing was confusing and I was charged twice",
        "Lieferung kam zu spät und die Hotline war nicht erreichbar",
        "slow checkout again. please fix it",
        "Your support isn't helpful at all",
        "prices went up but nothing got better",
    ),
    "passive": (
        "It's fine, but the reports could be better",
        "Good overall, a bit pricey",
        "Decent, though the mobile app is slow sometimes",
        "Works, onboarding took a while",
        "ok product, support is hit and miss",
        "Would love dark mode and better exports",
    ),
    "promoter": (
        "Friendly staff and fast delivery every time",
        "The support team is amazing, solved my issue in minutes",
        "Great value for the price",
        "friendly staff, always helpful 🙌",
        "Love the new dashboard",
        "Fast delivery and great quality",
        "Super easy to use, the whole team loves it",
        "Das Team ist super freundlich und hilfsbereit",
    ),
}


@dataclass(frozen=True, slots=True)
class Customer:
    platform: str
    user_id: str
    name: str
    plan: str
    region: str
    timezone: str
    mood: float

    @property
    def attributes(self) -> dict[str, str]:
        return {"plan": self.plan, "region": self.region}


def make_customers(
    *, platform: str, count: int, rng: random.Random, first_id: int
) -> list[Customer]:
    customers = []
    for index in range(count):
        plan, plan_bias = rng.choices(PLANS, weights=(5, 4, 1))[0]
        region, tz = rng.choice(REGIONS)
        user_id = f"U{first_id + index:05d}" if platform == "slack" else str(first_id + index)
        customers.append(
            Customer(
                platform=platform,
                user_id=user_id,
                name=f"{rng.choice(FIRST_NAMES)} {chr(65 + index % 26)}.",
                plan=plan,
                region=region,
                timezone=tz,
                mood=rng.gauss(0, 1.2) + plan_bias,
            )
        )
    return customers


def score_for(customer: Customer, *, week: int, rng: random.Random) -> int:
    """A 0-10 answer: mostly 7-10, skewed by mood, better by ~0.1 a week."""
    raw = rng.gauss(7.6 + customer.mood + 0.1 * week, 1.6)
    return max(0, min(10, round(raw)))


def comment_for(score: int, rng: random.Random) -> str | None:
    """About half the people leave a comment, detractors a little more often."""
    kind = category(score)
    if rng.random() > (0.65 if kind == "detractor" else 0.5):
        return None
    return rng.choice(COMMENTS[kind])
