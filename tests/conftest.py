"""Shared fixtures. Helpers (loopback servers, the fake Bot API) live in tests/helpers/."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database, connect

FIXTURES = Path(__file__).parent / "fixtures"

# jieba's parsed word tables (summarizer.tokenize) are cached here, not in the user's home
os.environ.setdefault("ZHAIYAO_CACHE_DIR", str(Path(tempfile.gettempdir()) / "zhaiyao-test-cache"))

# Shared fixtures from helpers: page_server (loopback web pages and feeds).
pytest_plugins = ["tests.helpers.pages"]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh SQLite store (all migrations applied) in the test's own directory."""
    database = await connect(tmp_path / "zhaiyao.db")
    try:
        yield database
    finally:
        await database.close()
