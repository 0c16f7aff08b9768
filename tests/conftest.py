"""Shared fixtures. Helpers (loopback servers, the fake Bot API) live in tests/helpers/."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# Shared fixtures from helpers: page_server (loopback web pages and feeds).
pytest_plugins = ["tests.helpers.pages"]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
