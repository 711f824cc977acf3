"""Nothing leaves the machine: libraries that would phone home are told not to, before they load.

onnxruntime (the embedder, the voice activity detector, Piper) starts a
telemetry client when its library loads: it writes a device id under
``~/.cache/Microsoft`` and looks up ``mobile.events.data.microsoft.com``.
``ORT_DISABLE_TELEMETRY`` stops both, but only if it is set before the library
is loaded, so :func:`stay_offline` runs when ``os1`` itself is imported, and
turns the events off as well in a process that loaded onnxruntime first.
Hugging Face libraries are kept from the hub: os1's weights come from
registry packages, never from a download at run time.
"""

from __future__ import annotations

import os
import sys

__all__ = ["stay_offline"]

FORCED = {"ORT_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "1"}
DEFAULTS = {"HF_HUB_OFFLINE": "1"}


def stay_offline() -> None:
    """Switch off the telemetry of every library os1 loads (before they load, where it counts)."""
    os.environ.update(FORCED)
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    onnxruntime = sys.modules.get("onnxruntime")
    if onnxruntime is not None:
        onnxruntime.disable_telemetry_events()
