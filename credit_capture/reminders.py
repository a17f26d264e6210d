"""E-mail reminders: due practice checks and reflections about to close, each sent once.

`curbside reminders send` runs from cron (hourly or daily); every run must be safe to
repeat. Each reminded item has a key (a practice check: learner, card and due day; a
reflection: its episode) recorded in ``reminder_sent`` *before* the message goes, under a
unique constraint, so two overlapping runs never both send it. If the SMTP server refuses,
the keys are removed again and the next run retries.

A reminder carries no clinical text: no question, no reflection, no answer; only card
titles, dates and links into the signed-in app, because e-mail leaves the site's control.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, delete, select

from credit_capture.episodes import utc_now
from credit_capture.mail import MailError

KINDS = ("practice", "reflection")


class ReminderSent(SQLModel, table=True):
    """One reminded item: the record that makes every reminder go out once."""

    __tablename__ = "reminder_sent"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True,
                     description="practice:LEARNER:CARD:DUE_DAY | reflection:EPISODE")
    kind: str = Field(index=True, description="practice | reflection")
    learner_id: str = Field(index=True)
    sent_at: datetime = Field(sa_type=DateTime(timezone=True))


@dataclass(frozen=True)
class Item:
    """One thing to remind a learner of: a line of text (no clinical content) and a link."""

    key: str
    kind: str
    learner_id: str
    line: str
    link: str


@dataclass(frozen=True)
class Recipient:
    learner_id: str
    email: str


@dataclass
class Report:
    """What a run did: messages sent, items in them, and failures (by learner id)."""

    messages: int = 0
    items: int = 0
    skipped: int = 0  # already reminded by an earlier run
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


Send = Callable[[str, str, str], None]  # (to, subject, body)


def practice_key(learner_id: str, card_id: str, due_on) -> str:
    return f"practice:{learner_id}:{card_id}:{due_on.isoformat()}"


def reflection_key(episode_id: str) -> str:
    return f"reflection:{episode_id}"


def compose(items: list[Item], *, home_link: str) -> tuple[str, str]:
    """Subject and plain-text body of one learner's reminder."""
    practice = [i for i in items if i.kind == "practice"]
    reflect = [i for i in items if i.kind == "reflection"]
    parts = []
    if practice:
        parts.append("A one-minute practice check is due (questions on what you looked up, "
                     "spaced so it sticks):")
        parts += [f"- {i.line}\n  {i.link}" for i in practice]
        parts.append("")
    if reflect:
        parts.append("A reflection closes soon; after that the question can no longer "
                     "earn credit:")
        parts += [f"- {i.line}\n  {i.link}" for i in reflect]
        parts.append("")
    parts.append(f"All of your learning: {home_link}")
    parts.append("You get this because you claimed point-of-care credit in Curbside. "
                 "Sign in to see the details; this e-mail holds none.")
    if practice and reflect:
        subject = "Curbside: practice check and reflection due"
    elif practice:
        subject = "Curbside: practice check due"
    else:
        subject = "Curbside: reflection closing soon"
    return subject, "\n".join(parts) + "\n"


def already_sent(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    stmt = select(ReminderSent.key).where(col(ReminderSent.key).in_(keys))
    return set(session.exec(stmt))


def send_reminders(session: Session, *, items: list[Item], recipients: dict[str, Recipient],
                   send: Send, home_link: str, now: datetime | None = None,
                   dry_run: bool = False) -> Report:
    """Send each learner one message with their not-yet-reminded items, recording each.

    ``recipients`` maps learner id -> address (learners without one are left out).
    ``dry_run`` counts what would go without sending or recording anything.
    """
    report = Report()
    done = already_sent(session, (i.key for i in items))
    report.skipped = sum(i.key in done for i in items)
    by_learner: dict[str, list[Item]] = {}
    for item in items:
        if item.key not in done and item.learner_id in recipients:
            by_learner.setdefault(item.learner_id, []).append(item)
    at = utc_now(now)
    for learner_id, mine in sorted(by_learner.items()):
        if dry_run:
            report.messages += 1
            report.items += len(mine)
            continue
        if not _claim(session, mine, at):
            report.skipped += len(mine)  # an overlapping run took them
            continue
        subject, body = compose(mine, home_link=home_link)
        try:
            send(recipients[learner_id].email, subject, body)
        except MailError as exc:
            session.exec(delete(ReminderSent).where(
                col(ReminderSent.key).in_([i.key for i in mine])))
            session.commit()  # not sent: the next run tries again
            report.failed.append(learner_id)
            report.errors.append(str(exc))
            continue
        report.messages += 1
        report.items += len(mine)
    return report


def _claim(session: Session, items: list[Item], at: datetime) -> bool:
    """Record the items as sent (before sending); False if another run holds one."""
    session.add_all(ReminderSent(key=i.key, kind=i.kind, learner_id=i.learner_id, sent_at=at)
                    for i in items)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
