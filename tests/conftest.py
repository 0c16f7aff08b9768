"""Shared fixtures. Helpers (loopback servers, the fake Bot API) live in tests/helpers/."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
