"""Who launched: the clinician named by the SMART id_token's `fhirUser` claim.

The id_token is an OpenID Connect JWT the EHR signs; it is trusted only after its signature
checks against the EHR's published JWKS, its `iss` is the EHR's OpenID issuer, its `aud` is
our client id and it has not expired. The JOSE work is done by joserfc, the Authlib
project's JOSE library (`authlib.jose` is deprecated in its favour). Only asymmetric
algorithms are accepted: a token "signed" with `none` or with HMAC over the public key is
refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from integrations.errors import IdentityRejected

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
LEEWAY_SECONDS = 60  # clock skew tolerated between the EHR and Curbside


@dataclass(frozen=True)
class EhrIdentity:
    """The launching clinician as the EHR asserts it: the pair (iss, fhir_user) is the key
    an account link is stored under. Names and e-mail are optional claims (only used to fill
    in a new account)."""

    iss: str
    fhir_user: str
    given_name: str = ""
    family_name: str = ""
    email: str = ""


def verify_id_token(
    id_token: str, *, jwks: dict, issuer: str, client_id: str, fhir_base: str,
    now: Callable[[], float] = time.time,
) -> EhrIdentity:
    """The identity in a verified id_token, or `IdentityRejected` saying what failed.

    `issuer` is the EHR's OpenID issuer (the `iss` claim must equal it), `fhir_base` the
    launch's FHIR server (the link key, so links survive a change of the EHR's OAuth host).
    """
    try:
        keys = KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError):
        raise IdentityRejected("The EHR's signing keys (JWKS) cannot be read, so its "
                               "id_token cannot be checked.") from None
    try:
        token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
    except BadSignatureError:
        raise IdentityRejected("The EHR's id_token signature does not match the EHR's "
                               "published keys; nobody was signed in.") from None
    except JoseError as exc:
        raise IdentityRejected(f"The EHR's id_token is not a valid signed token "
                               f"({exc.error}); nobody was signed in.") from None
    except ValueError:
        raise IdentityRejected("The EHR's id_token is not a valid signed token; nobody was "
                               "signed in.") from None
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(now()), leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True}, exp={"essential": True},
    )
    claims = token.claims
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise IdentityRejected("The EHR's id_token has expired; start the launch again."
                               ) from None
    except (InvalidClaimError, MissingClaimError) as exc:
        raise IdentityRejected(_claim_problem(exc)) from None
    except JoseError as exc:
        raise IdentityRejected(f"The EHR's id_token was refused ({exc.error}).") from None
    fhir_user = claims.get("fhirUser")
    if not isinstance(fhir_user, str) or not fhir_user.strip():
        raise IdentityRejected("The EHR's id_token names no fhirUser, so Curbside cannot "
                               "tell who launched it.")
    return EhrIdentity(
        iss=fhir_base, fhir_user=fhir_user.strip()[:500],
        given_name=_text(claims.get("given_name")), family_name=_text(claims.get("family_name")),
        email=_text(claims.get("email")) if claims.get("email_verified") is not False else "",
    )


def _claim_problem(exc: JoseError) -> str:
    claim = getattr(exc, "claim", "") or ""
    what = {"aud": "is meant for another application (wrong audience)",
            "iss": "comes from another issuer", "sub": "names no subject",
            "exp": "carries no expiry"}.get(claim, f"has an invalid '{claim}' claim")
    return f"The EHR's id_token {what}; nobody was signed in."


def _text(value: object) -> str:
    return value.strip()[:200] if isinstance(value, str) else ""
