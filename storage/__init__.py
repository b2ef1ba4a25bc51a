"""Database access: the only place with SQL (SQLAlchemy Core, async; SQLite or PostgreSQL)."""
