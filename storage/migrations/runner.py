"""Apply the Alembic revisions in ``storage/migrations/versions`` on an open connection.

A store made before Alembic (numbered ``.sql`` steps recorded in ``schema_migrations``,
all five applied) is stamped at the baseline revision, which creates the same schema,
and upgraded from there.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage.errors import MigrationError

BASELINE = "0001"
LEGACY_STEPS = 5  # numbered .sql migrations the baseline stands for


def config(connection: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "storage:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision this code knows."""
    found = ScriptDirectory.from_config(config(None)).get_current_head()
    assert found is not None
    return found


def upgrade(connection: Any) -> list[str]:
    """Upgrade to head inside the caller's (locked) transaction; the revisions applied."""
    before = set(MigrationContext.configure(connection).get_current_heads())
    cfg = config(connection)
    if not before and "schema_migrations" in inspect(connection).get_table_names():
        steps = connection.exec_driver_sql("SELECT count(*) FROM schema_migrations").scalar()
        if steps != LEGACY_STEPS:
            raise MigrationError(f"a pre-Alembic store at step {steps}, not {LEGACY_STEPS}")
        command.stamp(cfg, BASELINE)
        before = {BASELINE}
    command.upgrade(cfg, "head")
    script = ScriptDirectory.from_config(cfg)
    lower = next(iter(before), "base")
    applied = [r.revision for r in script.iterate_revisions("heads", lower)]
    return [r for r in reversed(applied) if r not in before]
