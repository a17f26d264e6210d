"""Insights: themes and each inquiry's embedding and theme.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_theme",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=True),
        sa.Column("cards", sa.JSON(), nullable=True),
        sa.Column("near_cards", sa.JSON(), nullable=True),
        sa.Column("centroid", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_insight_theme_active", "insight_theme", ["active"])
    op.create_table(
        "insight_inquiry",
        sa.Column("inquiry_id", sa.String(), nullable=False),
        sa.Column("theme_id", sa.String(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("inquiry_id"),
    )
    op.create_index("ix_insight_inquiry_theme_id", "insight_inquiry", ["theme_id"])


def downgrade() -> None:
    op.drop_table("insight_inquiry")
    op.drop_table("insight_theme")
