"""The store: SQLAlchemy models, migrations, sessions and idempotent sinks."""
