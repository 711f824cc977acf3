"""os1's own speech: numbers as words, long text in pieces, both voices understood word for word."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile
from tests.conftest import run_os1

from os1.testing import HeardSTT, LoudnessVAD, ToneTTS, tone_speech
from os1.voice.audio import SAMPLE_RATE, Clip, resample
from os1.voice.choice import Offered, ask, picked
from os1.voice.pipeline import Timeline, file_frames
from os1.voice.spoken import MAX_PIECE_CHARS, number_words, pieces, speakable
from os1.voice.stt import WhisperSTT
from os1.voice.tts import HibariTTS, PiperTTS


def test_numbers_amounts_and_times_are_spoken_as_words() -> None:
    assert number_words(144) == "one hundred forty-four"
    assert number_words(2_000_017) == "two million seventeen"
    said = {
        "144 Elm Street": "one hundred forty-four Elm Street",
        "It costs $1,440.50.": "It costs one thousand four hundred forty dollars and fifty cents.",
        "about 3.5% more": "about three point five percent more",
        "at 9:30, not 10:05": "at nine thirty, not ten oh five",
        "the 21st and the 3rd": "the twenty-first and the third",
        "back in 1984": "back in nineteen eighty-four",
        "Dr. Ana & me": "Doctor Ana and me",
        "mp3 files": "mp3 files",
    }
    for text, words in said.items():
        assert speakable(text) == words


def test_any_text_is_cut_into_bounded_pieces_in_order() -> None:
    sentence = "Here is a sentence of ordinary length, with a clause or two in it. "
    text = sentence * 2000 + "x" * 1000 + " " + ("word, " * 200) + "\n\nThe end."
    got = list(pieces(text))
    assert all(0 < len(p) <= MAX_PIECE_CHARS for p in got)
    assert "".join(got).replace(" ", "") == "".join(text.split()), "nothing lost or reordered"
    assert got[0] == sentence.strip()
    assert got[-1] == "The end."
    lazy: Iterator[str] = pieces("Short. " * 100_000)
    assert next(lazy) == "Short.", "the first piece comes before the rest is cut"


# -- through the real voices and recogniser ------------------------------------------


@pytest.fixture(scope="module")
def ears() -> WhisperSTT:
    return WhisperSTT(threads=2)


def heard(ears: WhisperSTT, clip: Clip) -> str:
    return ears.transcribe(resample(clip.samples, clip.rate, SAMPLE_RATE))


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


@pytest.mark.parametrize("voice", ["piper", "hibari"])
def test_words_once_garbled_in_os1s_own_speech_are_heard(ears: WhisperSTT, voice: str) -> None:
    """Piper fed without stress marks said "At expenditch" for "Add eggs, spinach"."""
    tts = PiperTTS() if voice == "piper" else HibariTTS()
    said = {  # the words that came out garbled, each of which must now be heard
        "Add eggs, spinach and milk to the list every Tuesday.": ("add eggs spinach", "tuesday"),
        "The shop at 144 Elm Street opens at noon.": ("the shop at 144 elm street", "noon"),
    }
    for text, garbled_before in said.items():
        got = words(heard(ears, tts.synthesize(text)))
        assert all(part in got for part in garbled_before), got


def test_the_last_words_of_a_recording_are_heard(ears: WhisperSTT) -> None:
    """Speech that runs to the very end of a file keeps its last words."""
    tts = PiperTTS()
    for text in (
        "I think the keys are in the car. Could you look it up?",
        "My sister moved last year. Which city does she live in?",
    ):
        got = words(heard(ears, tts.synthesize(text)))
        assert got.endswith(words(text)[-12:]), got


def test_speak_writes_long_text_piece_by_piece(tmp_path: Path) -> None:
    """Nine kilobytes of text once hung for minutes in one call to the voice model."""
    text = " ".join(
        f"This is sentence number {n} of a long letter, read aloud in pieces." for n in range(140)
    )
    assert len(text) > 9000
    out = tmp_path / "long.wav"
    started = time.perf_counter()
    spoken = run_os1("speak", text, "-o", str(out), env={"OS1_TTS": "hibari"}, timeout=240)
    assert spoken.code == 0, spoken.stderr
    info = soundfile.info(str(out))
    assert info.duration > 8 * 60, "all of it was spoken"
    assert time.perf_counter() - started < 200


def test_the_person_chooses_a_voice_aloud() -> None:
    assert picked("I like the second one", ["en_US-joe-medium", "heart"]) == 1
    assert picked("the first, he sounds calmer", ["en_US-joe-medium", "heart"]) == 0
    assert picked("Heart, please.", ["en_US-joe-medium", "heart"]) == 1
    assert picked("Joe.", ["en_US-joe-medium", "heart"]) == 0
    assert picked("hmm, I don't know", ["en_US-joe-medium", "heart"]) is None
    assert picked("the first or the second", ["en_US-joe-medium", "heart"]) is None

    async def choose() -> tuple[int | None, list[str]]:
        ticks = itertools.count(step=100.0)
        sink = Timeline(rate=16_000, clock=lambda: next(ticks))  # each sample heard at once
        offered = [Offered("en_US-joe-medium", ToneTTS()), Offered("heart", ToneTTS())]
        answer = tone_speech(("quiet", 0.3), ("talk", 1.0), ("quiet", 0.6))
        frames = file_frames(answer, realtime=False)
        chosen = await ask(frames, offered, HeardSTT("The second one."), LoudnessVAD(), sink)
        rest = [frame async for frame in frames]
        assert rest, "the stream goes on to the conversation"
        return chosen, sink.heard().split(". ")

    chosen, said = asyncio.run(choose())
    assert chosen == 1
    assert said[-1].startswith("Which voice do you like better")


def test_voices_are_listed_with_samples_and_chosen_by_name(tmp_path: Path) -> None:
    listed = run_os1("voices", "list", "--sample", str(tmp_path / "samples"))
    assert listed.code == 0, listed.stderr
    assert "* en_US-joe-medium" in listed.stdout
    assert "heart" in listed.stdout
    for name, rate in (("en_US-joe-medium", 22_050), ("heart", 24_000)):
        info = soundfile.info(str(tmp_path / "samples" / f"{name}.wav"))
        assert info.samplerate == rate
        assert info.duration > 1.5
    used = run_os1("voices", "use", "heart")
    assert used.code == 0, used.stderr
    assert "* heart" in run_os1("voices", "list").stdout
    spoken = run_os1("speak", "Hello there.", "-o", str(tmp_path / "h.wav"))
    assert spoken.code == 0, spoken.stderr
    assert soundfile.info(str(tmp_path / "h.wav")).samplerate == 24_000, "said by heart"
    refused = run_os1("voices", "use", "emma")
    assert refused.code == 1
    assert "never downloads voices" in " ".join(refused.stderr.split())
