"""Errors of the EHR protocols, translated to 4xx/5xx only at the web edge."""

from __future__ import annotations


class IntegrationError(Exception):
    """Base class: the message is safe to show to the caller."""


class BadEhrRequest(IntegrationError):
    """A request that does not follow the protocol (unknown or malformed parameter): 400."""


class UnknownIssuer(IntegrationError):
    """A SMART launch from an EHR that is not registered in `CURBSIDE_SMART_CLIENTS`: 403."""


class EhrUnavailable(IntegrationError):
    """The EHR's SMART configuration, token or FHIR endpoint failed or answered nonsense: 502."""


class IdentityRejected(IntegrationError):
    """The EHR's id_token failed verification (signature, issuer, audience, expiry) or names
    no `fhirUser`: nobody is signed in and the launch stops: 401."""
