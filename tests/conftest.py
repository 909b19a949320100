"""Shared pytest fixtures."""

from pathlib import Path

import pytest

# The real sample data live beside the checkout: <parent of checkout>/shared/data.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real public test data; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data folder not found at {SHARED_DATA} (../shared/data beside the checkout)")
    return SHARED_DATA
