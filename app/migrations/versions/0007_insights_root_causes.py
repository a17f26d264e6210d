"""Insights: planners' root-cause readings per theme and draft-card requests.

Both tables are append-mostly records of planners' decisions (kept with the credit
records), so they arrive as a migration like every other table.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_root_cause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.String(), nullable=False),
        sa.Column("shares", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_by_email", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_root_cause_theme_id", "insight_root_cause", ["theme_id"])
    op.create_table(
        "insight_card_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("near_cards", sa.JSON(), nullable=True),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("requested_by_email", sa.String(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_card_request_theme_id", "insight_card_request", ["theme_id"])
    op.create_index("ix_insight_card_request_status", "insight_card_request", ["status"])


def downgrade() -> None:
    op.drop_table("insight_card_request")
    op.drop_table("insight_root_cause")
