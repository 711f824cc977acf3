"""os1: a local-first AI companion that talks with you, remembers you and runs on your machine."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("os1")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
