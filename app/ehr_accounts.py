"""SMART sign-in: the EHR's clinician (iss, fhirUser) -> a Curbside learner account.

A launch whose id_token verified (`integrations.identity`) signs in the account linked to
that pair. An unlinked clinician either links an existing account by signing in once or
gets a new learner account, as `CURBSIDE_EHR__SMART_UNLINKED` says. Only active learner
(clinician) accounts are signed in this way: an EHR's assertion never opens a planner,
evaluator or admin session, so a compromised or misconfigured EHR cannot reach those.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts import AccountError, Role, User, create_user
from integrations.identity import EhrIdentity
from integrations.models import EhrLink


@dataclass(frozen=True)
class EhrSignIn:
    """What a verified launch leads to: a user to sign in, a link to offer, or a notice
    (the chat still opens, without sign-in)."""

    user: User | None = None
    needs_link: bool = False
    created: bool = False
    notice: str = ""


def _link_of(session: Session, identity: EhrIdentity) -> EhrLink | None:
    return session.exec(select(EhrLink).where(EhrLink.iss == identity.iss,
                                              EhrLink.fhir_user == identity.fhir_user)).first()


def _refusal(user: User | None) -> str:
    """Why a linked account may not be signed in from the EHR ('' when it may)."""
    if user is None or not user.active:
        return "The Curbside account linked to your EHR login is deactivated; ask an admin."
    if user.role != Role.learner:
        return (f"Your EHR login is linked to a Curbside {Role(user.role).value} account; "
                "signing in from the EHR opens clinician (learner) accounts only. Sign in at "
                "/login.")
    return ""


def sign_in_from_ehr(session: Session, identity: EhrIdentity, *, unlinked: str) -> EhrSignIn:
    """The outcome for a verified clinician; creates account and link in 'create' mode."""
    link = _link_of(session, identity)
    if link is not None:
        user = session.get(User, link.user_id)
        refusal = _refusal(user)
        return EhrSignIn(notice=refusal) if refusal else EhrSignIn(user=user)
    if unlinked != "create":
        return EhrSignIn(needs_link=True)
    user = create_user(session, email=_new_email(session, identity),
                       password=secrets.token_urlsafe(24), role=Role.learner,
                       first_name=identity.given_name, last_name=identity.family_name)
    session.add(EhrLink(iss=identity.iss, fhir_user=identity.fhir_user, user_id=user.id,
                        how="created"))
    session.commit()
    return EhrSignIn(user=user, created=True)


def link_account(session: Session, identity: EhrIdentity, user: User) -> None:
    """Link the clinician to `user` (who has just signed in with a password)."""
    refusal = _refusal(user)
    if refusal:
        raise AccountError(refusal.replace(" Sign in at /login.", ""))
    link = _link_of(session, identity)
    if link is not None and link.user_id != user.id:
        raise AccountError("Your EHR login is already linked to another Curbside account; "
                           "ask an admin.")
    if link is None:
        session.add(EhrLink(iss=identity.iss, fhir_user=identity.fhir_user, user_id=user.id,
                            how="linked"))
        session.commit()


def _new_email(session: Session, identity: EhrIdentity) -> str:
    """The id_token's e-mail if no account uses it yet, else a stable placeholder: an
    e-mail claim is never used to reach an existing account (that would let an EHR take
    it over)."""
    email = identity.email.lower()
    if "@" in email and not session.exec(select(User).where(User.email == email)).first():
        return email
    digest = hashlib.sha256(f"{identity.iss}|{identity.fhir_user}".encode()).hexdigest()[:16]
    return f"ehr-{digest}@ehr.invalid"
