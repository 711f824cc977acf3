"""Keeping Python's garbage collector from pausing thousands of open conversations.

Each open connection holds a few hundred objects that live as long as it
does. Python's full collection walks every one of them: with 4,000 people
connected a pass took up to half a second, and whoever was talking waited
for it (the concurrency bench's p99 went from 38 to 463 ms when one fell in
its window). So, every ``FREEZE_EVERY_S``, the young generations are
collected and whatever survived is frozen: left out of later passes, which
then only walk what is new. Objects that die by reference count are freed
frozen or not; only reference cycles that die after being frozen wait, for
the sweep every ``SWEEP_EVERY_S`` that thaws and collects everything once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator

FREEZE_EVERY_S = 5.0
SWEEP_EVERY_S = 3600.0


async def _tend(freeze_every_s: float, sweep_every_s: float) -> None:
    swept = time.monotonic()
    while True:
        await asyncio.sleep(freeze_every_s)
        if time.monotonic() - swept >= sweep_every_s:
            gc.unfreeze()
            gc.collect()
            swept = time.monotonic()
        gc.collect(1)
        gc.freeze()


@contextlib.asynccontextmanager
async def steady_heap(
    freeze_every_s: float = FREEZE_EVERY_S, sweep_every_s: float = SWEEP_EVERY_S
) -> AsyncIterator[None]:
    """Tend the collector while the server runs; everything is thawed again when it stops."""
    task = asyncio.create_task(_tend(freeze_every_s, sweep_every_s), name="steady-heap")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        gc.unfreeze()
