"""Alembic environment: always run from `app.db` with an open connection (no alembic.ini).

SQLite cannot alter most columns in place; batch mode copies the table instead, so the
same migration runs on SQLite and PostgreSQL.
"""

from alembic import context

from app.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through app.db.upgrade (or `curbside db upgrade`)")

context.configure(connection=connection, target_metadata=metadata(), render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
