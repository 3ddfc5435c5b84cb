"""Alembic environment: runs on the connection handed over by ``store.engine.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from nutrispine.store.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # the ``alembic`` command line, for writing new migrations
    from nutrispine.settings import database_url
    from nutrispine.store.engine import normalise_url

    with create_engine(normalise_url(database_url())).begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
