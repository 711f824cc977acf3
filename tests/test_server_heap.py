"""The server keeps full garbage collections short: what lives on is left out of them."""

from __future__ import annotations

import asyncio
import gc
import weakref

from os1.server.heap import steady_heap


class Node:
    """A reference cycle, freed only by the collector."""

    def __init__(self) -> None:
        self.me = self


async def test_long_lived_objects_are_left_out_of_collections_until_the_sweep() -> None:
    async with steady_heap(freeze_every_s=0.01, sweep_every_s=0.3):
        kept = [Node() for _ in range(1000)]
        await asyncio.sleep(0.05)
        assert gc.get_freeze_count() >= 1000, "what lives on is frozen"
        dropped = Node()
        gone = weakref.ref(dropped)
        await asyncio.sleep(0.05)
        del dropped
        gc.collect()
        assert gone() is not None, "a frozen cycle waits for the sweep"
        await asyncio.sleep(0.4)
        assert gone() is None, "the sweep frees it"
        assert len(kept) == 1000
    assert gc.get_freeze_count() == 0, "nothing stays frozen once the server stops"
