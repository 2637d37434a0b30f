"""`/nps announce "<theme or phrase>"`: "you said, we did".

Finds the people whose comments of the last 180 days mention the phrase (the digest's own
term matching), shows the admin how many and a sample, and once the admin has written the
message (a Slack modal, a forced reply in the Telegram team group) queues one delivery per
person; `scheduling.announcements` sends each in that person's window. Nobody is told more
than once in 30 days, nor after opting out.

A mixin of `Admin`, which supplies the database, settings, clock, words and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot import store
from bot.models import Respondent, Workspace
from scoring import quotes
from scoring.mentions import NotAPhrase, mentions, prefilter_words, wanted_terms

if TYPE_CHECKING:
    from bot.admin_parse import Command
    from bot.clock import Clock
    from bot.db import Database
    from bot.events import (
        AdminCommand,
        AnnouncementStarted,
        AnnouncementWritten,
        Audited,
        Origin,
    )
    from bot.i18n import Words
    from bot.settings import Settings

LOOKBACK = timedelta(days=180)
ONCE_IN = timedelta(days=30)
SAMPLES = 3
SAMPLE_CHARS = 160
TEXT_LIMIT = 3000


@dataclass(frozen=True, slots=True)
class Reach:
    """Who an announcement on a phrase would reach, and what they said."""

    people: tuple[int, ...]
    answers: dict[int, int]
    """Per person, the answer whose comment matched (a reply to the announcement opens its
    case)."""
    held_back: int
    """Matched, but opted out, unreachable, or told something in the last 30 days."""
    samples: tuple[str, ...]


def reach(
    session: Session, *, workspace: Workspace, phrase: str, now: datetime, anonymous: bool
) -> Reach:
    """Everyone whose comment mentions `phrase` (each once, by their newest comment)."""
    wanted = wanted_terms(phrase)
    rows = store.comments_with_words(
        session=session,
        workspace_id=workspace.id or 0,
        since=now - LOOKBACK,
        words=prefilter_words(wanted),
    )
    newest: dict[int, tuple[str, Respondent]] = {}
    answers: dict[int, int] = {}
    for response, respondent in rows:
        who = respondent.id or 0
        if who not in newest and mentions(response.comment, wanted, language=response.language):
            newest[who] = (response.comment or "", respondent)
            answers[who] = response.id or 0
    told = store.told_since(session=session, workspace_id=workspace.id or 0, since=now - ONCE_IN)
    people = tuple(
        who
        for who, (_, respondent) in newest.items()
        if not (respondent.opted_out or respondent.unreachable or who in told)
    )
    hidden = anonymous or workspace.anonymous
    names = quotes.name_words(r.display_name for _, r in newest.values() if r.display_name)
    term = sorted(wanted)[0]
    samples = []
    for who in people[:SAMPLES]:
        comment, respondent = newest[who]
        text = quotes.excerpt(comment, term, max_chars=SAMPLE_CHARS)
        name = respondent.display_name or respondent.platform_user_id
        samples.append(f"“{quotes.mask(text, names=names)}”" if hidden else f"{name}: “{text}”")
    return Reach(
        people=people,
        answers={who: answers[who] for who in people},
        held_back=len(newest) - len(people),
        samples=tuple(samples),
    )


class Announcing:
    """The preview, the go-ahead and the written announcement."""

    db: Database
    settings: Settings
    clock: Clock
    words: Words

    if TYPE_CHECKING:

        def is_admin(
            self, event: AdminCommand | AnnouncementStarted | AnnouncementWritten
        ) -> bool: ...

        def _audit(
            self, session: Session, workspace_id: int, event: Audited, action: str
        ) -> None: ...

    async def _reach(self, workspace_id: int, phrase: str) -> Reach:
        now = self.clock.now()

        def read(session: Session) -> Reach:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            return reach(
                session,
                workspace=workspace,
                phrase=phrase,
                now=now,
                anonymous=self.settings.anonymous,
            )

        return await self.db.run(read)

    async def _announce(self, workspace_id: int, command: Command, event: AdminCommand) -> str:
        """The preview: how many would be told, a sample, and how to go on."""
        phrase = command.args[0]
        try:
            found = await self._reach(workspace_id, phrase)
        except NotAPhrase:
            return self.words.t("announce.not_a_phrase", phrase=phrase)
        lines = [self.words.t("announce.preview", count=len(found.people), phrase=phrase)]
        if found.held_back:
            lines.append(self.words.t("announce.held_back", count=found.held_back))
        lines += [f"> {sample}" for sample in found.samples]
        if found.people:
            again = f'/nps announce "{phrase}" send'
            lines.append(self.words.t("announce.next", command=again))
        return "\n".join(lines)

    async def announcement_refusal(
        self, event: AnnouncementStarted | AnnouncementWritten
    ) -> str | None:
        """None when the admin may write the announcement (someone is to be told)."""
        if not self.is_admin(event):
            return self.words.t("admin.not_allowed")
        workspace_id = (await self._workspace(event.origin)).id or 0
        try:
            found = await self._reach(workspace_id, event.phrase)
        except NotAPhrase:
            return self.words.t("announce.not_a_phrase", phrase=event.phrase)
        if not found.people:
            return self.words.t("announce.preview", count=0, phrase=event.phrase)
        return None

    async def announce(self, event: AnnouncementWritten) -> str:
        """Queue the written announcement for everyone it reaches now."""
        if (refused := await self.announcement_refusal(event)) is not None:
            return refused
        text = event.text.strip()[:TEXT_LIMIT]
        if not text:
            return self.words.t("announce.empty")
        workspace_id = (await self._workspace(event.origin)).id or 0
        now = self.clock.now()

        def write(session: Session) -> int:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            found = reach(
                session,
                workspace=workspace,
                phrase=event.phrase,
                now=now,
                anonymous=self.settings.anonymous,
            )
            store.create_announcement(
                session=session,
                workspace_id=workspace_id,
                phrase=event.phrase,
                text=text,
                author=event.name or event.origin.user_id,
                respondent_ids=found.people,
                now=now,
                answers=found.answers,
            )
            self._audit(session, workspace_id, event, "announce")
            return len(found.people)

        count = await self.db.run(write)
        return self.words.t("announce.queued", count=count, phrase=event.phrase)

    async def _workspace(self, origin: Origin) -> Workspace:
        """The workspace an admin acts in, registered on first use."""
        return await self.db.run(
            lambda session: store.get_or_create_workspace(
                session=session,
                platform=origin.platform,
                external_id=origin.workspace,
                now=self.clock.now(),
            )
        )
