"""weaklink: monitor an alignment of states from public data."""

__version__ = "0.1.0"

from weaklink.api import Weaklink, connect  # noqa: E402
from weaklink.errors import WeaklinkError  # noqa: E402

__all__ = ["Weaklink", "WeaklinkError", "connect", "__version__"]
