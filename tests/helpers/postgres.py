"""Fresh PostgreSQL databases for tests, on the server CI runs (127.0.0.1:5432).

``ZHAIYAO_TEST_POSTGRES_URL`` names the server (default: user postgres, database test,
trust auth). When it cannot be reached, PostgreSQL tests are skipped with the reason,
unless ``ZHAIYAO_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("ZHAIYAO_TEST_POSTGRES_URL", DEFAULT_URL)


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(server_url(), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        reason = f"PostgreSQL unreachable at {server_url()}: {exc}"
        if os.environ.get("ZHAIYAO_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (ZHAIYAO_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)


_template: list[str] = []  # the migrated database tests copy, made once per session


@asynccontextmanager
async def fresh_database(*, migrated: bool = False) -> AsyncIterator[str]:
    """The URL of a new database, empty or (``migrated``) a copy of a migrated one,
    dropped afterwards. Copying a template is quicker than migrating each time."""
    admin = await _admin()
    name = f"zhaiyao_test_{uuid.uuid4().hex[:12]}"
    try:
        if migrated and not _template:
            _template.append(await _make_template(admin))
        template = f' TEMPLATE "{_template[0]}"' if migrated else ""
        await admin.execute(f'CREATE DATABASE "{name}"{template}')
        yield _url(name)
    finally:
        await _drop(admin, name)
        await admin.close()


async def drop_template() -> None:
    """End of session: drop the template :func:`fresh_database` made, if any."""
    if _template:
        admin = await _admin()
        await _drop(admin, _template.pop())
        await admin.close()


def _url(name: str) -> str:
    return f"{server_url().rsplit('/', 1)[0]}/{name}"


async def _make_template(admin: asyncpg.Connection) -> str:
    from storage import connect

    name = f"zhaiyao_template_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = await connect(_url(name))
    await db.close()
    return name


async def _drop(admin: asyncpg.Connection, name: str) -> None:
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    except asyncpg.ObjectInUseError:  # a test left a connection open
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
