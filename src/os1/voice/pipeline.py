"""The voice pipeline: audio in → VAD → STT → companion turn → clauses → TTS → audio out.

Audio arrives in 32 ms frames (from a microphone, or a file fed at real-time
speed or as fast as possible). While the person speaks, the utterance is
transcribed every half second in the background, so that text is on screen
as they talk, and the words so far are read into the model's cache
(``Companion.anticipate``). At the first short pause the final transcription
starts and, with it, the reply itself; if the person goes on, that early
reply is withdrawn unheard, and when the VAD calls the end of the turn the
turn takes it over. The reply is spoken clause by clause while the rest is
still being generated, and once it is all made, while it still plays, the
conversation with this exchange (and, with memory on, the facts it calls up
for the next turn) is read into the model's cache. Speaking over os1 (barge-in) stops
playback and generation at once; the turn is committed as interrupted with
only the words that were actually played.

Every stage is reported as an ``os1.events`` record through ``on_event``
(speech started and ended, partial and final transcripts, the companion's
own turn events, reply audio started and stopped, interrupted, and a
``SpokenTurn`` with the timings), so a voice front door speaks the same
vocabulary as a text one.

Every stage is timed relative to the end of the person's speech (the last
voiced frame), and each turn's figures come back in ``VoiceTurn.timings``:
``turn_end_ms`` (the VAD called the end), ``transcript_ms`` (the transcript
the reply answers was ready: usually before the turn's end, made at the
pause), ``first_token_ms``, ``first_audio_ms`` and ``reply_done_ms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from os1.companion import Companion
from os1.companion.session import Session
from os1.errors import Os1Error
from os1.events import (
    Event,
    Interrupted,
    Notice,
    ReplyAudioStarted,
    ReplyAudioStopped,
    SpeechEnded,
    SpeechStarted,
    SpokenTurn,
    TokenDelta,
    TranscriptFinal,
    TranscriptPartial,
    TurnCommitted,
)
from os1.voice.audio import SAMPLE_RATE, Clip, Samples, resample
from os1.voice.base import STT, TTS, VAD
from os1.voice.clauses import Clauses
from os1.voice.vad import FRAME, Turns

PARTIAL_EVERY_S = 0.5
EARLY_FINAL_MS = 128
"""After this much silence the final transcription and the reply start, before the turn ends.

Whisper tiny.en needs the fading end of the last word: on 120 synthetic
questions, cutting the audio 96 ms after the last voiced frame gave a WER of
0.170, 128 ms gave 0.143 (the whole clip: 0.140)."""
PRE_ROLL_FRAMES = 16
"""Audio kept from before the VAD called the start (512 ms): the VAD needs 160 ms of
speech to be sure, and Whisper misreads a first word it hears without its onset
(WER 0.232 with 256 ms of pre-roll, 0.170 with 512 ms, on the same questions)."""


class Sink(Protocol):
    """Where reply audio goes: a speaker, or a file's timeline."""

    def play(self, clip: Clip, text: str) -> None:
        """Queue ``clip`` (saying ``text``) after what is already playing."""
        ...

    def stop(self) -> None:
        """Stop at once, dropping what is queued (barge-in)."""
        ...

    def heard(self) -> str:
        """The text of the clips played so far in this reply, even partly."""
        ...

    def busy(self) -> bool:
        """Whether audio is still playing."""
        ...

    def new_reply(self) -> None:
        """Start counting what is heard of a new reply."""
        ...


@dataclass
class _EarlyFinal:
    """The transcript made at the first pause: when it started, and (text, ready at)."""

    started: float
    result: asyncio.Future[tuple[str, float]]


@dataclass
class VoiceTurn:
    """One spoken exchange."""

    transcript: str
    reply: str = ""
    interrupted: bool = False
    timings: dict[str, float] = field(default_factory=dict)


