"""os1: a local-first AI companion that talks with you, remembers you and runs on your machine."""

import os
from importlib.metadata import PackageNotFoundError, version

# Idle OpenMP threads (llama.cpp, CTranslate2) must sleep, not spin: with speech
# or indexing sharing two cores, spinning threads cut generation from ~10 to
# 1-2 tokens/s. Set before any of them starts its thread pool.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from os1.offline import stay_offline  # before any library that phones home loads

stay_offline()

try:
    __version__ = version("os1")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
