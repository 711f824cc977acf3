"""Voice-to-voice latency of `os1 talk`, memory on and off, against a naive cascade.

Spoken questions are made here with os1's two natural voices (Piper's joe at
two rates, hibari's heart at two speeds), each clean and again with white
noise at 15 dB SNR. Each is fed at real-time speed, 32 ms at a time, through
``VoicePipeline`` (Silero VAD, Whisper tiny.en, the embedded chat model, the
reply spoken clause by clause), in a conversation read into the model before
the first words, as ``os1 talk`` does with a microphone; the reply voice
alternates between joe and heart.

Each recording is a turn twice, in two conversations of the same process:
with memory on, over a seeded memory of ``SEEDED`` facts (as every user has
it), and right after with memory off, so both meet the same load. Measured
per turn, from the end of the person's speech (the last voiced frame): final
transcript, first token, first reply audio (``v2v``), and the
WER of the transcripts against the texts that were spoken, for the natural
voices clean and noisy. espeak-ng's robotic voice is out of the target and
kept as a robustness set: its recordings are only transcribed
(``wer_espeak``).

The baseline, in the same run on the same recordings and conversation: the
naive cascade — wait for 700 ms of silence, transcribe the whole utterance,
generate the whole reply, synthesise all of it — timed stage by stage. It
uses the same recogniser and model, and its own cached session holding the
whole conversation so far, so it pays only for the new message and its reply.
Last line: ``v2v_p50_ms=<memory on> v2v_p95_ms=<memory on> v2v_p50_nomem_ms=…
naive_p50_ms=… ratio=<p50/naive> wer=<natural, noisy> wer_espeak=…``.

Run: ``.venv/bin/python bench/voice_latency.py [--questions N]`` (about 15
minutes for 20 questions on an idle 2-core machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from os1.app import build
from os1.companion import Companion
from os1.companion.session import Session
from os1.config import load_settings
from os1.llm import GenerationOptions, Message, complete
from os1.memory import Memory
from os1.store.memories import NewMemory
from os1.voice.audio import SAMPLE_RATE, Clip, read_wav, resample
from os1.voice.base import TTS
from os1.voice.pipeline import Timeline, VoicePipeline, file_frames
from os1.voice.stt import WhisperSTT
from os1.voice.tts import HibariTTS, PiperTTS
from os1.voice.vad import SileroVAD

QUESTIONS = [
    "What is a good name for a small black cat?",
    "Can you suggest something warm to cook tonight?",
    "How far away is the moon?",
    "What should I read on a rainy weekend?",
    "Why is the sky blue during the day?",
    "Tell me a short joke about penguins.",
    "How do I make my houseplants happier?",
    "What is the capital of Portugal?",
    "Give me one tip for sleeping better.",
    "What music would you play at a quiet dinner?",
    "How many legs does a spider have?",
    "What is a nice way to start a letter to my sister?",
    "Should I take the train or drive to the coast?",
    "What is your favorite season and why?",
    "How do you say thank you in Italian?",
    "What can I do when I feel nervous before an interview?",
    "Which planet is the largest in our solar system?",
    "What is a good stretch for a stiff neck?",
    "Can you remind me why exercise helps my mood?",
    "What would be a fun thing to do this Saturday?",
]
NAIVE_SILENCE_MS = 700.0
NAIVE_HISTORY = 40
"""The whole conversation, so the prompt prefix is stable and llama.cpp's cache serves it."""
SEEDED = 200
PEOPLE = ["Ana", "Ben", "Chloe", "Dev", "Ema", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kira"]
RELATIONS = ["sister", "brother", "friend", "colleague", "neighbour", "cousin", "aunt", "mentor"]
PLACES = ["Porto", "Lyon", "Leeds", "Kyoto", "Austin", "Gdansk", "Cork", "Perth", "Oslo", "Bari"]
LIKES = [
    "green tea", "jazz records", "long walks", "crime novels", "sourdough", "chess",
    "watercolours", "cycling", "old maps", "board games", "bird watching", "spicy food",
    "podcasts about history", "swimming in the sea", "growing tomatoes", "knitting",
    "stand-up comedy", "vinyl shopping", "hiking", "baking bread",
]  # fmt: skip


def seeded_facts() -> list[NewMemory]:
    """More than ``SEEDED`` distinct facts of the kinds extraction stores, each about its own thing.

    Facts about the same subject that read alike would be merged or superseded
    on the way in, as extracted ones are; each one here has its own subject.
    """
    facts = [NewMemory("identity", "the user", "name", "The user's name is Sam.", 5)]
    facts.append(NewMemory("identity", "the user", "job", "The user works as a nurse.", 5))
    for n, person in enumerate(PEOPLE):
        relation, place = RELATIONS[n % len(RELATIONS)], PLACES[n % len(PLACES)]
        facts.append(
            NewMemory("person", person, "relation", f"{person} is the user's {relation}.", 4)
        )
        facts.append(
            NewMemory("person", f"{person} home", "home", f"{person} lives in {place}.", 3)
        )
        for like in (LIKES[(n + k) % len(LIKES)] for k in range(12)):
            facts.append(
                NewMemory("person", f"{person} {like}", "likes", f"{person} is into {like}.", 2)
            )
    for n, like in enumerate(LIKES):
        place = PLACES[n % len(PLACES)]
        facts.append(NewMemory("preference", like, "likes", f"The user loves {like}.", 3))
        facts.append(
            NewMemory("plan", f"trip {place} {like}", "trip", f"The user hopes to visit {place} "
                      f"one day for the {like}.")
        )  # fmt: skip
        facts.append(
            NewMemory("event", f"{like} club", "club", f"The user joined a {like} club in "
                      f"{2010 + n}.")
        )  # fmt: skip
    return facts


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def edit_distance(a: list[str], b: list[str]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def with_noise(clip: Clip, snr_db: float, seed: int) -> Clip:
    signal = float(np.mean(clip.samples**2))
    noise = np.random.default_rng(seed).standard_normal(len(clip.samples)).astype(np.float32)
    noise *= np.sqrt(signal / (10 ** (snr_db / 10)))
    return Clip(np.clip(clip.samples + noise, -1, 1).astype(np.float32), clip.rate)


def padded(spoken: Clip) -> Clip:
    clip = resample(spoken.samples, spoken.rate, SAMPLE_RATE)
    pad = np.zeros(int(0.4 * SAMPLE_RATE), np.float32)
    return Clip(np.concatenate([pad, clip, pad]), SAMPLE_RATE)


def recordings(count: int) -> list[tuple[str, str, Clip]]:
    """(label, text, clip) for each question in a natural voice, clean and noisy."""
    voices: dict[str, TTS] = {
        "joe@1.0": PiperTTS(rate=1.0),
        "joe@1.15": PiperTTS(rate=1.15),
        "heart@1.0": HibariTTS(rate=1.0),
        "heart@1.1": HibariTTS(rate=1.1),
    }
    names = list(voices)
    made: list[tuple[str, str, Clip]] = []
    for n, text in enumerate(QUESTIONS[:count]):
        label = names[n % len(names)]
        clean = padded(voices[label].synthesize(text))
        made.append((label, text, clean))
        made.append((f"{label}+noise", text, with_noise(clean, 15, n)))
    return made


def espeak_recordings(folder: Path, count: int) -> list[tuple[str, str, Clip]]:
    """The robustness set: espeak-ng's robotic voice, clean and noisy (empty without espeak-ng)."""
    espeak = shutil.which("espeak-ng")
    made: list[tuple[str, str, Clip]] = []
    for n, text in enumerate(QUESTIONS[:count] if espeak else []):
        path = folder / f"espeak{n}.wav"
        subprocess.run([str(espeak), "-v", "en-us", "-s", "160", "-w", str(path), text], check=True)
        clean = padded(read_wav(path))
        made.append(("espeak-ng", text, clean))
        made.append(("espeak-ng+noise", text, with_noise(clean, 15, n)))
    return made


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Tally:
    """Word errors, split by clean and noisy recordings."""

    def __init__(self) -> None:
        self.errors = {"clean": 0, "noisy": 0}
        self.total = {"clean": 0, "noisy": 0}

    def add(self, label: str, text: str, heard: str) -> int:
        kind = "noisy" if "noise" in label else "clean"
        wrong = edit_distance(words(text), words(heard))
        self.errors[kind] += wrong
        self.total[kind] += len(words(text))
        return wrong

    def wer(self, kind: str | None = None) -> float:
        kinds = [kind] if kind else list(self.errors)
        return sum(self.errors[k] for k in kinds) / max(1, sum(self.total[k] for k in kinds))


async def naive_turn(
    companion: Companion, stt: WhisperSTT, tts: TTS, clip: Clip, conv: int
) -> float:
    """The naive cascade on one utterance, in ms to first audio."""
    started = time.perf_counter()
    heard = await asyncio.to_thread(stt.transcribe, clip.samples)
    history = await companion.history(conv)
    messages = [Message("system", "You are os1, a warm companion. Answer briefly.")]
    for past in history[:-1][-NAIVE_HISTORY:]:
        messages += [Message("user", past.user_text), Message("assistant", past.reply)]
    messages.append(Message("user", heard))
    reply = await complete(
        companion.llm, messages, GenerationOptions(max_tokens=80, temperature=0, session="naive")
    )
    await asyncio.to_thread(tts.synthesize, reply or "Okay.")
    return NAIVE_SILENCE_MS + (time.perf_counter() - started) * 1000


@dataclass
class Pass:
    """One way of running the turns (memory on or off): its conversation and its figures."""

    memory: Memory | None
    conversation: int
    tally: Tally
    v2v: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    by_voice: dict[str, list[float]] = field(default_factory=dict)


async def spoken_turn(
    companion: Companion,
    run: Pass,
    recording: tuple[str, str, Clip],
    stt: WhisperSTT,
    voice: tuple[str, TTS],
) -> str:
    """One recording as a spoken turn in the pass's conversation; a line for the log."""
    label, text, clip = recording
    companion.memory = run.memory
    sink = Timeline()
    session = Session(companion, "me", run.conversation)
    pipeline = VoicePipeline(session, stt, voice[1], SileroVAD(), sink, idle=False)
    await pipeline.run(file_frames(clip, realtime=True, until=sink.busy))
    if not pipeline.turns:
        return f"heard nothing: {text}"
    turn = pipeline.turns[0]
    for stage in ("turn_end_ms", "transcript_ms", "first_token_ms", "first_audio_ms"):
        if stage in turn.timings:
            run.stages.setdefault(stage, []).append(turn.timings[stage])
    run.v2v.append(turn.timings.get("first_audio_ms", float("nan")))
    run.by_voice.setdefault(voice[0], []).append(run.v2v[-1])
    wrong = run.tally.add(label, text, turn.transcript)
    return f"v2v {run.v2v[-1]:6.0f} ms  wer {wrong}/{len(words(text))}  {turn.transcript!r}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="os1-voice-bench-"))
    for key in [k for k in os.environ if k.startswith("OS1_") and k != "OS1_MODELS_DIR"]:
        del os.environ[key]
    os.environ |= {
        "OS1_HOME": str(root / "home"),
        "OS1_TEMPERATURE": "0",
        "OS1_INTERVIEW": "false",
        "OS1_MAX_REPLY_TOKENS": "80",
        "OS1_PARALLEL_CONVERSATIONS": "3",  # memory on, memory off, and the naive cascade
    }
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    clips = recordings(args.questions)
    robots = espeak_recordings(root, args.questions // 2)
    print(f"{len(clips)} natural recordings, {sum(c.seconds for _, _, c in clips):.0f} s of speech")
    companion = build(load_settings())
    assert companion.memory is not None, "memory is on by default"
    user = await companion.user_id()
    await companion.memory.note(user, seeded_facts())
    stored = len(await asyncio.to_thread(companion.memory.store.records, user))
    print(f"memory seeded with {stored} facts")
    assert stored >= SEEDED, f"only {stored} facts were stored"
    stt = WhisperSTT(threads=2)
    speakers: dict[str, TTS] = {"joe": PiperTTS(), "heart": HibariTTS()}
    await companion.warm_up()
    naive: list[float] = []
    natural, plain = Tally(), Tally()
    try:
        # Memory on and off take turns on each recording, each in its own conversation,
        # so both meet the same load on a machine that is not idle.
        on = Pass(companion.memory, await companion.new_conversation(), natural)
        off = Pass(None, await companion.new_conversation(), plain)
        for run in (on, off):  # as `os1 talk` does before it says it is listening
            companion.memory = run.memory
            await companion.listen_ahead(run.conversation)
        for n, recording in enumerate(clips):
            voice = list(speakers.items())[n // 2 % len(speakers)]
            shown = [await spoken_turn(companion, run, recording, stt, voice) for run in (on, off)]
            companion.memory = on.memory
            naive.append(
                await naive_turn(companion, stt, speakers["joe"], recording[2], on.conversation)
            )
            print(
                f"  {recording[0]:<16} {voice[0]:<6} naive {naive[-1]:6.0f} ms\n"
                f"    memory on:  {shown[0]}\n    memory off: {shown[1]}"
            )
    finally:
        await companion.aclose()
    robust = Tally()
    for label, text, clip in robots:
        robust.add(label, text, await asyncio.to_thread(stt.transcribe, clip.samples))
    print(f"\n{'stage (ms after speech), memory on':<36} {'p50':>7} {'p95':>7}")
    for stage, values in on.stages.items():
        print(f"{stage:<36} {pct(values, 50):>7.0f} {pct(values, 95):>7.0f}")
    for name in speakers:
        with_memory, without = on.by_voice.get(name, []), off.by_voice.get(name, [])
        if with_memory and without:
            row = f"first audio p50, {name}, memory on/off"
            print(f"{row:<36} {pct(with_memory, 50):>7.0f} {pct(without, 50):>7.0f}")
    print(f"{'first audio, memory off':<36} {pct(off.v2v, 50):>7.0f} {pct(off.v2v, 95):>7.0f}")
    print(f"{'naive cascade, first audio':<36} {pct(naive, 50):>7.0f} {pct(naive, 95):>7.0f}")
    print(
        f"WER natural voices: clean {natural.wer('clean'):.3f}, noisy {natural.wer('noisy'):.3f}; "
        f"espeak-ng (robustness, out of target): clean {robust.wer('clean'):.3f}, "
        f"noisy {robust.wer('noisy'):.3f}"
    )
    p50 = statistics.median(on.v2v)
    print(
        f"v2v_p50_ms={p50:.0f} v2v_p95_ms={pct(on.v2v, 95):.0f} "
        f"v2v_p50_nomem_ms={statistics.median(off.v2v):.0f} naive_p50_ms={pct(naive, 50):.0f} "
        f"ratio={p50 / pct(naive, 50):.2f} wer={natural.wer('noisy'):.3f} "
        f"wer_espeak={robust.wer():.3f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
