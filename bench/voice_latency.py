"""Voice-to-voice latency of `os1 talk` on the embedded models, against a naive cascade.

Twenty spoken questions are generated here: ten with the Piper voice (two
speaking rates) and ten with espeak-ng, each clean and again with white noise
at 15 dB SNR (40 recordings). Each is fed at real-time speed, 32 ms at a time,
through ``VoicePipeline`` (Silero VAD, Whisper tiny.en, the embedded chat model,
clause-by-clause Piper), all in one conversation, as ``os1 talk --input`` does.
Measured per turn, from the end of the person's speech (the last voiced frame):
final transcript, first token, first reply audio (``v2v``), and the WER of the
transcripts against the texts that were spoken.

The baseline, in the same run on the same recordings and conversation: the
naive cascade — wait for 700 ms of silence, transcribe the whole utterance,
generate the whole reply, synthesise all of it — timed stage by stage. It
uses the same recogniser and model, and its own cached session holding the
whole conversation so far, so it pays only for the new message and its reply
(a sliding window of recent turns would change the prompt's start each turn
and make the baseline look several seconds slower than it need be).
Last line: ``v2v_p50_ms=… v2v_p95_ms=… naive_p50_ms=… ratio=… wer=…``.

Run: ``.venv/bin/python bench/voice_latency.py [--questions N]`` (about 8 minutes).
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
from pathlib import Path

import numpy as np

from os1.app import build
from os1.companion.session import Session
from os1.config import load_settings
from os1.llm import GenerationOptions, Message, complete
from os1.voice.audio import SAMPLE_RATE, Clip, read_wav, resample
from os1.voice.pipeline import Timeline, VoicePipeline, file_frames
from os1.voice.stt import WhisperSTT
from os1.voice.tts import PiperTTS
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


def recordings(folder: Path, count: int) -> list[tuple[str, str, Clip]]:
    """(label, text, clip) for each question: Piper or espeak-ng, clean and noisy."""
    piper = {rate: PiperTTS(rate=rate) for rate in (1.0, 1.15)}
    espeak = shutil.which("espeak-ng")
    made: list[tuple[str, str, Clip]] = []
    for n, text in enumerate(QUESTIONS[:count]):
        if n % 2 == 0 or espeak is None:
            rate = 1.0 if n % 4 == 0 else 1.15
            spoken = piper[rate].synthesize(text)
            label = f"piper@{rate}"
        else:
            path = folder / f"q{n}.wav"
            subprocess.run([espeak, "-v", "en-us", "-s", "160", "-w", str(path), text], check=True)
            spoken = read_wav(path)
            label = "espeak-ng"
        clip = Clip(resample(spoken.samples, spoken.rate, SAMPLE_RATE), SAMPLE_RATE)
        pad = np.zeros(int(0.4 * SAMPLE_RATE), np.float32)
        clean = Clip(np.concatenate([pad, clip.samples, pad]), SAMPLE_RATE)
        made.append((label, text, clean))
        made.append((f"{label}+noise", text, with_noise(clean, 15, n)))
    return made


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


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
        "OS1_MEMORY": "false",
        "OS1_MAX_REPLY_TOKENS": "80",
    }
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    clips = recordings(root, args.questions)
    print(f"{len(clips)} recordings, {sum(c.seconds for _, _, c in clips):.0f} s of speech")
    companion = build(load_settings())
    stt, tts = WhisperSTT(threads=2), PiperTTS()
    await companion.warm_up()
    conversation = await companion.new_conversation()
    v2v: list[float] = []
    naive: list[float] = []
    stages: dict[str, list[float]] = {}
    errors = total = 0
    noisy_errors = noisy_total = 0
    try:
        for label, text, clip in clips:
            sink = Timeline()
            session = Session(companion, "me", conversation)
            pipeline = VoicePipeline(session, stt, tts, SileroVAD(), sink, idle=False)
            await pipeline.run(file_frames(clip, realtime=True, until=sink.busy))
            if not pipeline.turns:
                print(f"  {label:<16} heard nothing: {text}")
                continue
            turn = pipeline.turns[0]
            for stage in ("turn_end_ms", "transcript_ms", "first_token_ms", "first_audio_ms"):
                if stage in turn.timings:
                    stages.setdefault(stage, []).append(turn.timings[stage])
            v2v.append(turn.timings.get("first_audio_ms", float("nan")))
            wrong = edit_distance(words(text), words(turn.transcript))
            errors, total = errors + wrong, total + len(words(text))
            if "noise" in label:
                noisy_errors, noisy_total = noisy_errors + wrong, noisy_total + len(words(text))
            # The naive cascade on the same utterance and conversation.
            started = time.perf_counter()
            heard = await asyncio.to_thread(stt.transcribe, clip.samples)
            history = await companion.history(conversation)
            messages = [Message("system", "You are os1, a warm companion. Answer briefly.")]
            for past in history[:-1][-NAIVE_HISTORY:]:
                messages += [Message("user", past.user_text), Message("assistant", past.reply)]
            messages.append(Message("user", heard))
            reply = await complete(
                companion.llm,
                messages,
                GenerationOptions(max_tokens=80, temperature=0, session="naive"),
            )
            await asyncio.to_thread(tts.synthesize, reply or "Okay.")
            naive.append(NAIVE_SILENCE_MS + (time.perf_counter() - started) * 1000)
            print(
                f"  {label:<16} v2v {v2v[-1]:7.0f} ms  naive {naive[-1]:7.0f} ms  "
                f"wer {wrong}/{len(words(text))}  heard: {turn.transcript!r}"
            )
    finally:
        await companion.aclose()
    print(f"\n{'stage (ms after end of speech)':<34} {'p50':>7} {'p95':>7}")
    for stage, values in stages.items():
        print(f"{stage:<34} {pct(values, 50):>7.0f} {pct(values, 95):>7.0f}")
    print(f"{'naive cascade, first audio':<34} {pct(naive, 50):>7.0f} {pct(naive, 95):>7.0f}")
    wer = errors / max(1, total)
    print(f"WER all {wer:.3f}, noisy {noisy_errors / max(1, noisy_total):.3f}")
    p50 = statistics.median(v2v)
    print(
        f"v2v_p50_ms={p50:.0f} v2v_p95_ms={pct(v2v, 95):.0f} naive_p50_ms={pct(naive, 50):.0f} "
        f"ratio={p50 / pct(naive, 50):.2f} wer={wer:.3f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
