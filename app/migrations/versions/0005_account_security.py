"""Account security: sign-in throttle counters, API token expiry and revocation.

Tokens issued before this release get the default lifetime (90 days) from their creation,
so no old token stays valid forever; none is revoked.

Revision ID: 0005
Revises: 0004
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("apitoken") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    tokens = sa.table("apitoken", sa.column("token_hash", sa.String()),
                      sa.column("created_at", sa.DateTime()),
                      sa.column("expires_at", sa.DateTime()))
    connection = op.get_bind()
    for token_hash, created_at in connection.execute(
            sa.select(tokens.c.token_hash, tokens.c.created_at)).all():
        connection.execute(tokens.update().where(tokens.c.token_hash == token_hash)
                           .values(expires_at=created_at + timedelta(days=_TOKEN_DAYS)))


def downgrade() -> None:
    with op.batch_alter_table("apitoken") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
    op.drop_table("login_throttle")
