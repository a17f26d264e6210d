"""Insights at scale and the gap loop: indexes the planner pages' aggregate queries use
at 50,000 inquiries, and the card that answered a draft-card request (and since when).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("insight_card_request") as batch:
        batch.add_column(sa.Column("card_id", sa.String(), nullable=True))
        batch.add_column(sa.Column("card_title", sa.String(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(), nullable=False,
                                   server_default=""))
    op.create_index("ix_insight_card_request_card_id", "insight_card_request", ["card_id"])
    # a period's readable questions: origin first, then the date range
    op.create_index("ix_inquiry_origin_created_at", "inquiry", ["origin", "created_at"])
    # one theme's members (drill-down) without touching the vectors
    op.create_index("ix_insight_inquiry_theme_inquiry", "insight_inquiry",
                    ["theme_id", "inquiry_id"])


def downgrade() -> None:
    op.drop_index("ix_insight_inquiry_theme_inquiry", "insight_inquiry")
    op.drop_index("ix_inquiry_origin_created_at", "inquiry")
    op.drop_index("ix_insight_card_request_card_id", "insight_card_request")
    with op.batch_alter_table("insight_card_request") as batch:
        for column in ("closed_by", "closed_at", "card_title", "card_id"):
            batch.drop_column(column)
