"""``os1 talk``, ``os1 transcribe``, ``os1 speak`` and ``os1 voices``: the voice front door."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import typer

from os1.app import Voice, build_voice
from os1.cli.runtime import err, friendly_errors, open_session, out, run
from os1.config import Settings, load_settings, resolve_paths, save_setting, setting_sources
from os1.errors import InputError
from os1.events import (
    ErrorEvent,
    Event,
    Interrupted,
    Notice,
    ReplyAudioStarted,
    TranscriptFinal,
    TranscriptPartial,
)
from os1.files import atomic_path, check_writable, inside
from os1.terminal import clean, escaped, inert_json
from os1.voice import tts
from os1.voice.audio import Samples, read_wav, write_wav, write_wav_stream
from os1.voice.base import TTS
from os1.voice.choice import Offered, ask
from os1.voice.pipeline import Sink, Timeline, VoicePipeline, file_frames
from os1.voice.registry import create_stt, create_tts
from os1.voice.speaker import Speaker, microphone_frames

voices_app = typer.Typer(help="Choose the voice os1 speaks with.", no_args_is_help=True)


def installed_voices() -> dict[str, tts.VoiceChoice]:
    """Every voice os1 can speak with now, by name."""
    with friendly_errors():
        return tts.installed_voices(resolve_paths().data_dir)


SAMPLE_TEXT = "Hello, I'm os1. This is how I sound when we talk."


@voices_app.command("list")
def voices_list(
    sample: Annotated[
        Path | None,
        typer.Option("--sample", help="Write a sample of each voice into this folder (NAME.wav)."),
    ] = None,
    play: Annotated[bool, typer.Option("--play", help="Play a sample of each voice.")] = False,
) -> None:
    """The voices installed, the one in use marked; with samples to hear them."""
    settings = load_settings()
    speaker: Speaker | None = None
    for name, voice in installed_voices().items():
        current = name == settings.voice or str(voice.path) == settings.voice
        mark = "*" if current and voice.engine == settings.tts else " "
        out.print(f"{mark} {escaped(name)}  [dim]{escaped(voice.about)}[/]")
        if sample is None and not play:
            continue
        with friendly_errors():
            clip = voice_part(voice, settings.speech_rate).synthesize(SAMPLE_TEXT)
            if sample is not None:
                sample.mkdir(parents=True, exist_ok=True)
                target = inside(sample, name, ".wav")
                with atomic_path(target) as partial:
                    write_wav(partial, clip)
                out.print(f"    [dim]{escaped(str(target))}[/]")
            if play:
                speaker = speaker or Speaker(settings.output_device)
                speaker.play(clip, SAMPLE_TEXT)
                while speaker.busy():
                    time.sleep(0.05)


def voice_part(voice: tts.VoiceChoice, rate: float = 1.0) -> TTS:
    """The synthesiser for one voice of the list."""
    if voice.engine == tts.HIBARI:
        return tts.HibariTTS(voice.name, rate)
    return tts.PiperTTS(voice.path, rate)


@voices_app.command("use")
def voices_use(
    voice: Annotated[
        str, typer.Argument(help="A name from `os1 voices list`, or a Piper .onnx path.")
    ],
    rate: Annotated[float | None, typer.Option(help="Speaking rate, 0.5 to 2.")] = None,
) -> None:
    """Speak with this voice from now on."""
    with friendly_errors():
        choice = tts.chosen_voice(voice, resolve_paths().data_dir)
        voice_part(choice)  # refuse a voice that does not load
        if rate is not None and not 0.5 <= rate <= 2.0:
            raise InputError("The rate must be between 0.5 and 2.")
        save_voice(choice)
        if rate is not None:
            save_setting("speech_rate", str(rate))
    out.print(f"os1 now speaks as {escaped(choice.name)}.")


def save_voice(choice: tts.VoiceChoice) -> None:
    """Remember the voice and the engine that runs it."""
    save_setting("tts", choice.engine)
    listed = choice.name in installed_voices()
    save_setting("voice", choice.name if listed or choice.path is None else str(choice.path))


def transcribe(
    file: Annotated[Path, typer.Argument(help="A sound file (WAV and others).")],
) -> None:
    """Print what is said in a recording."""
    with friendly_errors():
        clip = read_wav(file)
        text = create_stt(load_settings(), resolve_paths()).transcribe(clip.samples)
    out.print(escaped(text) if text else "[dim](no speech heard)[/]")


def speak(
    text: Annotated[str, typer.Argument(help="What to say.")],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The WAV file to write (0600); '-' for standard output."
        ),
    ],
) -> None:
    """Say ``text`` in os1's voice, into a WAV file."""
    settings = load_settings()
    to_stdout = str(output) == "-"
    with friendly_errors():
        if not text.strip():
            raise InputError("Nothing to say.", 'Give the text, as in `os1 speak "hello"`.')
        check_speech_target(output)
        voice = create_tts(settings, resolve_paths())
        if to_stdout:
            with tempfile.TemporaryDirectory(prefix="os1-speech-") as scratch:
                wav = Path(scratch) / "speech.wav"
                write_wav_stream(wav, tts.speech(voice, text))
                with wav.open("rb") as sound:
                    shutil.copyfileobj(sound, sys.stdout.buffer)
                sys.stdout.flush()
            return
        with atomic_path(output) as partial:
            write_wav_stream(partial, tts.speech(voice, text))
    out.print(clean(str(output)), markup=False)


