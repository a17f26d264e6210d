"""Outgoing e-mail over the site's own SMTP server (off until a host is configured).

Reminders are the only mail Curbside sends. A site points it at its relay; nothing is
sent through a third party, and without ``host`` every sending command says e-mail is off
instead of failing half-way.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from pydantic import BaseModel, Field, SecretStr, model_validator

from credit_capture.errors import CreditError


class MailError(CreditError):
    """E-mail is not configured, or the SMTP server refused or could not be reached."""


class SmtpSettings(BaseModel):
    """The SMTP relay reminders go through (`CURBSIDE_SMTP__*`); unset host = no e-mail."""

    host: str | None = Field(
        None, description="SMTP server host name; unset (default) means e-mail is off."
    )
    port: int = Field(587, ge=1, le=65535, description="SMTP port (587 submission, 25 relay).")
    from_address: str = Field(
        "", description="The From: address of reminders, e.g. curbside@hospital.example.org."
    )
    starttls: bool = Field(
        True, description="Upgrade the connection with STARTTLS before sending (and before "
        "sending credentials); turn off only for a relay on the same host.",
    )
    username: str | None = Field(None, description="SMTP user name, if the relay wants one.")
    password: SecretStr | None = Field(None, description="SMTP password (with username).")
    timeout_s: float = Field(
        15.0, gt=0, le=300, description="Seconds to wait for the SMTP server before giving up."
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address learners open Curbside at; links in e-mails start with it.",
    )

    @model_validator(mode="after")
    def _usable(self) -> SmtpSettings:
        if self.host and "@" not in self.from_address:
            raise ValueError("from_address: set the From: address when host is set")
        if not self.public_url.startswith(("http://", "https://")):
            raise ValueError("public_url: must start with http:// or https://")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    def link(self, path: str) -> str:
        return self.public_url.rstrip("/") + path


def send(settings: SmtpSettings, *, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; MailError with the reason if it does not go."""
    if not settings.enabled:
        raise MailError("e-mail is off: set CURBSIDE_SMTP__HOST and CURBSIDE_SMTP__FROM_ADDRESS")
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                secret = settings.password.get_secret_value() if settings.password else ""
                smtp.login(settings.username, secret)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {settings.host}:{settings.port}: {exc}") from exc
