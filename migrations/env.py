"""Alembic environment: the engine comes from the app, the metadata from our models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from family_app.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from family_app.config import load_config

        engine = create_engine(load_config("instance")["DATABASE_URL"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
