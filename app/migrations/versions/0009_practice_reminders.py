"""Learning that sticks: retention outcomes of practice checks and the reminders sent.

`retention_outcome` holds a learner's answers to a spaced practice check (choices and
score, never the question text); `reminder_sent` records each e-mailed reminder so a
repeated `curbside reminders send` never sends one twice. A development database made
before this migration existed may already hold them (`create_all`): they are kept.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "retention_outcome" not in existing:
        _retention_outcome()
    if "reminder_sent" not in existing:
        _reminder_sent()


def _retention_outcome() -> None:
    op.create_table(
        "retention_outcome",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("learner_id", sa.String(), nullable=False),
        sa.Column("episode_id", sa.String(), nullable=False),
        sa.Column("card_id", sa.String(), nullable=False),
        sa.Column("card_version", sa.String(), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["episode_id"], ["episode.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("learner_id", "episode_id", "card_id", "answered_at"):
        op.create_index(f"ix_retention_outcome_{column}", "retention_outcome", [column])


def _reminder_sent() -> None:
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("learner_id", sa.String(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminder_sent_key", "reminder_sent", ["key"], unique=True)
    op.create_index("ix_reminder_sent_kind", "reminder_sent", ["kind"])
    op.create_index("ix_reminder_sent_learner_id", "reminder_sent", ["learner_id"])


def downgrade() -> None:
    op.drop_table("reminder_sent")
    op.drop_table("retention_outcome")
