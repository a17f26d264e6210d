"""A loopback EHR for SMART and CDS Hooks tests: smart-configuration, an authorization
endpoint that checks the launch and PKCE, a token endpoint issuing an OpenID Connect
id_token (RS256, signed with joserfc, the Authlib project's JOSE library, naming the
clinician in `fhirUser`), its JWKS, and FHIR R4 reads.

Resources are built and validated with `fhir.resources`, so the client under test reads
the same JSON a conformant FHIR server would send. `EhrState` can make the id_token wrong
in the ways a real attack or misconfiguration would: signed by a key the EHR does not
publish, or issued for another client (audience).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import RedirectResponse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "curbside-test-client"
LAUNCH = "launch-abc"
FHIR_USER = "Practitioner/dr-ada"


@cache
def signing_key(name: str = "ehr") -> RSAKey:
    """An RSA key per name, made once per test run (2048-bit generation takes ~0.1 s)."""
    return RSAKey.generate_key(2048, parameters={"kid": f"{name}-key-1", "use": "sig"})


def patient(pid: str = "p1", birth: str = "2022-02-14", gender: str = "female") -> dict:
    return Patient(id=pid, gender=gender, birthDate=birth,
                   name=[{"family": "Zabriskie", "given": ["Quintessa"]}],
                   identifier=[{"system": "urn:mrn", "value": "MRN-99812"}],
                   ).model_dump(mode="json", by_alias=True, exclude_none=True)


def condition(code: str, display: str, system: str = "http://snomed.info/sct",
              status: str = "active", pid: str = "p1") -> dict:
    return Condition(
        subject={"reference": f"Patient/{pid}"},
        code={"coding": [{"system": system, "code": code, "display": display}]},
        clinicalStatus={"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
            "code": status}]},
    ).model_dump(mode="json", by_alias=True, exclude_none=True)


def medication(rxnorm: str, display: str, status: str = "active", pid: str = "p1",
               rid: str | None = None) -> dict:
    return MedicationRequest(
        id=rid, status=status, intent="order", subject={"reference": f"Patient/{pid}"},
        medicationCodeableConcept={"coding": [{
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": rxnorm,
            "display": display}]},
    ).model_dump(mode="json", by_alias=True, exclude_none=True)


def lab(loinc: str, display: str, value: float, unit: str, pid: str = "p1") -> dict:
    return Observation(
        status="final", subject={"reference": f"Patient/{pid}"},
        code={"coding": [{"system": "http://loinc.org", "code": loinc, "display": display}]},
        valueQuantity={"value": value, "unit": unit},
    ).model_dump(mode="json", by_alias=True, exclude_none=True)


def bundle(resources: list[dict]) -> dict:
    return Bundle(type="searchset", total=len(resources),
                  entry=[{"resource": r} for r in resources]
                  ).model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass
class EhrState:
    patient: dict
    conditions: list[dict]
    medications: list[dict]
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    authorize_requests: list[dict] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)
    fhir_user: str | None = FHIR_USER  # None: the EHR sends no id_token at all
    given_name: str = "Ada"
    family_name: str = "Lovelace"
    id_token_audience: str = CLIENT_ID  # another value: a token minted for another app
    id_token_key: str = "ehr"  # another name: signed by a key the EHR does not publish


def build_ehr(state: EhrState) -> FastAPI:
    app = FastAPI()

    @app.get("/.well-known/smart-configuration")
    def configuration(request: Request):
        base = str(request.base_url).rstrip("/")
        return {"issuer": base, "jwks_uri": f"{base}/jwks",
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "code_challenge_methods_supported": ["S256"],
                "capabilities": ["launch-ehr", "client-public", "context-ehr-patient",
                                 "permission-v2", "sso-openid-connect"]}

    @app.get("/jwks")
    def jwks():
        return {"keys": [signing_key("ehr").as_dict(private=False)]}

    def id_token(issuer: str, nonce_source: str) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "sub": state.fhir_user, "aud": state.id_token_audience,
                  "iat": now, "exp": now + 300, "fhirUser": state.fhir_user,
                  "given_name": state.given_name, "family_name": state.family_name,
                  "jti": nonce_source}
        key = signing_key(state.id_token_key)
        # a forged token claims the published key's id: only the signature gives it away
        header = {"alg": "RS256", "kid": signing_key("ehr").kid}
        return jwt.encode(header, claims, key)

    @app.get("/authorize")
    def authorize(request: Request):
        q = dict(request.query_params)
        state.authorize_requests.append(q)
        if q.get("client_id") != CLIENT_ID or q.get("launch") != LAUNCH:
            raise HTTPException(400, "bad client or launch")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            raise HTTPException(400, "PKCE S256 required")
        code = secrets.token_urlsafe(16)
        state.codes[code] = q
        query = urlencode({"code": code, "state": q["state"]})
        return RedirectResponse(f"{q['redirect_uri']}?{query}")

    @app.post("/token")
    def token(request: Request, grant_type: str = Form(), code: str = Form(),
              redirect_uri: str = Form(),
              client_id: str = Form(), code_verifier: str = Form()):
        state.token_requests.append({"code": code, "client_id": client_id})
        issued = state.codes.pop(code, None)
        digest = hashlib.sha256(code_verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if (grant_type != "authorization_code" or issued is None
                or issued["redirect_uri"] != redirect_uri or client_id != CLIENT_ID
                or issued["code_challenge"] != challenge):
            raise HTTPException(400, "invalid_grant")
        access = secrets.token_urlsafe(16)
        state.tokens.add(access)
        response = {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                    "scope": issued["scope"], "patient": state.patient["id"]}
        if state.fhir_user and "openid" in issued["scope"].split():
            response["id_token"] = id_token(str(request.base_url).rstrip("/"), code)
        return response

    def _check(authorization: str | None) -> None:
        if not authorization or authorization.removeprefix("Bearer ") not in state.tokens:
            raise HTTPException(401, "no token")

    @app.get("/Patient/{pid}")
    def read_patient(pid: str, authorization: str | None = Header(None)):
        _check(authorization)
        return state.patient

    @app.get("/Condition")
    def conditions(patient: str, authorization: str | None = Header(None)):
        _check(authorization)
        return bundle(state.conditions)

    @app.get("/MedicationRequest")
    def medications(patient: str, authorization: str | None = Header(None)):
        _check(authorization)
        return bundle(state.medications)

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningEhr:
    """Serve the fake EHR with uvicorn on a free loopback port for the test's duration."""

    def __init__(self, state: EhrState) -> None:
        self.state = state
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(build_ehr(state), host="127.0.0.1", port=self.port,
                                log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RunningEhr:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