def check_speech_target(output: Path) -> None:
    """Refuse, before any speech is made, a place a WAV file cannot or should not go."""
    if str(output) == "-":
        if sys.stdout.isatty():
            raise InputError(
                "`-o -` writes the WAV file to standard output, which is this terminal.",
                "Send it on (`-o - | aplay`, `-o - > hello.wav`) or give a file name.",
            )
        return
    check_writable(output)
    if output.suffix.lower() != ".wav":
        raise InputError(
            f"os1 writes speech as WAV only, and {output.name!r} does not end in .wav.",
            "Give a file name ending in .wav (convert it afterwards if you need another format).",
        )


def first_time_aloud(settings: Settings) -> bool:
    """Whether the person has never chosen a voice (nor set one in the config or environment)."""
    sources = setting_sources(settings)
    return sources["tts"] == "default" and sources["voice"] == "default"


async def _choose_voice(
    frames: AsyncIterator[Samples], voice: Voice, sink: Sink, settings: Settings
) -> TTS:
    """Let the person hear each voice and pick one aloud; the voice os1 speaks with afterwards."""
    voices = installed_voices()
    current = tts.chosen_voice(settings.voice, resolve_paths().data_dir)
    others = [v for name, v in voices.items() if name != current.name]
    offered = [Offered(current.name, voice.tts)]
    offered += [Offered(v.name, voice_part(v, settings.speech_rate)) for v in others[:1]]
    picked = await ask(frames, offered, voice.stt, voice.vad, sink) if len(offered) > 1 else None
    chosen = [current, *others][picked or 0]
    save_voice(chosen)
    if picked is None:
        err.print(
            f"[dim](Keeping the voice {escaped(chosen.name)}; `os1 voices use` changes it.)[/]"
        )
    else:
        err.print(f"[dim](os1 now speaks as {escaped(chosen.name)}.)[/]")
    return offered[picked or 0].tts


def _show(event: Event, as_json: bool) -> None:
    """Print one event of a spoken turn: a JSON line, or a line for a person to read."""
    if as_json:
        sys.stdout.write(inert_json(event.to_json()) + "\n")
        sys.stdout.flush()
    elif isinstance(event, TranscriptFinal):
        out.print(f"[bold cyan]you[/] > {escaped(event.text)}")
    elif isinstance(event, TranscriptPartial):
        err.print(f"[dim]… {escaped(event.text)}[/]")
    elif isinstance(event, ReplyAudioStarted):
        out.print(f"[bold magenta]os1[/] > {escaped(event.text)}")
    elif isinstance(event, Interrupted):
        err.print("[dim](interrupted)[/]")
    elif isinstance(event, Notice):
        err.print(f"[dim]({escaped(event.message)})[/]")
    elif isinstance(event, ErrorEvent):
        err.print(f"[bold red]error:[/] {escaped(event.message)}")


def talk(
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="Listen to this recording instead of the microphone."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the spoken replies to this WAV file.")
    ] = None,
    fast: Annotated[
        bool, typer.Option("--fast", help="Feed --input as fast as possible, not in real time.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Talk with os1 out loud: it listens, answers as it thinks, and stops when you cut in."""
    settings = load_settings()
    with friendly_errors():
        if output is not None:
            if str(output) == "-":
                raise InputError("`talk --output` needs a file name.", "Give one ending in .wav.")
            check_speech_target(output)
        clip = read_wav(input_file) if input_file is not None else None
        voice = build_voice(settings)
        session = open_session()
    loop = asyncio.new_event_loop()
    sink: Timeline | Speaker
    try:
        with friendly_errors():
            sink = Timeline() if clip is not None else Speaker(settings.output_device)
        pipeline = VoicePipeline(
            session, voice.stt, voice.tts, voice.vad, sink, on_event=lambda e: _show(e, as_json)
        )
        frames: AsyncIterator[Samples]
        if clip is not None:
            frames = file_frames(clip, realtime=not fast, until=sink.busy)
        else:
            frames = microphone_frames(settings.input_device)
            if first_time_aloud(settings):
                with friendly_errors():
                    pipeline.tts = run(loop, _choose_voice(frames, voice, sink, settings))
            with friendly_errors():  # the model and what it remembers, before the first words
                run(loop, session.mind.warm_up())
                run(loop, session.mind.listen_ahead(run(loop, session.conversation())))
            err.print("[dim]Listening. Speak any time; Ctrl-C leaves.[/]")
        started = time.perf_counter()
        with friendly_errors():
            run(loop, session.mind.warm_up())
            run(loop, pipeline.run(frames))
    except KeyboardInterrupt:
        err.print()
    finally:
        loop.run_until_complete(session.close())
        loop.run_until_complete(session.mind.aclose())
        loop.close()
    if isinstance(sink, Timeline) and output is not None:
        with friendly_errors(), atomic_path(output) as partial:
            write_wav(partial, sink.audio())
    if not pipeline.turns and clip is not None:
        err.print(f"[yellow]No speech heard in {clip.seconds:.1f} s of audio.[/]")
    elif not as_json:
        err.print(f"[dim]{len(pipeline.turns)} turns in {time.perf_counter() - started:.1f} s[/]")
