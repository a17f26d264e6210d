"""EHR: SMART account links (iss, fhirUser) -> Curbside user, and CDS Hooks feedback.

`cds_feedback` was created on the fly by earlier releases (`create_all`); it is created here
only where it is missing, so every database ends with the same schema.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ehr_link",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("iss", sa.String(), nullable=False),
        sa.Column("fhir_user", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("how", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("iss", "fhir_user", name="uq_ehr_link_identity"),
    )
    op.create_index("ix_ehr_link_user_id", "ehr_link", ["user_id"])
    if "cds_feedback" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "cds_feedback",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("service_id", sa.String(), nullable=False),
            sa.Column("card", sa.String(), nullable=False),
            sa.Column("outcome", sa.String(), nullable=False),
            sa.Column("override_reason", sa.String(), nullable=True),
            sa.Column("outcome_at", sa.String(), nullable=True),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_cds_feedback_service_id", "cds_feedback", ["service_id"])
        op.create_index("ix_cds_feedback_card", "cds_feedback", ["card"])


def downgrade() -> None:
    op.drop_table("ehr_link")
