"""What the bot says, composed from the catalogue: to a respondent in their language, on
a detractor alert in the team's.

The phrases themselves live in `bot/locales`; this module only decides which ones make up a
question or a follow-up (the follow-up is worded by the score's category).
"""

from __future__ import annotations

from bot.channel import AlertLabels, Followup, Question
from bot.clock import when
from bot.i18n import Words
from bot.models import Case, CaseState
from scoring.nps import category
from scoring.returning import move_label


def question(
    words: Words,
    *,
    invitation_id: int,
    company: str,
    reminder: bool = False,
    score: int | None = None,
) -> Question:
    """The NPS question in the standard wording; `score` fills in the answered line."""
    text = words.t("survey.question", company=company)
    if reminder:
        text = words.t("survey.reminder") + " " + text
    return Question(
        invitation_id=invitation_id,
        text=text,
        low_label=words.t("survey.scale_low"),
        high_label=words.t("survey.scale_high"),
        opt_out_label=words.t("button.opt_out"),
        remind_label=words.t("button.remind_later"),
        answered="" if score is None else words.t("survey.answered", score=score),
    )


def followup(
    words: Words, *, invitation_id: int, score: int, recall: str | None = None
) -> Followup:
    """Detractors are asked what to fix, passives what is missing, promoters what they value;
    someone whose last comment had a theme (`recall`) is asked about it first.

    An admin's own question wins: where they reworded the plain follow-up of a category
    (NPSBOT_FOLLOWUP_DETRACTOR, or the strings dir) but not its remembering variant, the
    person reads the admin's question as written, never the shipped "Last time you
    mentioned ..." beside it; rewording the variant too (NPSBOT_FOLLOWUP_RECALL_DETRACTOR,
    with `{theme}`) keeps the remembering in the admin's words."""
    kind = category(score)
    if recall and _remembers(words, kind):
        text = {
            "detractor": words.t("followup.recall_detractor", theme=recall),
            "passive": words.t("followup.recall_passive", theme=recall),
            "promoter": words.t("followup.recall_promoter", theme=recall),
        }[kind]
    else:
        text = {
            "detractor": words.t("followup.detractor"),
            "passive": words.t("followup.passive"),
            "promoter": words.t("followup.promoter"),
        }[kind]
    return Followup(
        invitation_id=invitation_id,
        text=text,
        skip_label=words.t("button.skip"),
        reply_hint=words.t("followup.reply_hint"),
        placeholder=words.t("followup.placeholder"),
    )


def _remembers(words: Words, kind: str) -> bool:
    """The remembering wording is the admin's, or the plain one is not: either way it is
    in one voice."""
    return words.overridden(f"followup.recall_{kind}") or not words.overridden(f"followup.{kind}")


def announcement(words: Words, *, company: str, text: str) -> str:
    """A "you said, we did" message as the person reads it: who it is from, then the team's
    words as they wrote them."""
    intro = words.t("announce.intro", company=company)
    return f"{intro}\n\n{text}"


def case_status(words: Words, case: Case | None) -> str:
    """Where an alert's case stands, with who and when (empty before it is posted)."""
    if case is None:
        return ""
    if case.state == CaseState.RESOLVED:
        line = words.t("alert.status_resolved", who=case.resolved_by, at=when(case.resolved_at))
        if case.resolution_note:
            line += "\n" + words.t("alert.status_note", note=case.resolution_note)
        return line
    if case.state == CaseState.REPLIED:
        return words.t("alert.status_replied", at=when(case.first_reply_at))
    if case.state == CaseState.CLAIMED:
        return words.t("alert.status_claimed", who=case.claimed_by, at=when(case.claimed_at))
    return words.t("alert.status_open")


def alert_labels(
    words: Words,
    *,
    score: int,
    respondent: str | None,
    owner: str | None,
    previous: int | None = None,
    mover: bool = False,
    case: Case | None = None,
    announcement: str | None = None,
) -> AlertLabels:
    """Every word on a detractor or mover alert; the adapters only lay them out.

    A mover's alert is labelled with the move ("10 -> 7"); a detractor's says what the person
    gave before, when they answered before. A case opened by a reply to the "you said, we
    did" announcement on `announcement` says so, with the answer it was about.
    """
    who = respondent or words.t("alert.anonymous")
    if announcement is not None:
        title = words.t("alert.reply_title", phrase=announcement)
        heading = words.t("alert.reply_heading", phrase=announcement, score=score)
        notification = words.t("alert.reply_notification", respondent=who, phrase=announcement)
        previous = None
    elif mover and previous is not None:
        move = move_label(previous, score)
        title = heading = words.t("alert.mover_title", move=move)
        notification = words.t("alert.mover_notification", respondent=who, move=move)
    else:
        title, heading = words.t("alert.title"), words.t("alert.heading", score=score)
        notification = words.t("alert.notification", respondent=who, score=score)
    return AlertLabels(
        title=title,
        heading=heading,
        notification=notification,
        previously=(
            words.t("alert.previously", score=previous)
            if previous is not None and not mover
            else ""
        ),
        who=who,
        score=words.t("alert.score"),
        respondent=words.t("alert.respondent"),
        segment=words.t("alert.segment"),
        comment=words.t("alert.comment"),
        no_comment=words.t("alert.no_comment"),
        following_up=words.t("alert.following_up"),
        owner_line=words.t("alert.owner_line", owner=owner) if owner else "",
        reply_sent=words.t("alert.reply_sent_label"),
        claim=words.t("alert.claim_button"),
        reply=words.t("alert.reply_button"),
        resolve=words.t("alert.resolve_button"),
        state_line=case_status(words, case),
    )


def command_menu(words: Words) -> list[tuple[str, str]]:
    """The commands a chat app lists in its menu, each with its description."""
    return [
        ("start", words.t("menu.start")),
        ("stop", words.t("menu.stop")),
        ("help", words.t("menu.help")),
        ("skip", words.t("menu.skip")),
        ("timezone", words.t("menu.timezone")),
        ("language", words.t("menu.language")),
        ("nps", words.t("menu.nps")),
    ]
