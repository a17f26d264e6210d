"""Each inquiry records its origin (web, api, ehr, eval, demo).

Insights and credit must count clinicians' real questions only; earlier rows were all
asked through the app, so they become `web`.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inquiry") as batch:
        batch.add_column(sa.Column("origin", sa.String(), nullable=False,
                                   server_default="web"))
        batch.create_index("ix_inquiry_origin", ["origin"])


def downgrade() -> None:
    with op.batch_alter_table("inquiry") as batch:
        batch.drop_index("ix_inquiry_origin")
        batch.drop_column("origin")
