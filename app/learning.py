"""The learning service: turns a signed-in clinician's inquiries into credit.

Episodes open automatically when a signed-in learner asks; the reflection and the claim
are one screen; transcripts, certificates, PARS and xAPI come from the same records.
The domain rules live in `credit_capture`; this module maps accounts onto them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date

from sqlmodel import Session, select

from app.accounts import User
from app.services import Curbside
from credit_capture import audit, claims, episodes, exports
from credit_capture.credit_errors import (
    ClaimNotFound,
    DemoContentOnly,
    NameRequired,
    ProfessionRequired,
)
from credit_capture.errors import CreditError
from credit_capture.store import session_scope


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
        with session_scope(self.curbside.engine, self._shared) as session:
            yield session

    def episodes_of(self, user: User) -> list[episodes.Episode]:
        with self.session() as session:
            return episodes.list_episodes(session, learner_id=user.id)

    def episode(self, user: User, episode_id: str) -> episodes.Episode:
        with self.session() as session:
            return episodes.get_episode(session, episode_id=episode_id, learner_id=user.id)

    def offered(self, user: User) -> list:
        """Credit types the learner's profession is offered (empty until it is known)."""
        return self.rules.types_for(user.profession)

    def blocked(self, episode: episodes.Episode) -> str | None:
        """Why this cycle cannot earn credit whatever the learner writes, if it cannot."""
        if claims.demo_only(episode) and not self.rules.demo_content_creditable:
            return str(DemoContentOnly(episode.id))
        return None

    def complete_profile(self, user: User, *, first_name: str = "", last_name: str = "",
                         profession: str = "") -> User:
        """Fill the name and profession a first claim needs (asked on the claim form);
        values already in the profile are kept unless new ones are given."""
        values = {"first_name": first_name.strip(), "last_name": last_name.strip()}
        if profession.strip():
            key = self.rules.profession_key(profession)
            if key is None:
                raise ProfessionRequired([p.label for p in self.rules.professions.values()])
            values["profession"] = key
        values = {k: v for k, v in values.items() if v}
        if not values:
            return user
        with self.session() as session:
            stored = session.get(User, user.id)
            for field, value in values.items():
                setattr(stored, field, value)
                setattr(user, field, value)
            session.add(stored)
            session.commit()
        return user

    def reflect_and_claim(
        self, user: User, episode_id: str, form: dict, *, claim_types: list[str] | None = None
    ) -> list[claims.Claim]:
        """Record the reflection (PHI-scrubbed) and claim each requested credit type
        (default: the first type the learner's profession is offered)."""
        if not (user.first_name.strip() and user.last_name.strip()):
            raise NameRequired()
        offered = self.offered(user)
        if not offered:
            raise ProfessionRequired([p.label for p in self.rules.professions.values()])
        wanted = claim_types or [offered[0].key]
        for kind in wanted:  # refuse before anything is written
            claims.check_offered(self.rules, user.profession, kind)
        with self.session() as session:
            episode = episodes.get_episode(session, episode_id=episode_id, learner_id=user.id)
            if self.blocked(episode):
                raise DemoContentOnly(episode_id)
            if episodes.get_reflection(session, episode_id=episode_id) is None:
                episodes.record_reflection(
                    session, episode_id=episode_id, learner_id=user.id, data=form,
                    scrub=self.curbside.scrubber.scrub_text,
                    require_opened=self.rules.require_opened_source,
                )
            return [
                claims.claim_credit(
                    session, episode_id=episode_id, learner_id=user.id, credit_type=kind,
                    rules=self.rules, board_consent=user.board_consent,
                    profession=user.profession,
                )
                for kind in wanted
            ]

    def source_opened(self, user: User, inquiry_id: str, doc_id: str, via: str) -> bool:
        """Step 2 of the cycle: the learner opened one of the answer's sources."""
        with self.session() as session:
            return episodes.record_opened(session, inquiry_id=inquiry_id, learner_id=user.id,
                                          doc_id=doc_id, via=via)

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
                raise ClaimNotFound(claim_id)
        return exports.certificate_pdf(  # a name, never the e-mail (NameRequired)
            learner_name=f"{user.first_name} {user.last_name}".strip(), claims=chosen,
            rules=self.rules, period=period,
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

    def names(self, learner_ids: list[str]) -> dict[str, str]:
        """Learner id -> the name people know them by (e-mail when no name is set)."""
        with self.session() as session:
            found = session.exec(select(User).where(User.id.in_(set(learner_ids)))).all()
        return {u.id: u.display_name for u in found}

    def audit_problems(self) -> list[str]:
        with self.session() as session:
            return audit.verify_chain(session)


def record_card_opened(learning: Learning, user: User, *, inquiry_id: str, card_id: str) -> None:
    """A card page opened from an answer (``/content/{id}?from=<inquiry>``): recorded as
    a source consulted when it is one of that episode's sources; a stale or foreign
    ``from`` never stops the card from showing."""
    with suppress(CreditError):
        learning.source_opened(user, inquiry_id, card_id, "card")
