"""The practice service: spaced retrieval checks for learners and the reminder run.

Maps accounts and the content catalog onto `credit_capture.practice` and
`credit_capture.reminders`. Every "today" comes from `Settings.today()` (frozen in tests),
so a check's due day never depends on the machine's calendar.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from app.accounts import User
from app.services import Curbside
from credit_capture import episodes, mail, practice, reminders
from credit_capture.store import session_scope


class Practice:
    """Practice checks for one caller; routes pass the request's session."""

    def __init__(self, curbside: Curbside, *, session: Session | None = None) -> None:
        self.curbside = curbside
        self._shared = session

    @property
    def rules(self):
        return self.curbside.credit_rules

    @property
    def intervals(self) -> list[int]:
        return self.rules.practice_intervals_days

    def today(self) -> date:
        return self.curbside.settings.today()

    def now(self) -> datetime:
        """The injected day at the current time of day (answers and reminders are dated
        by the same clock that decides what is due)."""
        real = datetime.now(UTC)
        return datetime.combine(self.today(), real.timetz())

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.curbside.engine, self._shared) as session:
            yield session

    def card(self, card_id: str) -> practice.CardQuestions | None:
        """The card's current review questions, if it is a card still served today."""
        versions = self.curbside.content_versions(card_id)
        if not versions:
            return None
        digest, _, doc = versions[-1]
        if doc.kind != "card" or not doc.is_servable(self.today()):
            return None
        raw = doc.meta.get("review_questions") or []
        return practice.card_questions(card_id, doc.title, digest, raw) if raw else None

    def due(self, user: User) -> list[practice.DueCheck]:
        with self.session() as session:
            return practice.due_checks(session, today=self.today(), intervals=self.intervals,
                                       cards=self.card, learner_id=user.id)

    def next_on(self, user: User) -> date | None:
        with self.session() as session:
            return practice.next_check_on(session, learner_id=user.id, today=self.today(),
                                          intervals=self.intervals)

    def check(self, user: User, card_id: str) -> tuple[practice.DueCheck,
                                                       practice.CardQuestions]:
        """The due check of one card with its questions; PracticeNotDue otherwise."""
        found = next((d for d in self.due(user) if d.card_id == card_id), None)
        card = self.card(card_id) if found else None
        if found is None or card is None:
            raise practice.PracticeNotDue(card_id)
        return found, card

    def answer(self, user: User, card_id: str, choices: list) -> practice.Graded:
        check, card = self.check(user, card_id)
        with self.session() as session:
            return practice.record_answers(session, check=check, card=card, choices=choices,
                                           now=self.now())

    # reminders -------------------------------------------------------------------------
    def reminder_items(self) -> list[reminders.Item]:
        """Every learner's due checks and reflections closing within the rules' lead."""
        smtp = self.curbside.settings.smtp
        with self.session() as session:
            due = practice.due_checks(session, today=self.today(), intervals=self.intervals,
                                      cards=self.card)
            lead = self.rules.reflection_reminder_days
            closing = (episodes.due_soon(session, within_days=lead, now=self.now())
                       if lead else [])
        items = [
            reminders.Item(
                key=reminders.practice_key(d.learner_id, d.card_id, d.due_on),
                kind="practice", learner_id=d.learner_id,
                line=f"{d.title} ({d.questions} question{'s' if d.questions > 1 else ''})",
                link=smtp.link(f"/learning/practice/{d.card_id}"),
            )
            for d in due
        ]
        items += [
            reminders.Item(
                key=reminders.reflection_key(e.id), kind="reflection", learner_id=e.learner_id,
                line=f"A question you asked on {e.asked_at:%Y-%m-%d}: reflect by "
                     f"{e.due_at:%Y-%m-%d}",
                link=smtp.link(f"/learning/episodes/{e.id}"),
            )
            for e in closing
        ]
        return items

    def send_reminders(self, *, dry_run: bool = False) -> reminders.Report:
        """E-mail each learner's not-yet-reminded items once (see credit_capture.reminders)."""
        smtp = self.curbside.settings.smtp
        if not smtp.enabled and not dry_run:
            raise mail.MailError("e-mail is off: set CURBSIDE_SMTP__HOST and "
                                 "CURBSIDE_SMTP__FROM_ADDRESS (see README: Practice checks)")
        items = self.reminder_items()
        with self.session() as session:
            wanted = {i.learner_id for i in items}
            users = session.exec(select(User).where(User.id.in_(wanted))).all() if wanted \
                else []
            recipients = {u.id: reminders.Recipient(u.id, u.email) for u in users if u.active}
            return reminders.send_reminders(
                session, items=items, recipients=recipients, now=self.now(),
                send=lambda to, subject, body: mail.send(smtp, to=to, subject=subject,
                                                         body=body),
                home_link=smtp.link("/learning/practice"), dry_run=dry_run,
            )

