"""SMART App Launch v2, EHR launch: discovery, PKCE (S256), code exchange, chart reads.

The EHR opens `/smart/launch?iss=…&launch=…`; Curbside reads the issuer's
`.well-known/smart-configuration`, remembers a one-time state and PKCE verifier, and sends
the browser to the authorization endpoint. The callback exchanges the code (public client:
the verifier proves it is the same launch) and reads the patient's age, sex, active problems
and medications. The access token and the chart data are used within that request and
dropped; only the pending launch (state, verifier, endpoints: no patient data) is kept, in
memory, for at most `ttl` seconds.

With the `openid fhirUser` scopes the token response carries an id_token; it is verified
against the EHR's JWKS (`integrations.identity`) and names the launching clinician, whom the
app signs in. A clinician still to be linked to an account is held, as (iss, fhirUser)
only, under a one-time ticket for the same `ttl`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import httpx

from integrations import fhir_context
from integrations.errors import BadEhrRequest, EhrUnavailable, IdentityRejected, UnknownIssuer
from integrations.fhir_context import ChartContext
from integrations.identity import EhrIdentity, verify_id_token


@dataclass(frozen=True)
class PendingLaunch:
    iss: str
    client_id: str
    verifier: str
    token_endpoint: str
    redirect_uri: str
    started: float
    oidc_issuer: str | None = None
    jwks_uri: str | None = None


@dataclass(frozen=True)
class CompletedLaunch:
    """The chart (request-only) and who launched (None when the EHR sent no id_token)."""

    chart: ChartContext
    identity: EhrIdentity | None


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636: 64 random bytes, base64url without padding."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _issuer(value: str) -> str:
    return value.strip().rstrip("/")


class SmartLauncher:
    """One per app process; thread-safe, because sync routes run in a thread pool."""

    def __init__(
        self, *, clients: dict[str, str], scopes: str, ttl_seconds: int, timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clients = {_issuer(iss): client for iss, client in clients.items()}
        self.scopes = scopes
        self.ttl = ttl_seconds
        self.timeout = timeout
        self.clock = clock
        self._pending: dict[str, PendingLaunch] = {}
        self._tickets: dict[str, tuple[EhrIdentity, float]] = {}
        self._lock = threading.Lock()

    # launch -----------------------------------------------------------------
    def authorize_url(self, *, iss: str, launch: str, redirect_uri: str) -> str:
        """Where to send the browser: the issuer's authorization endpoint, with PKCE."""
        iss = _issuer(iss)
        if not iss or not launch:
            raise BadEhrRequest("An EHR launch needs both 'iss' and 'launch'.")
        client_id = self.clients.get(iss)
        if client_id is None:
            raise UnknownIssuer(f"The EHR {iss!r} is not registered with this Curbside "
                                "(CURBSIDE_SMART_CLIENTS).")
        config = self._get_json(f"{iss}/.well-known/smart-configuration", what="SMART "
                                "configuration")
        authorize, token = config.get("authorization_endpoint"), config.get("token_endpoint")
        if not (_is_url(authorize) and _is_url(token)):
            raise EhrUnavailable("The EHR's SMART configuration lacks its authorization or "
                                 "token endpoint.")
        methods = config.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            raise EhrUnavailable("The EHR does not support PKCE with S256 (SMART v2).")
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            self._pending[state] = PendingLaunch(
                iss, client_id, verifier, token, redirect_uri, self.clock(),
                oidc_issuer=_text(config.get("issuer")), jwks_uri=_text(config.get("jwks_uri")))
        query = urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "launch": launch, "scope": self.scopes, "state": state, "aud": iss,
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        return f"{authorize}{'&' if '?' in authorize else '?'}{query}"

    # callback ---------------------------------------------------------------
    def complete(self, *, state: str, code: str, today: date) -> CompletedLaunch:
        """Exchange the code, verify who launched and read the chart; the state can be used
        once. A present but unverifiable id_token stops the launch (`IdentityRejected`)."""
        with self._lock:
            self._expire()
            pending = self._pending.pop(state, None)
        if pending is None:
            raise BadEhrRequest("This launch is unknown or has expired; start it again from "
                                "the EHR.")
        if not code:
            raise BadEhrRequest("The EHR returned no authorization code.")
        token = self._post_form(pending.token_endpoint, {
            "grant_type": "authorization_code", "code": code,
            "redirect_uri": pending.redirect_uri, "client_id": pending.client_id,
            "code_verifier": pending.verifier,
        })
        access, patient_id = token.get("access_token"), token.get("patient")
        if not isinstance(access, str) or not isinstance(patient_id, str):
            raise EhrUnavailable("The EHR's token response lacks an access token or patient.")
        identity = self._identity(pending, token.get("id_token"))
        headers = {"Authorization": f"Bearer {access}", "Accept": "application/fhir+json"}
        base = pending.iss
        patient = self._get_json(f"{base}/Patient/{patient_id}", what="Patient",
                                 headers=headers)
        conditions = self._get_json(f"{base}/Condition", what="Condition search",
                                    headers=headers, optional=True,
                                    params={"patient": patient_id,
                                            "clinical-status": "active"})
        meds = self._get_json(f"{base}/MedicationRequest", what="MedicationRequest search",
                              headers=headers, optional=True,
                              params={"patient": patient_id, "status": "active"})
        try:
            chart = ChartContext(
                patient=fhir_context.patient_facts(patient, today=today),
                problems=fhir_context.problems(conditions) if conditions else (),
                medications=fhir_context.medications(meds) if meds else (),
            )
        except BadEhrRequest as exc:
            raise EhrUnavailable(f"The EHR sent invalid FHIR: {exc}") from None
        return CompletedLaunch(chart=chart, identity=identity)

    def _identity(self, pending: PendingLaunch, id_token: object) -> EhrIdentity | None:
        """The verified launching clinician; None when the EHR sent no id_token."""
        if id_token is None:
            return None
        if not isinstance(id_token, str) or not id_token:
            raise IdentityRejected("The EHR's id_token is not a token; nobody was signed in.")
        issuer, jwks_uri = pending.oidc_issuer, pending.jwks_uri
        if not (issuer and jwks_uri):  # SMART v2 allows them in the OpenID configuration
            oidc = self._get_json(f"{pending.iss}/.well-known/openid-configuration",
                                  what="OpenID configuration", optional=True) or {}
            issuer = issuer or _text(oidc.get("issuer"))
            jwks_uri = jwks_uri or _text(oidc.get("jwks_uri"))
        if not (issuer and _is_url(jwks_uri)):
            raise IdentityRejected("The EHR publishes no OpenID issuer and signing keys "
                                   "(jwks_uri), so its id_token cannot be checked.")
        jwks = self._get_json(jwks_uri, what="signing keys (JWKS)")
        return verify_id_token(id_token, jwks=jwks, issuer=issuer,
                               client_id=pending.client_id, fhir_base=pending.iss)

    # account linking ---------------------------------------------------------
    def hold_identity(self, identity: EhrIdentity) -> str:
        """A one-time ticket standing for a verified clinician who is still to link an
        account (the page carries the ticket, never the identity itself)."""
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            self._tickets[ticket] = (identity, self.clock())
        return ticket

    def held_identity(self, ticket: str, *, consume: bool = False) -> EhrIdentity:
        """The identity behind a ticket; `consume` once the link is made."""
        with self._lock:
            self._expire()
            held = self._tickets.pop(ticket, None) if consume else self._tickets.get(ticket)
        if held is None:
            raise BadEhrRequest("This account link has expired; launch Curbside from the "
                                "EHR again.")
        return held[0]

    # http -------------------------------------------------------------------
    def _get_json(self, url: str, *, what: str, headers: dict | None = None,
                  params: dict | None = None, optional: bool = False) -> dict | None:
        try:
            response = httpx.get(url, headers={"Accept": "application/json", **(headers or {})},
                                 params=params, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise EhrUnavailable(f"Cannot reach the EHR for its {what} ({type(exc).__name__})."
                                 ) from None
        if optional and response.status_code in {401, 403, 404}:
            return None  # a scope the EHR did not grant: launch without that part
        return _json_of(response, what)

    def _post_form(self, url: str, form: dict) -> dict:
        try:
            response = httpx.post(url, data=form, headers={"Accept": "application/json"},
                                  timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise EhrUnavailable(f"Cannot reach the EHR's token endpoint "
                                 f"({type(exc).__name__}).") from None
        return _json_of(response, "token")

    def _expire(self) -> None:
        cutoff = self.clock() - self.ttl
        for state in [s for s, p in self._pending.items() if p.started < cutoff]:
            del self._pending[state]
        for ticket in [t for t, (_, at) in self._tickets.items() if at < cutoff]:
            del self._tickets[ticket]


def _json_of(response: httpx.Response, what: str) -> dict:
    if response.status_code != 200:
        raise EhrUnavailable(f"The EHR answered HTTP {response.status_code} for its {what}.")
    try:
        data = response.json()
    except ValueError:
        raise EhrUnavailable(f"The EHR's {what} is not JSON.") from None
    if not isinstance(data, dict):
        raise EhrUnavailable(f"The EHR's {what} is not a JSON object.")
    return data


def _text(value: object) -> str | None:
    """A configuration string as published (an OpenID issuer is compared exactly)."""
    return (value.strip() or None) if isinstance(value, str) else None


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))
