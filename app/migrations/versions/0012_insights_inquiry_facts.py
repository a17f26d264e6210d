"""Insights page speed at 50,000 inquiries: the facts a planner page counts (when, who,
abstained, decision score, origin) copied onto each inquiry's insights row, with two
covering indexes, so a period's or a theme's counts come from an index of
`insight_inquiry` alone instead of the inquiry rows (question, answer, citations, and the
decision score inside the JSON `signals`).

Existing rows are filled here from their inquiries; new ones are filled when embedded.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FACTS = ("created_at", "learner_id", "abstained", "decision_score", "origin")


def upgrade() -> None:
    op.add_column("insight_inquiry", sa.Column("created_at", sa.DateTime(), nullable=True))
    op.add_column("insight_inquiry", sa.Column("learner_id", sa.String(), nullable=True))
    op.add_column("insight_inquiry", sa.Column("abstained", sa.Boolean(), nullable=True))
    op.add_column("insight_inquiry", sa.Column("decision_score", sa.Float(), nullable=True))
    op.add_column("insight_inquiry", sa.Column("origin", sa.String(), nullable=True))
    # this revision's tables as they are now (the models may change in later releases)
    inquiry = sa.table("inquiry", sa.column("id", sa.String()),
                       sa.column("created_at", sa.DateTime()),
                       sa.column("learner_id", sa.String()),
                       sa.column("abstained", sa.Boolean()),
                       sa.column("origin", sa.String()), sa.column("signals", sa.JSON()))
    facts = sa.table("insight_inquiry", sa.column("inquiry_id", sa.String()),
                     *[sa.column(name) for name in FACTS])
    copied = {"created_at": inquiry.c.created_at, "learner_id": inquiry.c.learner_id,
              "abstained": inquiry.c.abstained, "origin": inquiry.c.origin,
              "decision_score": inquiry.c.signals["decision_score"].as_float()}
    # one correlated lookup per column: portable (SQLite and PostgreSQL), a few seconds
    # at 50,000 rows
    op.execute(facts.update().values({
        name: sa.select(value).where(inquiry.c.id == facts.c.inquiry_id).scalar_subquery()
        for name, value in copied.items()}))
    op.create_index("ix_insight_inquiry_period_facts", "insight_inquiry",
                    ["created_at", "theme_id", "learner_id", "abstained", "decision_score",
                     "origin", "inquiry_id"])
    op.create_index("ix_insight_inquiry_theme_facts", "insight_inquiry",
                    ["theme_id", *FACTS, "inquiry_id"])


def downgrade() -> None:
    op.drop_index("ix_insight_inquiry_theme_facts", "insight_inquiry")
    op.drop_index("ix_insight_inquiry_period_facts", "insight_inquiry")
    with op.batch_alter_table("insight_inquiry") as batch:
        for name in reversed(FACTS):
            batch.drop_column(name)
