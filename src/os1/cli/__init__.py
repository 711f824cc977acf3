"""The ``os1`` command line."""

from os1.cli.main import app, main

__all__ = ["app", "main"]
