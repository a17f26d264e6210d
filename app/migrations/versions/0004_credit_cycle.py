"""Credit an accreditor would accept: sources opened, repeats joined, IAM reflection,
and claims that record the profession, accreditation and demonstration content.

Earlier rows stay as they were: their episodes have no recorded openings or repeats,
their reflections no IAM answers, and their claims count as demonstration records (no
provider was configured before this release).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episode") as batch:
        batch.add_column(sa.Column("joined", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("opened", sa.JSON(), nullable=True))
    with op.batch_alter_table("reflection") as batch:
        for name in ("relevance", "patient_use", "health_benefit", "practice_change"):
            batch.add_column(sa.Column(name, sa.String(), nullable=True))
    with op.batch_alter_table("claim") as batch:
        batch.add_column(sa.Column("profession", sa.String(), nullable=True))
        batch.add_column(sa.Column("accredited", sa.Boolean(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("demo_content", sa.Boolean(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        for name in ("demo_content", "accredited", "profession"):
            batch.drop_column(name)
    with op.batch_alter_table("reflection") as batch:
        for name in ("practice_change", "health_benefit", "patient_use", "relevance"):
            batch.drop_column(name)
    with op.batch_alter_table("episode") as batch:
        batch.drop_column("opened")
        batch.drop_column("joined")
