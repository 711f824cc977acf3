"""Allow ``python -m os1``."""

from os1.cli import main

main()