class Listener:
    """Frames in, utterances out: the VAD with a little audio kept from before speech began."""

    def __init__(self, vad: VAD) -> None:
        self.vad = vad
        self.turns = Turns()
        self._before: list[Samples] = []
        self.utterance: list[Samples] = []
        self.last_voiced_at = 0.0

    def feed(self, frame: Samples, now: float) -> str | None:
        """'start' or 'end' of an utterance, or None; keeps the utterance's audio."""
        probability = self.vad.probability(frame)
        if probability >= self.turns.end_threshold:
            self.last_voiced_at = now
        change = self.turns.feed(probability)
        if self.turns.speaking or change == "end":
            if change == "start":
                self.utterance = [*self._before]
            self.utterance.append(frame)
        else:
            self._before = [*self._before[-(PRE_ROLL_FRAMES - 1) :], frame]
        return change

    def audio(self) -> Samples:
        """The current utterance so far."""
        return np.concatenate(self.utterance) if self.utterance else np.zeros(0, np.float32)


class VoicePipeline:
    """Runs spoken turns in a session until the audio source ends.

    With ``idle`` on, the session's work for quiet moments runs after each
    reply has been heard and stops as soon as the person speaks again.
    """

    def __init__(
        self,
        session: Session,
        stt: STT,
        tts: TTS,
        vad: VAD,
        sink: Sink,
        *,
        on_event: Callable[[Event], None] = lambda event: None,
        clock: Callable[[], float] = time.perf_counter,
        idle: bool = True,
    ) -> None:
        self.session = session
        self.companion: Companion = session.mind
        self.idle = idle
        self.stt = stt
        self.tts = tts
        self.listener = Listener(vad)
        self.sink = sink
        self.on_event = on_event
        self.clock = clock
        self.turns: list[VoiceTurn] = []
        self._reply: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._partial: asyncio.Task[None] | None = None
        self._partial_at = 0.0
        self._early: _EarlyFinal | None = None
        self._early_task: asyncio.Task[None] | None = None

    async def run(self, frames: AsyncIterator[Samples]) -> None:
        """Listen and answer until ``frames`` ends, then finish the reply in progress."""
        conversation = await self.session.conversation()
        ahead = asyncio.ensure_future(self._listen_ahead(conversation))
        try:
            await self._listen(frames, conversation)
        except Os1Error:  # the audio went away: keep what was heard of the reply, then say so
            if self._reply is not None and not self._reply.done():
                self._stop.set()
                self.sink.stop()
                with contextlib.suppress(Os1Error):
                    await self._reply
            raise
        finally:
            ahead.cancel()

    async def _listen_ahead(self, conversation: int) -> None:
        with contextlib.suppress(Os1Error):
            await self.companion.listen_ahead(conversation)

    async def _listen(self, frames: AsyncIterator[Samples], conversation: int) -> None:
        async for frame in frames:
            now = self.clock()
            change = self.listener.feed(frame, now)
            if change == "start":
                self.on_event(SpeechStarted())
                await self.session.quiet()
                if (self._reply is not None and not self._reply.done()) or self.sink.busy():
                    self._barge_in()
                self._partial_at = now
            elif change == "end":
                await self._utterance_ended(conversation)
            elif self.listener.turns.speaking:
                await self._look_ahead(now, conversation)
        if self.listener.turns.speaking:
            await self._utterance_ended(conversation)
        if self._reply is not None:
            await self._reply

    async def _look_ahead(self, now: float, conversation: int) -> None:
        """While speech goes on, partial transcripts; at the first pause, the final one early."""
        quiet = self.listener.turns.quiet_ms
        if quiet == 0:
            if self._early is not None:  # speaking again: the early final no longer covers it all
                self._early = None
                await self.companion.withdraw()
            if now - self._partial_at >= PARTIAL_EVERY_S:
                self._partial_at = now
                self._transcribe_partial(conversation)
        elif quiet >= EARLY_FINAL_MS and self._early is None:
            audio = self.listener.audio()
            self._early = _EarlyFinal(now, asyncio.get_running_loop().create_future())
            self._early_task = asyncio.ensure_future(
                self._early_final(self._early, audio, conversation)
            )

    async def _early_final(self, early: _EarlyFinal, audio: Samples, conversation: int) -> None:
        """Transcribe up to the pause and start the reply, unless the person went on."""
        try:
            text = await asyncio.to_thread(self.stt.transcribe, audio)
            ready_at = self.clock()
            if text and self._early is early:
                with contextlib.suppress(Os1Error):
                    await self.companion.anticipate(text, conversation, final=True)
            early.result.set_result((text, ready_at))
        except BaseException as exc:
            early.result.set_exception(exc)
            raise

    def _barge_in(self) -> None:
        self._stop.set()
        self.sink.stop()
        self.on_event(Interrupted())

    def _transcribe_partial(self, conversation: int) -> None:
        if self._partial is not None and not self._partial.done():
            return  # never queue work behind itself on 2 cores
        audio = self.listener.audio()

        async def partial() -> None:
            text = await asyncio.to_thread(self.stt.transcribe, audio)
            if text and self.listener.turns.speaking:
                self.on_event(TranscriptPartial(text=text))
                if self.listener.turns.quiet_ms == 0 and self._early is None:
                    with contextlib.suppress(Os1Error):
                        await self.companion.anticipate(text, conversation, final=False)

        self._partial = asyncio.ensure_future(partial())

    async def _utterance_ended(self, conversation: int) -> None:
        turn_end, ended = self.clock(), self.listener.last_voiced_at
        audio = self.listener.audio()
        self.listener.utterance = []
        if self._partial is not None:
            self._partial.cancel()
        early, self._early = self._early, None
        if self._reply is not None and not self._reply.done():
            await self._reply  # the interrupted reply commits before the next turn starts
        if early is not None and early.started >= ended:  # nothing was said after it started
            transcript, heard_at = await early.result
        else:
            transcript = await asyncio.to_thread(self.stt.transcribe, audio)
            heard_at = self.clock()
        self.on_event(SpeechEnded(speech_s=round(len(audio) / SAMPLE_RATE, 3)))
        if not transcript:
            await self.companion.withdraw()
            self.on_event(Notice(message="Heard nothing I could make out."))
            return
        self.on_event(TranscriptFinal(text=transcript))
        turn = VoiceTurn(transcript)
        turn.timings = {
            "speech_s": round(len(audio) / SAMPLE_RATE, 3),
            "turn_end_ms": round((turn_end - ended) * 1000, 1),
            "transcript_ms": round((heard_at - ended) * 1000, 1),
        }
        self.turns.append(turn)
        self._stop = asyncio.Event()
        self._reply = asyncio.ensure_future(self._answer(turn, ended, conversation))

    async def _answer(self, turn: VoiceTurn, ended: float, conversation: int) -> None:
        clauses = Clauses()
        speech: asyncio.Queue[str | None] = asyncio.Queue()
        self.sink.new_reply()
        speaker = asyncio.ensure_future(self._speak(speech, turn, ended))
        stop = self._stop
        said: list[str] = []
        ahead: list[asyncio.Task[None]] = []

        async def heard() -> None:
            """The reply is done when all of it has been played, or the person cut in."""
            for piece in clauses.flush():
                speech.put_nowait(piece)
            speech.put_nowait(None)
            await speaker
            if self.companion.caches_prompts and not stop.is_set():  # read ahead while it plays
                exchange = (turn.transcript.strip(), "".join(said).strip())
                ahead.append(asyncio.ensure_future(self._prewarm(conversation, exchange)))
            while self.sink.busy() and not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=0.02)

        try:
            async for event in self.session.say(
                turn.transcript, stop=stop, spoken=self.sink.heard, heard=heard, background=False
            ):
                self.on_event(event)
                if isinstance(event, TokenDelta):
                    said.append(event.text)
                    turn.timings.setdefault("first_token_ms", self._since(ended))
                    for piece in clauses.feed(event.text):
                        speech.put_nowait(piece)
                elif isinstance(event, TurnCommitted):
                    turn.interrupted = event.interrupted
                    turn.reply = event.reply
        finally:
            if not speaker.done():
                speech.put_nowait(None)
                await speaker
        turn.timings["reply_done_ms"] = self._since(ended)
        if "first_audio_ms" in turn.timings:
            self.on_event(ReplyAudioStopped(interrupted=stop.is_set()))
        self.on_event(
            SpokenTurn(
                transcript=turn.transcript,
                reply=turn.reply,
                interrupted=turn.interrupted,
                timings=turn.timings,
            )
        )
        for reading in ahead:
            if stop.is_set():
                reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
        if not stop.is_set():
            if not ahead:
                await self._prewarm(conversation, None)
            if self.idle:
                self.session.rest()

    async def _prewarm(self, conversation: int, speaking: tuple[str, str] | None) -> None:
        """Read the conversation (and the reply still playing) into the model's cache."""
        with contextlib.suppress(Os1Error):
            await self.companion.prewarm(conversation, speaking=speaking)

    async def _speak(
        self, speech: asyncio.Queue[str | None], turn: VoiceTurn, ended: float
    ) -> None:
        while (piece := await speech.get()) is not None:
            if self._stop.is_set():
                continue
            clip = await asyncio.to_thread(self.tts.synthesize, piece)
            if self._stop.is_set():
                continue
            turn.timings.setdefault("first_audio_ms", self._since(ended))
            self.sink.play(clip, piece)
            self.on_event(ReplyAudioStarted(text=piece))

    def _since(self, start: float) -> float:
        return round((self.clock() - start) * 1000, 1)


