"""The App Home as Block Kit: the team's live report, or a person's privacy view.

A Home tab holds at most 100 blocks and every text has Block Kit's limits, so each part is
cut to fit and the whole view is capped; the claim buttons are the alerts' own
(`nps_alert_claim`), so a claim from the Home is the same action as one in the channel.
"""

from __future__ import annotations

from typing import Any

from bot.home_view import HomeView, PersonHome, TeamHome
from bot.i18n import Words
from bot.report_words import case_line, owner_line, stored_lines, trend_line, week_line
from channels.slack.alert_blocks import CLAIM_ACTION
from channels.slack.blocks import Block, button, context, header, section
from channels.slack.text import escape, fit, quote

HOME_BLOCKS = 100
HOME_OPT_OUT = "nps_home_opt_out"
HOME_EXPORT = "nps_home_export"
HOME_FORGET = "nps_home_forget"
HOME_ACTIONS = (HOME_OPT_OUT, HOME_EXPORT, HOME_FORGET)
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
ALT_TEXT = 2000
DIVIDER: Block = {"type": "divider"}


def home_view(home: HomeView) -> Block:
    """The `view` for views.publish; `private_metadata` names the team chat claims count in."""
    if isinstance(home, TeamHome):
        blocks = team_blocks(home)
        metadata = home.chat_id or ""
    else:
        blocks = person_blocks(home)
        metadata = ""
    return {"type": "home", "private_metadata": metadata, "blocks": blocks[:HOME_BLOCKS]}


def team_blocks(home: TeamHome) -> list[Block]:
    report, words = home.report, home.words
    blocks: list[Block] = [
        header(report.title + " · " + words.t("home.live")),
        section(bold(week_line(report, words))),
    ]
    if home.chart_url:
        alt = fit(words.t("home.chart_alt"), ALT_TEXT)
        blocks.append({"type": "image", "image_url": home.chart_url, "alt_text": alt})
    else:
        rows = "\n".join(trend_line(point) for point in report.trend)
        blocks.append(section(bold(words.t("home.trend")) + f"\n```{rows}```"))
    blocks += [DIVIDER, section(bold(words.t("home.cases", count=len(report.cases))))]
    if not report.cases:
        blocks.append(context(escape(words.t("home.no_cases"))))
    for case in report.cases:
        block = section(escape(case_line(case, words)))
        if case.owner is None:
            block["accessory"] = button(
                words.t("alert.claim_button"), action_id=CLAIM_ACTION, value=str(case.response_id)
            )
        blocks.append(block)
        if (owner := owner_line(case, words)) is not None:
            blocks.append(context(f":raising_hand: {escape(owner)}"))
    blocks += [DIVIDER, section(bold(words.t("home.comments")))]
    if not report.comments:
        blocks.append(context(escape(words.t("home.no_comments"))))
    blocks += [section(f"{c.score}/10\n{quote(c.text)}") for c in report.comments]
    updated = report.built_at.strftime("%Y-%m-%d %H:%M UTC")
    blocks.append(context(escape(words.t("home.updated", time=updated))))
    return blocks


def person_blocks(home: PersonHome) -> list[Block]:
    words = home.words
    lines = "\n".join(f"• {escape(line)}" for line in stored_lines(home.stored, words))
    buttons: list[Block] = []
    if home.stored is not None and not home.stored.opted_out:
        buttons.append(button(words.t("home.opt_out"), action_id=HOME_OPT_OUT, value="home"))
    if home.stored is not None:
        buttons.append(button(words.t("home.export"), action_id=HOME_EXPORT, value="home"))
        forget = button(words.t("home.forget"), action_id=HOME_FORGET, value="home", style="danger")
        forget["confirm"] = _confirm(words)
        buttons.append(forget)
    blocks: list[Block] = [
        header(words.t("home.person_title")),
        section(escape(words.t("home.person_intro", company=home.company))),
        section(bold(words.t("home.stored_heading")) + "\n" + lines),
    ]
    if buttons:
        blocks.append({"type": "actions", "block_id": "nps_home_privacy", "elements": buttons})
    return blocks


def bold(text: str) -> str:
    return f"*{escape(text)}*"


def _confirm(words: Words) -> Block:
    """Slack's own confirmation dialog: the click reaches the app only after "Delete"."""

    def plain(text: str, limit: int) -> Block:
        return {"type": "plain_text", "text": fit(text, limit)}

    return {
        "title": plain(words.t("home.forget_title"), CONFIRM_TITLE),
        "text": plain(words.t("privacy.forget_confirm"), CONFIRM_TEXT),
        "confirm": plain(words.t("home.forget_yes"), CONFIRM_BUTTON),
        "deny": plain(words.t("home.forget_no"), CONFIRM_BUTTON),
        "style": "danger",
    }


def from_home(body: dict[str, Any]) -> bool:
    """A block action pressed in the Home tab rather than on a message."""
    return (body.get("container") or {}).get("type") == "view" and (
        (body.get("view") or {}).get("type") == "home"
    )


def home_chat(body: dict[str, Any]) -> str | None:
    """The team chat a Home claim counts in: the one the Home was published for (its
    `private_metadata`, which only the app can set and Slack returns as published)."""
    return str((body.get("view") or {}).get("private_metadata") or "") or None
