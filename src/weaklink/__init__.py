"""weaklink: monitor an alignment of states from public data."""

__version__ = "0.1.0"

from weaklink.errors import WeaklinkError  # noqa: E402

__all__ = ["Weaklink", "WeaklinkError", "connect", "__version__"]


def __getattr__(name: str):
    """`weaklink.connect` and `weaklink.Weaklink` load the API (Ibis, DuckDB, PyArrow) on first use, so that
    importing weaklink, or starting the CLI, stays fast."""
    if name in ("Weaklink", "connect"):
        from weaklink import api

        return getattr(api, name)
    raise AttributeError(f"module 'weaklink' has no attribute {name!r}")