async def file_frames(
    clip: Clip, *, realtime: bool, tail_s: float = 1.5, until: Callable[[], bool] | None = None
) -> AsyncIterator[Samples]:
    """A clip as 32 ms frames, paced like a microphone (or as fast as possible).

    After the clip, silence keeps coming (``tail_s``, and for as long as
    ``until()`` is true, e.g. while the reply is still playing), so the end of
    the last utterance is heard and barge-in detection keeps running.
    """
    samples = (
        clip.samples if clip.rate == SAMPLE_RATE else resample(clip.samples, clip.rate, SAMPLE_RATE)
    )
    frame_s = FRAME / SAMPLE_RATE
    started = time.perf_counter()
    count = 0
    silence = np.zeros(FRAME, np.float32)
    total = len(samples) // FRAME
    tail = int(tail_s / frame_s)
    while count < total + tail or (until is not None and until()):
        frame = samples[count * FRAME : (count + 1) * FRAME] if count < total else silence
        if realtime:
            delay = started + count * frame_s - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)
        yield frame
        count += 1


class Timeline:
    """A sink for files: reply audio laid out in time as a speaker would play it."""

    def __init__(self, rate: int = 22_050, clock: Callable[[], float] = time.perf_counter) -> None:
        self.rate = rate
        self.clock = clock
        self._clips: list[tuple[float, Clip, str]] = []
        self._ends_at = 0.0
        self._reply_start = 0
        self.stopped_at: float | None = None

    def play(self, clip: Clip, text: str) -> None:
        """Start ``clip`` when the previous one ends (or now, if nothing is playing)."""
        start = max(self.clock(), self._ends_at)
        self._clips.append((start, clip, text))
        self._ends_at = start + clip.seconds

    def stop(self) -> None:
        """Cut playback now: later clips and the rest of the current one are dropped."""
        now = self.clock()
        self.stopped_at = now
        kept: list[tuple[float, Clip, str]] = []
        for start, clip, text in self._clips:
            if start >= now:
                continue
            played = min(len(clip.samples), int((now - start) * clip.rate))
            kept.append((start, Clip(clip.samples[:played], clip.rate), text))
        self._clips = kept
        self._ends_at = now

    def heard(self) -> str:
        """Text of the clips of this reply that started playing."""
        now = self.clock()
        return " ".join(t for s, _, t in self._clips[self._reply_start :] if s <= now)

    def busy(self) -> bool:
        """Whether a clip is still playing."""
        return self.clock() < self._ends_at

    def new_reply(self) -> None:
        """Count what is heard from here on."""
        self._reply_start = len(self._clips)

    def audio(self) -> Clip:
        """Everything that was played, back to back, at the sink's rate."""
        parts = [resample(c.samples, c.rate, self.rate) for _, c, _ in self._clips]
        return Clip(np.concatenate(parts) if parts else np.zeros(0, np.float32), self.rate)
