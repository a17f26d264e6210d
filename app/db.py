"""The database: one explicit list of tables, Alembic migrations, and the engine.

Credit records must be kept six years (ACCME), so a database outlives many releases: the
schema changes only through the migrations in `app/migrations/versions`, and opening a
database first brings it to the newest revision. Tables are listed here explicitly (not
registered by whichever module happened to be imported first), so the migrations, the
schema test and the app all see the same set.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, inspect
from sqlalchemy.pool import NullPool

from app.accounts import ApiToken, User, WebSession
from app.auth_throttle import LoginThrottle
from credit_capture.audit import AuditEvent
from credit_capture.claims import Claim
from credit_capture.episodes import Episode, Reflection
from credit_capture.models import Inquiry
from credit_capture.practice import RetentionOutcome
from credit_capture.reminders import ReminderSent
from credit_capture.store import make_engine
from insights.models import CardRequest, RootCause, Theme, ThemeInquiry
from integrations.models import CdsFeedback, EhrLink

MODELS = (User, WebSession, ApiToken, Inquiry, Episode, Reflection, Claim, AuditEvent,
          Theme, ThemeInquiry, LoginThrottle, RootCause, CardRequest, CdsFeedback, EhrLink,
          RetentionOutcome, ReminderSent)

# The revision that reproduces the schema of the last release made without migrations
# (tables created by `create_all`): such a database is stamped with it, then upgraded.
BASELINE = "0001"
BASELINE_TABLES = frozenset({"user", "websession", "apitoken", "inquiry", "episode",
                             "reflection", "claim", "audit_event"})
MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaError(Exception):
    """The database cannot be brought to this release's schema; nothing was changed."""


def metadata() -> MetaData:
    """A metadata holding exactly the tables of `MODELS` (the shared SQLModel registry
    also holds whatever else happens to be imported)."""
    own = MetaData()
    for model in MODELS:
        model.__table__.to_metadata(own)
    return own


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _is_memory(url: str) -> bool:
    return url.startswith("sqlite") and (url in ("sqlite://", "sqlite:///") or ":memory:" in url)


def current_revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, *, audit_secret: str | None = None) -> tuple[str | None, str]:
    """Bring the database at `url` to the newest revision; (revision before, after).

    `audit_secret` keys existing audit events when the upgrade adds keyed seals (default:
    `CURBSIDE_AUDIT__SECRET` from the environment).

    A database created by a release without migrations (the baseline tables and no
    `alembic_version`) is stamped as the baseline first; one with a revision this release
    does not know (written by a newer release) or with unknown tables and no history is
    refused with a `SchemaError`, untouched.
    """
    if url.startswith("sqlite:///") and not _is_memory(url):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
            _check(script, before, tables, head)
            config.attributes["connection"] = connection
            config.attributes["audit_secret"] = audit_secret
            if before is None and tables:
                command.stamp(config, BASELINE)
            if before != head:
                command.upgrade(config, "head")
    finally:
        engine.dispose()
    return before, head


def _check(script: ScriptDirectory, revision: str | None, tables: set[str], head: str) -> None:
    known = {rev.revision for rev in script.walk_revisions()}
    if revision is not None and revision not in known:
        raise SchemaError(
            f"the database is at schema revision {revision}, which this version of Curbside "
            f"does not know (newest here: {head}); it was written by a newer release. "
            "Install that release again or restore a backup; nothing was changed."
        )
    if revision is None and tables and not tables >= BASELINE_TABLES:
        missing = ", ".join(sorted(BASELINE_TABLES - tables))
        raise SchemaError(
            "the database has tables but no migration history and is missing "
            f"{missing}: it is not a Curbside database of a known release. "
            "Point CURBSIDE_DATABASE_URL at the right database; nothing was changed."
        )


def open_engine(url: str, *, audit_secret: str | None = None, **pool) -> Engine:
    """The app's engine, on a database upgraded to this release's schema first.

    `pool` goes to `credit_capture.store.make_engine` unchanged. Its `create_all` finds
    every table already there; an in-memory SQLite database (nothing to keep) is simply
    created.
    """
    if not _is_memory(url):
        upgrade(url, audit_secret=audit_secret)
    return make_engine(url, **pool)
