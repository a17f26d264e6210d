"""The learning service: turns a signed-in clinician's inquiries into credit.

Episodes open automatically when a signed-in learner asks; the reflection and the claim
are one screen; transcripts, certificates, PARS and xAPI come from the same records.
The domain rules live in `credit_capture`; this module maps accounts onto them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlmodel import Session, select

from app.accounts import User
from app.services import Curbside
from credit_capture import audit, claims, episodes, exports


class Learning:
    """Credit work for one caller; routes pass the request's session so a request never
    needs a second pooled connection (the CLI lets each call open its own)."""

    def __init__(self, curbside: Curbside, *, session: Session | None = None) -> None:
        self.curbside = curbside
        self._shared = session

    @property
    def rules(self):
        return self.curbside.credit_rules

    @contextmanager
    def session(self) -> Iterator[Session]:
        if self._shared is None:
            with Session(self.curbside.engine, expire_on_commit=False) as session:
                yield session
            return
        try:
            yield self._shared
        except BaseException:
            self._shared.rollback()
            raise
        self._shared.commit()  # end the transaction: the connection goes back to the pool

    def episodes_of(self, user: User) -> list[episodes.Episode]:
        with self.session() as session:
            return episodes.list_episodes(session, learner_id=user.id)

    def episode(self, user: User, episode_id: str) -> episodes.Episode:
        with self.session() as session:
            return episodes.get_episode(session, episode_id=episode_id, learner_id=user.id)

    def reflect_and_claim(
        self, user: User, episode_id: str, form: dict, *, claim_types: list[str]
    ) -> list[claims.Claim]:
        """Record the reflection (PHI-scrubbed) and claim each requested credit type."""
        with self.session() as session:
            if episodes.get_reflection(session, episode_id=episode_id) is None:
                episodes.record_reflection(
                    session, episode_id=episode_id, learner_id=user.id, data=form,
                    scrub=self.curbside.scrubber.scrub_text,
                )
            return [
                claims.claim_credit(
                    session, episode_id=episode_id, learner_id=user.id, credit_type=kind,
                    rules=self.rules, board_consent=user.board_consent,
                )
                for kind in claim_types
            ]

    def claims_of(self, user: User, start: date | None = None, end: date | None = None):
        with self.session() as session:
            return claims.claims_for(session, learner_id=user.id, start=start, end=end)

    def transcript(self, user: User, start: date | None, end: date | None):
        with self.session() as session:
            found = claims.claims_for(session, learner_id=user.id, start=start, end=end)
            eps = episodes.list_episodes(session, learner_id=user.id)
        return exports.transcript_rows(found, eps, rules=self.rules)

    def certificate(self, user: User, *, claim_id: str | None = None,
                    period: tuple[date, date] | None = None) -> bytes:
        chosen = self.claims_of(user)
        if claim_id:
            chosen = [c for c in chosen if c.id == claim_id or c.corrects_claim_id == claim_id]
            if not chosen:
                from credit_capture.credit_errors import ClaimNotFound

                raise ClaimNotFound(claim_id)
        return exports.certificate_pdf(
            learner_name=user.display_name, claims=chosen, rules=self.rules, period=period
        )

    def xapi(self, user: User) -> list[dict]:
        with self.session() as session:
            eps = episodes.list_episodes(session, learner_id=user.id)
            found = claims.claims_for(session, learner_id=user.id)
        return exports.xapi_statements(claims=found, episodes=eps, learner_email=user.email,
                                       learner_name=user.display_name)

    def pars(self, start: date, end: date) -> str:
        with self.session() as session:
            users = session.exec(select(User)).all()
            everything = [c for u in users
                          for c in claims.claims_for(session, learner_id=u.id)]
        profiles = [
            exports.LearnerProfile(
                learner_id=u.id, first_name=u.first_name, last_name=u.last_name,
                board=u.board or None, board_id=u.board_id or None,
                birth_month=u.birth_month, birth_day=u.birth_day, consent=u.board_consent,
            )
            for u in users
        ]
        return exports.pars_export(learners=profiles, claims=everything, rules=self.rules,
                                   start=start, end=end)

    def due_soon(self, within_days: int = 7):
        with self.session() as session:
            return episodes.due_soon(session, within_days=within_days)

    def audit_problems(self) -> list[str]:
        with self.session() as session:
            return audit.verify_chain(session)
