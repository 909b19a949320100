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


@pytest.fixture
def wl(tmp_path):
    """weaklink connected to a fresh DuckDB store file in a temporary folder."""
    import weaklink

    api = weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}")
    yield api
    api.close()


@pytest.fixture(scope="session")
def gdelt_v2_dir(shared_data) -> Path:
    return shared_data / "gdelt-v2-events"


def count_lines(path: Path) -> int:
    """Lines in a plain text file, the way `wc -l` counts them plus an unterminated last line."""
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
