"""Baseline: the tables of the last release made without migrations (git c56b2f2).

A database created by that release (`create_all`) is stamped with this revision instead of
running it; a new database runs it.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("first_name", sa.String(), nullable=False),
        sa.Column("last_name", sa.String(), nullable=False),
        sa.Column("role", sa.Enum("learner", "planner", "evaluator", "admin", name="role"),
                  nullable=False),
        sa.Column("profession", sa.String(), nullable=False),
        sa.Column("specialty", sa.String(), nullable=False),
        sa.Column("board", sa.String(), nullable=False),
        sa.Column("board_id", sa.String(), nullable=False),
        sa.Column("birth_month", sa.Integer(), nullable=True),
        sa.Column("birth_day", sa.Integer(), nullable=True),
        sa.Column("board_consent", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_email", "user", ["email"], unique=True)
    op.create_table(
        "websession",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_websession_user_id", "websession", ["user_id"])
    op.create_table(
        "apitoken",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_apitoken_user_id", "apitoken", ["user_id"])
    op.create_table(
        "inquiry",
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("answer", sa.String(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("abstain_reason", sa.String(), nullable=True),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("learner_id", sa.String(), nullable=True),
        sa.Column("citations", sa.JSON(), nullable=True),
        sa.Column("signals", sa.JSON(), nullable=True),
        sa.Column("phi_kinds", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inquiry_created_at", "inquiry", ["created_at"])
    op.create_index("ix_inquiry_learner_id", "inquiry", ["learner_id"])
    op.create_table(
        "episode",
        sa.Column("learner_id", sa.String(), nullable=False),
        sa.Column("question", sa.String(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("inquiry_id", sa.String(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("asked_at", UTC_TIME, nullable=False),
        sa.Column("opened_at", UTC_TIME, nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_episode_due_at", "episode", ["due_at"])
    op.create_index("ix_episode_inquiry_id", "episode", ["inquiry_id"], unique=True)
    op.create_index("ix_episode_learner_id", "episode", ["learner_id"])
    op.create_index("ix_episode_status", "episode", ["status"])
    op.create_table(
        "reflection",
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("answered", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("barriers", sa.String(), nullable=True),
        sa.Column("free_text", sa.String(), nullable=True),
        sa.Column("baseline_answer", sa.Integer(), nullable=True),
        sa.Column("retention_answer", sa.Integer(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("episode_id", sa.String(), nullable=False),
        sa.Column("learner_id", sa.String(), nullable=False),
        sa.Column("change_types", sa.JSON(), nullable=True),
        sa.Column("own_sources", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("fields_touched", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reflection_episode_id", "reflection", ["episode_id"], unique=True)
    op.create_index("ix_reflection_learner_id", "reflection", ["learner_id"])
    op.create_table(
        "claim",
        sa.Column("episode_id", sa.String(), nullable=False),
        sa.Column("learner_id", sa.String(), nullable=False),
        sa.Column("credit_type", sa.String(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("corrects_claim_id", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("issued_at", UTC_TIME, nullable=False),
        sa.Column("issued_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("seconds_to_claim", sa.Integer(), nullable=True),
        sa.Column("fields_touched", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["corrects_claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("corrects_claim_id", "credit_type", "episode_id", "issued_at",
                   "learner_id", "year"):
        op.create_index(f"ix_claim_{column}", "claim", [column])
    original = sa.text("corrects_claim_id IS NULL")
    op.create_index("uq_claim_episode_type", "claim", ["episode_id", "credit_type"],
                    unique=True, sqlite_where=original, postgresql_where=original)
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    for column in ("action", "at", "entity_id"):
        op.create_index(f"ix_audit_event_{column}", "audit_event", [column])


def downgrade() -> None:
    raise NotImplementedError("records are kept six years: the baseline is never dropped")
