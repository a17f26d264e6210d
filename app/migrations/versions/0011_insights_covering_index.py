"""Insights page speed: an index that answers "which theme, from which encoder" for an
inquiry without reading its row (each row carries a 1.5 KB embedding, so every page's
join through the rows read the whole 75 MB table at 50,000 inquiries), and one that counts
a period's questions per week, theme and clinician without reading the inquiry rows
(question, answer and citations).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_insight_inquiry_inquiry_model_theme", "insight_inquiry",
                    ["inquiry_id", "model", "theme_id"])
    op.create_index("ix_inquiry_origin_created_learner", "inquiry",
                    ["origin", "created_at", "learner_id", "abstained", "id"])


def downgrade() -> None:
    op.drop_index("ix_inquiry_origin_created_learner", "inquiry")
    op.drop_index("ix_insight_inquiry_inquiry_model_theme", "insight_inquiry")
