"""Voice: audio files, turn-taking, clause-by-clause speech, barge-in, and the real models."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
from tests.conftest import run_os1, write_script

from os1.clock import FixedClock
from os1.companion import Companion
from os1.companion.initiative import Initiatives, Rules
from os1.companion.session import Session
from os1.errors import InputError
from os1.events import (
    ActionResult,
    Event,
    Interrupted,
    NeedsConfirmation,
    TranscriptFinal,
    parse_event,
)
from os1.llm import ScriptedLLM
from os1.store import Journal
from os1.store.initiatives import InitiativeStore
from os1.testing import HeardSTT, LoudnessVAD, ToneTTS, tone_speech
from os1.voice.audio import SAMPLE_RATE, read_wav, write_wav
from os1.voice.clauses import Clauses
from os1.voice.pipeline import Timeline, VoicePipeline, file_frames

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def make(home: Path, *replies: str, heard: tuple[str, ...]) -> tuple[VoicePipeline, Timeline]:
    home.mkdir(parents=True, exist_ok=True)
    llm = ScriptedLLM(list(replies))
    companion = Companion(Journal.open("", home / "os1.db"), llm, FixedClock(NOW))
    sink = Timeline(rate=16_000)
    vad = LoudnessVAD()
    session = Session(companion, "me")
    pipeline = VoicePipeline(session, HeardSTT(*heard), ToneTTS(), vad, sink, idle=False)
    return pipeline, sink


def test_clauses_start_speech_early_then_speak_in_sentences() -> None:
    clauses = Clauses()
    got: list[str] = []
    text = "Well, Paris, of course, is the capital, and it is lovely. And the boat too! Bye"
    for token in text.split(" "):
        got += clauses.feed(token + " ")
    got += clauses.flush()
    assert got == [
        "Well, Paris,",
        "of course, is the capital, and it is lovely.",
        "And the boat too!",
        "Bye",
    ]
    unpunctuated = Clauses()
    first = unpunctuated.feed("so I was thinking that we could maybe go ")
    assert first == ["so I was"], "no comma: three words"


def test_the_first_piece_does_not_wait_for_the_next_token() -> None:
    """Tokens arrive a tenth of a second apart; the first piece goes as soon as it is whole."""
    exclaimed = Clauses()
    assert exclaimed.feed("Sure") == []
    assert exclaimed.feed("!") == ["Sure!"]
    assert exclaimed.feed(" I can help") == []
    assert exclaimed.flush() == ["I can help"]
    counted = Clauses()
    got = [counted.feed(token) for token in ("You", " can", " make", " your", " house")]
    assert got == [[], [], ["You can make"], [], []]
    initials = Clauses()
    assert initials.feed("F.") == [], "an initial is not the end of a sentence"


async def test_a_spoken_question_is_answered_aloud_clause_by_clause(home: Path) -> None:
    pipeline, sink = make(
        home, "Paris, of course, is the capital. It is lovely.", heard=("What is the capital?",)
    )
    clip = tone_speech(("quiet", 0.3), ("talk", 1.0), ("quiet", 0.2))
    await pipeline.run(file_frames(clip, realtime=False, until=sink.busy))
    [turn] = pipeline.turns
    assert turn.transcript == "What is the capital?"
    assert turn.reply == "Paris, of course, is the capital. It is lovely."
    assert not turn.interrupted
    stages = ("turn_end_ms", "transcript_ms", "first_token_ms", "first_audio_ms", "reply_done_ms")
    for stage in stages:
        assert stage in turn.timings
    ordered = [turn.timings[stage] for stage in stages[1:]]
    assert ordered == sorted(ordered), "transcript, first token, first audio, reply done"
    assert sink.audio().seconds > 2.0
    turns = pipeline.companion.journal.turns(await pipeline.companion.user_id(), 1)
    assert [(t.user_text, t.interrupted) for t in turns] == [("What is the capital?", False)]
    await pipeline.companion.aclose()


async def test_a_spoken_turn_reports_its_stages_in_the_shared_vocabulary(home: Path) -> None:
    pipeline, sink = make(home, "Paris, of course.", heard=("What is the capital?",))
    seen: list[Event] = []
    pipeline.on_event = seen.append
    clip = tone_speech(("quiet", 0.3), ("talk", 1.0), ("quiet", 0.2))
    await pipeline.run(file_frames(clip, realtime=False, until=sink.busy))
    kinds = [e.type for e in seen if e.type not in ("transcript_partial", "token_delta")]
    assert kinds == [
        "speech_started",
        "speech_ended",
        "transcript_final",
        "turn_started",
        "reply_audio_started",
        "turn_committed",
        "reply_audio_stopped",
        "spoken_turn",
    ]
    assert [parse_event(e.to_json()) for e in seen] == seen, "each one a JSON line"
    [final] = [e for e in seen if isinstance(e, TranscriptFinal)]
    assert final.text == "What is the capital?"
    await pipeline.companion.aclose()


async def test_a_spoken_yes_carries_out_what_os1_proposed_aloud(home: Path) -> None:
    await asyncio.to_thread(home.mkdir, parents=True, exist_ok=True)
    clock = FixedClock(NOW)
    journal = Journal.open("", home / "os1.db")
    initiatives = Initiatives(InitiativeStore(journal.engine), clock, Rules())
    companion = Companion(journal, ScriptedLLM(), clock, initiatives=initiatives)
    sink = Timeline(rate=16_000)
    heard = HeardSTT("Remind me to call mum at 6pm.", "Yes.")
    seen: list[Event] = []
    pipeline = VoicePipeline(
        Session(companion, "me"), heard, ToneTTS(), LoudnessVAD(), sink, on_event=seen.append
    )
    clip = tone_speech(("talk", 1.0), ("quiet", 5.0), ("shout", 0.5), ("quiet", 0.6))
    await pipeline.run(file_frames(clip, realtime=True, until=sink.busy))
    [proposal] = [e for e in seen if isinstance(e, NeedsConfirmation)]
    assert proposal.summary == "Remind you to call mum on Wed 25 Nov at 18:00"
    [done] = [e for e in seen if isinstance(e, ActionResult)]
    assert done.done
    assert [i.text for i in initiatives.store.listed(await companion.user_id(), None)] == [
        "You asked me to remind you: call mum."
    ]
    await companion.aclose()


async def test_the_recogniser_hears_the_onset_of_the_first_word(home: Path) -> None:
    """The VAD is sure of speech only 160 ms in; the audio before that is kept for Whisper."""
    pipeline, sink = make(home, "Hello.", heard=("Hi there.",))
    clip = tone_speech(("quiet", 1.0), ("talk", 1.0), ("quiet", 0.5))
    await pipeline.run(file_frames(clip, realtime=False, until=sink.busy))
    assert isinstance(pipeline.stt, HeardSTT)
    final = pipeline.stt.given[-1]
    onset = int(np.argmax(np.abs(final) > 0.01))
    assert onset / SAMPLE_RATE >= 0.3, "at least 0.3 s of the quiet before the speech"
    assert np.count_nonzero(np.abs(final) > 0.01) >= 0.95 * SAMPLE_RATE, "and all of the speech"


async def test_speaking_over_os1_stops_playback_at_once_and_keeps_only_what_was_heard(
    home: Path,
) -> None:
    long_reply = "One two three four five six seven eight. Nine ten eleven twelve thirteen."
    pipeline, sink = make(home, long_reply, "Sure.", heard=("Tell me a long story.", "Stop, stop."))
    onset = 1.0 + 0.4 + 1.2  # the second utterance starts here, while os1 speaks
    clip = tone_speech(("talk", 1.0), ("quiet", 0.4 + 1.2), ("shout", 0.8), ("quiet", 0.6))
    seen: list[Event] = []
    pipeline.on_event = seen.append
    started = time.perf_counter()
    await pipeline.run(file_frames(clip, realtime=True, until=sink.busy))
    first, second = pipeline.turns
    assert any(isinstance(e, Interrupted) for e in seen)
    assert first.interrupted
    assert first.reply == "One two three four five six seven eight.", "only what was played"
    assert second.transcript == "Stop, stop."
    assert sink.stopped_at is not None
    lag = sink.stopped_at - (started + onset)
    assert 0 < lag <= 0.2, f"playback went on {lag * 1000:.0f} ms after speech began"
    turns = pipeline.companion.journal.turns(await pipeline.companion.user_id(), 1)
    assert [t.interrupted for t in turns] == [True, False]
    assert turns[0].reply == "One two three four five six seven eight."
    await pipeline.companion.aclose()


@pytest.mark.parametrize(
    ("subtype", "channels", "rate"),
    [("PCM_16", 1, 16_000), ("PCM_U8", 2, 8_000), ("FLOAT", 2, 44_100), ("PCM_32", 1, 48_000)],
)
def test_any_common_wav_becomes_16k_mono(
    tmp_path: Path, subtype: str, channels: int, rate: int
) -> None:
    t = np.arange(rate) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    data = np.stack([tone] * channels, axis=1) if channels > 1 else tone
    path = tmp_path / "in.wav"
    soundfile.write(str(path), data, rate, subtype=subtype)
    clip = read_wav(path)
    assert clip.rate == SAMPLE_RATE
    assert abs(clip.seconds - 1.0) < 0.01
    assert 0.4 < float(np.abs(clip.samples).max()) <= 0.51


def test_bad_audio_files_are_named(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage")
    with pytest.raises(InputError, match="not audio os1 can read"):
        read_wav(corrupt)
    empty = tmp_path / "empty.wav"
    soundfile.write(str(empty), np.zeros(0), 16_000)
    with pytest.raises(InputError, match="holds no sound"):
        read_wav(empty)
    with pytest.raises(InputError, match="no audio file"):
        read_wav(tmp_path / "missing.wav")


# -- through the real speech models -------------------------------------------------


def test_speak_transcribe_and_talk_through_real_speech_models(home: Path, tmp_path: Path) -> None:
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", ["The capital of France is Paris."])}
    question = tmp_path / "q.wav"
    spoken = run_os1("speak", "What is the capital of France?", "-o", str(question), env=env)
    assert spoken.code == 0, spoken.stderr
    heard = run_os1("transcribe", str(question), env=env)
    assert "capital of france" in heard.stdout.lower()
    reply = tmp_path / "r.wav"
    talked = run_os1(
        "talk", "--input", str(question), "--output", str(reply), "--fast", "--json", env=env
    )
    assert talked.code == 0, talked.stderr
    [turn] = [e for e in map(json.loads, talked.stdout.splitlines()) if e["type"] == "spoken_turn"]
    assert "capital of france" in turn["transcript"].lower()
    assert turn["reply"] == "The capital of France is Paris."
    assert turn["timings"]["first_audio_ms"] > 0
    back = run_os1("transcribe", str(reply), env=env)
    assert "the capital of" in back.stdout.lower(), "the reply was spoken into the file"
    history = json.loads(run_os1("history", "--json", env=env).stdout)["turns"]
    assert history[0]["reply"] == "The capital of France is Paris."
    noise = np.random.default_rng(1).standard_normal(16_000 * 3) * 0.3
    square = np.clip(3 * np.sin(2 * np.pi * 200 * np.arange(16_000 * 2) / 16_000), -1, 1)
    for name, samples in [("silence", np.zeros(16_000 * 2)), ("noise", noise), ("clipped", square)]:
        path = tmp_path / f"{name}.wav"
        soundfile.write(str(path), samples.astype(np.float32), 16_000)
        nothing = run_os1("talk", "--input", str(path), "--fast", env=env)
        assert nothing.code == 0, name
        assert "No speech heard" in " ".join(nothing.stderr.split()), name
    bad = run_os1("talk", "--input", str(tmp_path / "nope.wav"), env=env)
    assert bad.code == 1
    assert "no audio file" in bad.stderr


def test_talk_runs_on_the_speech_parts_the_settings_name(tmp_path: Path) -> None:
    question = tmp_path / "q.wav"
    write_wav(question, tone_speech(("quiet", 0.3), ("talk", 1.0), ("quiet", 0.3)))
    env = {
        "OS1_MODEL": write_script(tmp_path / "s.json", ["Paris."]),
        "OS1_STT": "fake:What is the capital?",
        "OS1_TTS": "fake",
        "OS1_VAD": "fake",
    }
    talked = run_os1("talk", "--input", str(question), "--fast", "--json", env=env)
    assert talked.code == 0, talked.stderr
    events = talked.events()
    [final] = [e for e in events if e["type"] == "transcript_final"]
    assert final["text"] == "What is the capital?"
    [committed] = [e for e in events if e["type"] == "turn_committed"]
    assert committed["reply"] == "Paris."
    unknown = run_os1("talk", "--input", str(question), env={**env, "OS1_STT": "nope"})
    assert unknown.code == 1
    assert "No stt called 'nope' is installed" in unknown.stderr
    assert "fake, whisper" in unknown.stderr


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        (
            "How far away is the moon? How faraway is the Moon? How Faraway",
            "How far away is the moon?",
        ),
        ("Is it far? Is it", "Is it far?"),
        ("How are you? However, fine.", "How are you? However, fine."),
        ("I said no. No, really. I meant it.", "I said no. No, really. I meant it."),
    ],
)
def test_a_transcript_that_starts_the_question_over_keeps_it_once(heard: str, meant: str) -> None:
    from os1.voice.stt import _without_restart

    assert _without_restart(heard) == meant
