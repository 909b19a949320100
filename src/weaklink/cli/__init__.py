"""The command line, a thin shell over weaklink.api: `main` (the `weaklink` group) is in cli/main.py, the
analysis and monitor commands in their own modules, shared options and output in cli/common.py."""

from weaklink.cli.main import main

__all__ = ["main"]
