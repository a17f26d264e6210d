"""Reminder e-mails through a real local SMTP server (aiosmtpd): a due practice check and a
reflection about to close each arrive once, with the right links and no clinical text;
a refused delivery is retried by the next run; e-mail stays off until configured."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlmodel import Session, select

from app.cli import main
from app.practice import Practice
from app.services import Curbside
from credit_capture.mail import MailError, SmtpSettings
from credit_capture.reminders import ReminderSent
from tests.factories import make_user
from tests.practice_data import CROUP, QUESTION, asked, claimed

PUBLIC = "https://curbside.example.org"
CLAIMED = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
ASKED = datetime(2026, 11, 9, 15, 0, tzinfo=UTC)  # reflection window closes 2026-12-09


class Inbox:
    """aiosmtpd handler keeping every delivered message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"relay-secret")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(),
                            authenticator=inbox.authenticate, auth_require_tls=False)
    controller.start()
    yield inbox, controller.port
    controller.stop()


def _mail_settings(settings, port: int, day: date = date(2026, 12, 7), **smtp):
    return settings.model_copy(update={
        "frozen_date": day,
        "smtp": SmtpSettings(**{
            "host": "127.0.0.1", "port": port, "from_address": "curbside@hospital.example.org",
            "starttls": False, "public_url": PUBLIC, **smtp}),
    })


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def test_due_practice_and_closing_reflection_arrive_once_with_links_and_no_phi(
        settings, smtp, curbside):
    inbox, port = smtp
    ada = make_user(curbside, "ada@example.org")
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP])  # 7-day check due 2026-12-07
    open_episode = asked(curbside, ada, at=ASKED, cards=[CROUP],
                         question="Mrs Jones 82F on apixaban fell, CT head?")
    practice = Practice(Curbside(_mail_settings(settings, port, username="curbside",
                                                password="relay-secret")))

    report = practice.send_reminders()
    assert (report.messages, report.items, report.failed) == (1, 2, [])
    [(to, message)] = inbox.messages
    assert to == ["ada@example.org"] and message["From"] == "curbside@hospital.example.org"
    assert inbox.logins == [("curbside", "relay-secret")]
    body = _body(message)
    assert f"{PUBLIC}/learning/practice/{CROUP}" in body
    assert f"{PUBLIC}/learning/episodes/{open_episode.id}" in body
    assert "reflect by 2026-12-09" in body
    card = practice.card(CROUP)
    assert card.title in body
    for text in (QUESTION, "Jones", "apixaban", *[q.q for q in card.questions],
                 *[c for q in card.questions for c in q.choices]):
        assert text not in body, text  # no question, answer or patient text in e-mail

    again = practice.send_reminders()  # cron runs again: nothing new, nothing resent
    assert (again.messages, again.skipped) == (0, 2) and len(inbox.messages) == 1

    day30 = Practice(Curbside(_mail_settings(settings, port, date(2026, 12, 30))))
    assert day30.send_reminders().items == 1  # the 30-day check is a new reminder
    assert "learning/practice/" in _body(inbox.messages[-1][1])


def test_a_refused_delivery_is_not_recorded_and_goes_out_on_the_next_run(
        settings, smtp, curbside):
    inbox, port = smtp
    ada = make_user(curbside, "ada@example.org")
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
    down = Practice(Curbside(_mail_settings(settings, _free_port())))  # nobody listening
    report = down.send_reminders()
    assert report.failed == [ada.id] and report.messages == 0 and report.errors
    with Session(curbside.engine) as session:
        assert session.exec(select(ReminderSent)).all() == []
    assert Practice(Curbside(_mail_settings(settings, port))).send_reminders().messages == 1
    assert len(inbox.messages) == 1


def test_inactive_learners_and_answered_checks_get_no_mail(settings, smtp, curbside):
    inbox, port = smtp
    gone = make_user(curbside, "gone@example.org", active=False)
    claimed(curbside, gone, at=CLAIMED, cards=[CROUP])
    practice = Practice(Curbside(_mail_settings(settings, port)))
    assert practice.send_reminders().messages == 0 and inbox.messages == []


def test_cli_sends_from_cron_and_says_when_email_is_off(settings, smtp, curbside, capsys,
                                                       monkeypatch, content_home):
    inbox, port = smtp
    ada = make_user(curbside, "ada@example.org")
    claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
    monkeypatch.setenv("CURBSIDE_HOME", str(content_home))
    monkeypatch.setenv("CURBSIDE_DATABASE_URL", settings.resolved_database_url)
    assert main(["reminders", "send"]) == 2
    assert "e-mail is off: set CURBSIDE_SMTP__HOST" in capsys.readouterr().err
    assert main(["reminders", "send", "--dry-run"]) == 0
    assert "would send 1 message(s) with 1 reminder(s)" in capsys.readouterr().out
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "STARTTLS": "false",
                        "FROM_ADDRESS": "curbside@hospital.example.org",
                        "PUBLIC_URL": PUBLIC}.items():
        monkeypatch.setenv(f"CURBSIDE_SMTP__{name}", value)
    assert main(["reminders", "send"]) == 0
    assert "sent 1 message(s) with 1 reminder(s)" in capsys.readouterr().out
    assert main(["reminders", "send", "--json"]) == 0
    assert '"messages": 0' in capsys.readouterr().out and len(inbox.messages) == 1
    monkeypatch.setenv("CURBSIDE_SMTP__FROM_ADDRESS", "nobody")
    assert main(["reminders", "send"]) == 2
    assert "from_address" in capsys.readouterr().err


def test_sending_without_a_host_is_refused_with_a_message(curbside):
    with pytest.raises(MailError, match="e-mail is off"):
        Practice(curbside).send_reminders()


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 (and its key), made here: nothing is downloaded."""
    import ipaddress
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


def test_starttls_protects_the_login_and_the_message(settings, curbside, tmp_path,
                                                     monkeypatch):
    import ssl

    cert, key = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), tls_context=tls,
                            require_starttls=True, authenticator=inbox.authenticate)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", cert)  # the client trusts only this relay
        ada = make_user(curbside, "ada@example.org")
        claimed(curbside, ada, at=CLAIMED, cards=[CROUP])
        relay = _mail_settings(settings, controller.port, starttls=True, username="curbside",
                               password="relay-secret")
        assert Practice(Curbside(relay)).send_reminders().messages == 1
        assert inbox.logins == [("curbside", "relay-secret")] and len(inbox.messages) == 1
    finally:
        controller.stop()
