"""Persistence: SQLAlchemy models, repositories and Alembic migrations. No Slack."""

from storage.db import Database, default_database_url, upgrade

__all__ = ["Database", "default_database_url", "upgrade"]
