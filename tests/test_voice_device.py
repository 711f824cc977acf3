"""`os1 talk` through a live microphone and speaker: PortAudio on a virtual PulseAudio device.

Each test starts its own user-mode PulseAudio daemon in a temporary runtime
folder, with a null sink as the speaker and a second null sink whose monitor
is the microphone, fed by `paplay`; `parecord` records what os1 said. os1
reaches them through PortAudio's ALSA host and the ALSA pulse plugin, as it
would on a desktop. Skipped, with the reason, only where PulseAudio is not
installed (scripts/system-deps.sh installs it).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile
from tests.conftest import run_os1, write_script

from os1.voice.audio import SAMPLE_RATE, Clip, resample, write_wav
from os1.voice.tts import PiperTTS

pytestmark = pytest.mark.skipif(
    shutil.which("pulseaudio") is None or shutil.which("paplay") is None,
    reason="PulseAudio is not installed (scripts/system-deps.sh installs pulseaudio and "
    "pulseaudio-utils)",
)

CONFIG = """
load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
load-module module-null-sink sink_name=speaker rate=22050 channels=1
load-module module-null-sink sink_name=micfeed rate=16000 channels=1
load-module module-remap-source master=micfeed.monitor source_name=mic
set-default-sink speaker
set-default-source mic
"""
LONG_REPLY = (
    "The capital of France is Paris, a lovely old city on the river Seine. It has wide "
    "streets, small cafes and many bridges. People walk along the river in the evening, "
    "and the lights come on one by one."
)


@dataclass
class Pulse:
    """A running PulseAudio daemon and the environment that reaches it."""

    env: dict[str, str]
    daemon: subprocess.Popen[bytes]

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            args, env={**os.environ, **self.env}, capture_output=True, check=False
        )

    def recording(self, source: str) -> bool:
        """Whether some client records from ``source`` now."""
        listed = self.run("pactl", "list", "short", "source-outputs").stdout.decode()
        sources = self.run("pactl", "list", "short", "sources").stdout.decode()
        index = [line.split("\t")[0] for line in sources.splitlines() if f"\t{source}\t" in line]
        return any(line.split("\t")[1] in index for line in listed.splitlines() if "\t" in line)


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[Pulse]:
    runtime = tmp_path / "pulse"
    runtime.mkdir(mode=0o700)
    config = tmp_path / "os1-test.pa"
    config.write_text(CONFIG.format(socket=runtime / "native"), encoding="utf-8")
    env = {
        "PULSE_SERVER": f"unix:{runtime / 'native'}",
        "XDG_RUNTIME_DIR": str(runtime),
        "PULSE_RUNTIME_PATH": str(runtime),
        "PULSE_STATE_PATH": str(runtime / "state"),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    log = (tmp_path / "pulse.log").open("wb")
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "-F", str(config), "--daemonize=no", "--exit-idle-time=-1",
         "--use-pid-file=no", "--log-target=stderr"],
        env={**os.environ, **env}, stdout=log, stderr=log,
    )  # fmt: skip
    made = Pulse(env, daemon)
    deadline = time.monotonic() + 15
    while made.run("pactl", "info").returncode != 0:
        if daemon.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"PulseAudio did not start: {(tmp_path / 'pulse.log').read_text()}")
        time.sleep(0.1)
    try:
        yield made
    finally:
        if daemon.poll() is None:
            daemon.terminate()
            try:
                daemon.wait(5)
            except subprocess.TimeoutExpired:
                daemon.kill()
        log.close()


def speech(*parts: str | float) -> Clip:
    """Piper saying each string, with silences (floats, seconds) between, at 16 kHz."""
    voice = PiperTTS()
    chunks = []
    for part in parts:
        if isinstance(part, str):
            clip = voice.synthesize(part)
            chunks.append(resample(clip.samples, clip.rate, SAMPLE_RATE))
        else:
            chunks.append(np.zeros(int(part * SAMPLE_RATE), np.float32))
    return Clip(np.concatenate(chunks), SAMPLE_RATE)


def lines_of(stream: object) -> queue.Queue[str]:
    """The lines a pipe prints, read in a thread so a test can wait with a deadline."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for raw in stream:  # type: ignore[attr-defined]
            lines.put(raw.decode("utf-8", "replace"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_a_spoken_turn_and_barge_in_through_a_live_microphone_and_a_device_that_goes(
    pulse: Pulse, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.wav"
    write_wav(
        feed, speech(0.5, "What is the capital of France?", 4.5, "Tell me a joke instead.", 4.0)
    )
    env = {
        **pulse.env,
        "OS1_MODEL": write_script(tmp_path / "s.json", [LONG_REPLY, "Why did the cat sit?"]),
        "OS1_TTS": "piper",
        "OS1_INPUT_DEVICE": "pulse",
        "OS1_OUTPUT_DEVICE": "pulse",
    }
    talk = subprocess.Popen(
        [sys.executable, "-m", "os1", "talk", "--json"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    errors = lines_of(talk.stderr)
    events: list[dict[str, object]] = []
    try:
        out = lines_of(talk.stdout)
        deadline = time.monotonic() + 60
        while not pulse.recording("mic"):
            assert talk.poll() is None, "".join(errors.queue)
            assert time.monotonic() < deadline, "os1 never opened the microphone"
            time.sleep(0.2)
        said = tmp_path / "said.wav"
        recorder = subprocess.Popen(
            ["parecord", "--device=speaker.monitor", "--file-format=wav", str(said)],
            env={**os.environ, **pulse.env},
        )
        assert pulse.run("paplay", "--device=micfeed", str(feed)).returncode == 0
        while not any("joke" in str(e.get("transcript", "")).lower() for e in events):
            assert time.monotonic() < deadline + 90, (events, "".join(errors.queue)[-2000:])
            try:
                line = out.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("{"):
                events.append(json.loads(line))
        recorder.terminate()
        recorder.wait(5)

        first, *_, second = [e for e in events if e["type"] == "spoken_turn"]
        assert "capital of france" in str(first["transcript"]).lower()
        assert first["interrupted"], "the person cut in while os1 spoke"
        assert any(e["type"] == "interrupted" for e in events)
        assert 0 < len(str(first["reply"])) < len(LONG_REPLY), "only what was heard is kept"
        assert "joke" in str(second["transcript"]).lower()
        played = soundfile.read(str(said), dtype="float32")[0]
        assert np.count_nonzero(np.abs(played) > 0.05) > 22_050 // 2, "os1 was heard aloud"

        pulse.daemon.kill()  # the sound server, and with it both devices, goes away
        talk.wait(30)
    finally:
        if talk.poll() is None:
            talk.kill()
            talk.wait(10)
    talk.stdout.close()  # type: ignore[union-attr]
    talk.stderr.close()  # type: ignore[union-attr]
    stderr = " ".join("".join(errors.queue).split())
    assert talk.returncode == 1, stderr
    assert "microphone went away" in stderr or "stopped sending sound" in stderr
    history = json.loads(run_os1("history", "--json", env=env).stdout)["turns"]
    assert history[0]["interrupted"], "nothing said was lost"
    assert "joke" in history[-1]["user_text"].lower()
    assert history[0]["reply"] == first["reply"]


def heard_until_quiet(raw: Path, sound_s: float, quiet_s: float, deadline: float) -> None:
    """Wait until ``raw`` (16 kHz s16 from the speaker) spans ``sound_s`` of speech, then quiet."""
    while time.monotonic() < deadline:
        data = np.frombuffer(raw.read_bytes(), dtype="<i2") if raw.exists() else np.zeros(0)
        loud = np.flatnonzero(np.abs(data.astype(np.float32)) > 1000)
        spoken = loud[-1] - loud[0] if len(loud) else 0
        if spoken > sound_s * SAMPLE_RATE and len(data) - loud[-1] > quiet_s * SAMPLE_RATE:
            return
        time.sleep(0.2)
    pytest.fail("os1 did not finish speaking")


def test_the_first_talk_aloud_asks_which_voice_and_keeps_the_answer(
    pulse: Pulse, tmp_path: Path, home: Path
) -> None:
    answer, question = tmp_path / "answer.wav", tmp_path / "question.wav"
    write_wav(answer, speech(0.3, "The second one, please.", 2.0))
    write_wav(question, speech(0.3, "What is the capital of France?", 2.0))
    env = {
        **pulse.env,
        "OS1_MODEL": write_script(tmp_path / "s.json", ["Paris, of course."]),
        "OS1_INPUT_DEVICE": "pulse",
        "OS1_OUTPUT_DEVICE": "pulse",
    }
    raw = tmp_path / "said.raw"
    recorder = subprocess.Popen(
        ["parec", "--device=speaker.monitor", "--format=s16le", "--rate=16000", "--channels=1",
         str(raw)],
        env={**os.environ, **pulse.env},
    )  # fmt: skip
    talk = subprocess.Popen(
        [sys.executable, "-m", "os1", "talk", "--json"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    errors, out = lines_of(talk.stderr), lines_of(talk.stdout)
    try:
        deadline = time.monotonic() + 180
        heard_until_quiet(raw, 4.0, 1.0, deadline)  # a line in each voice, then the question
        assert pulse.run("paplay", "--device=micfeed", str(answer)).returncode == 0
        assert pulse.run("paplay", "--device=micfeed", str(question)).returncode == 0
        while not any('"spoken_turn"' in line for line in out.queue):
            assert talk.poll() is None, "".join(errors.queue)
            assert time.monotonic() < deadline, "".join(errors.queue)
            time.sleep(0.2)
    finally:
        talk.kill()
        talk.wait(10)
        recorder.terminate()
        recorder.wait(5)
        talk.stdout.close()  # type: ignore[union-attr]
        talk.stderr.close()  # type: ignore[union-attr]
    assert "now speaks as heart" in "".join(errors.queue)
    [turn] = [json.loads(line) for line in out.queue if '"spoken_turn"' in line]
    assert "capital of france" in turn["transcript"].lower()
    listed = run_os1("voices", "list", env=env).stdout
    assert "* heart" in listed, "the choice is kept for next time"
