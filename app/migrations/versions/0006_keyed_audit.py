"""Audit you can trust: claims sealed by the events that issued them, and every event keyed
with an HMAC under the audit secret (so a recomputed chain is caught).

Existing events keep their hashes (head hashes printed before this release still match);
each gets a keyed seal under the secret this upgrade runs with (`CURBSIDE_AUDIT__SECRET`:
set it before upgrading a production database), and each existing claim is sealed as it
stands now. A chain already broken stays broken: seals attest the stored hashes, which
`curbside audit verify` still recomputes.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import context, op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _secret() -> str:
    given = context.config.attributes.get("audit_secret")
    if given:
        return given
    from app.settings import Settings

    return Settings().audit.secret.get_secret_value()


def upgrade() -> None:
    from credit_capture import audit

    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("row_digest", sa.String(), nullable=True))
        batch.add_column(sa.Column("mac", sa.String(), nullable=True))
    sealer = audit.Sealer(secret=_secret())
    events = sa.table("audit_event", sa.column("seq", sa.Integer()),
                      sa.column("action", sa.String()), sa.column("entity", sa.String()),
                      sa.column("entity_id", sa.String()), sa.column("hash", sa.String()),
                      sa.column("row_digest", sa.String()), sa.column("mac", sa.String()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(events.c.seq, events.c.action, events.c.entity,
                                        events.c.entity_id, events.c.hash)).all()
    for seq, action, entity, entity_id, event_hash in rows:
        digest = audit.sealed_row_digest(connection, action=action, entity=entity,
                                         entity_id=entity_id)
        connection.execute(events.update().where(events.c.seq == seq).values(
            row_digest=digest, mac=sealer.mac(event_hash, digest)))


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("mac")
        batch.drop_column("row_digest")
