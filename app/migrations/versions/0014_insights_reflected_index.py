"""Insights page speed over long periods: an index of the insights rows by inquiry with
the facts a reflection is ordered and filtered by, so a long period's reflections (a few
thousand a year) each find their question's facts from the index, instead of SQLite going
through every question of the period looking for an episode (at 50,000 inquiries ~130 ms
of a 52-week dashboard, ~60 ms this way). Nothing to fill: columns that exist since 0012.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_insight_inquiry_reflected", "insight_inquiry",
                    ["inquiry_id", "origin", "created_at", "learner_id", "abstained"])


def downgrade() -> None:
    op.drop_index("ix_insight_inquiry_reflected", "insight_inquiry")
