"""One error hierarchy. Every message tells the user what went wrong and what to do."""


class WeaklinkError(Exception):
    """Base class of all errors weaklink raises on purpose."""

    exit_code = 1


class StoreError(WeaklinkError):
    """The store cannot be opened, or its URL or schema is not usable."""


class WatchFileError(WeaklinkError):
    """The watch file is not valid TOML or does not match the expected shape."""


class UnknownCountry(WeaklinkError):
    """A country name or code matches no known state."""


class AmbiguousCountry(WeaklinkError):
    """A country name could mean more than one state (e.g. "Korea")."""


class SourceFileError(WeaklinkError):
    """An input file cannot be read as the format asked for (empty, truncated, not that format)."""


class AccountingError(SourceFileError):
    """An input file's line counts do not add up (read = stored + rejected + duplicate); nothing is saved."""


class NoInputFiles(WeaklinkError):
    """A path, folder or glob matched no input file."""


class InvalidArgument(WeaklinkError):
    """An argument has a value weaklink cannot use."""
