"""Time to first token of os1 against raw llama.cpp, with and without KV reuse, warm and cold.

os1 promises to answer at once on 2 CPU cores, where llama.cpp reads prompts at only a
few dozen tokens per second. That only holds if (a) the stack around the model adds
next to nothing, (b) a conversation's history stays in the model's KV cache between
turns, and (c) a fresh ``os1 say`` process restores the saved state of the conversation
instead of reading its whole history again. This script measures each claim beside a
baseline measured in the same run, on the same prompts and the same model file:

1. First-turn TTFT and generated tokens/s of os1 in a warm process (``Companion.turn``,
   from the call to the first ``TokenDelta``) against raw ``xllamacpp`` sent exactly the
   messages os1 sends (rebuilt with ``os1.companion.prompt.build_messages``), with the
   same max_tokens, temperature 0, and the same cached prefix (the persona) in the slot.
   The wall time and first-token time of the real ``os1 say --json --new`` process are
   reported for information.
2. TTFT of turn 10 of a scripted conversation played in one warm os1 process (the slot
   holds turns 1-9) against the same 10-turn prompt sent to raw ``xllamacpp`` with
   ``cache_prompt: false`` (every token read again).
3. Cold start: a fresh ``os1 say`` process continuing a 10-turn conversation with the
   saved slot state restored (the default) against the same with
   ``OS1_KV_CACHE_FILES=0`` and no kv-cache directory, from process start to the first
   ``token_delta`` line, plus the ``first_token_ms`` the turn itself reports.

Each figure is the median of ``--reps`` runs (3 by default). os1 runs with its defaults
in temporary ``OS1_HOME`` directories (only ``OS1_TEMPERATURE=0`` is set), and only one
model is loaded at a time: for parts 1 and 2 each repetition loads os1, then raw
``xllamacpp``, so a slow spell of the machine (speeds vary by 20-30 % over minutes on a
small VM) hits both sides alike; each process's first request maps the weights in and is
not timed. The ``os1 say`` processes get a ``sitecustomize`` trace hook
(through ``PYTHONPATH``) that wraps ``xllamacpp.Server`` to log the model load and the
llama.cpp ``timings`` of each request (``cache_n`` tokens reused, ``prompt_n`` read), so
the cold figures can be explained; the warm os1 process uses the same hook. The last
line printed is ``ttft_ratio=... kv_reuse_ratio=... cold_ratio=...``.

Run: ``.venv/bin/python bench/ttft.py`` (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from os1.app import build
from os1.companion import Companion
from os1.companion.prompt import build_messages
from os1.config import Paths, Settings, load_settings, resolve_paths
from os1.events import ErrorEvent, TokenDelta, TurnCommitted, TurnStarted, parse_event
from os1.llm.embedded import EmbeddedLLM
from os1.llm.models import resolve_model_file
from os1.store import TurnRecord

OS1_BIN = Path(sys.executable).parent / "os1"
SUBPROCESS_TIMEOUT_S = 300.0

# The first conversation of a home; after it os1 keeps the persona's processed state on disk.
WARMUP_TEXT = "Hello!"
PROMPT = (
    "I finally repainted my kitchen this weekend, a deep forest green. "
    "It took forever, but I love how it looks."
)
SCRIPT = (
    "Hi! I'm Sam, and I just moved to Lisbon.",
    "The light here is amazing, everything looks golden in the evening.",
    "I found a tiny cafe near my flat that makes great custard tarts.",
    "My sister Ana is coming to visit next month.",
    "She loves old trams, so we will ride the number 28 together.",
    "I'm a bit nervous about my new job, though.",
    "I start on Monday as a translator.",
    "Mostly Portuguese to English, with some French.",
    "Tonight I think I'll cook a simple pasta to relax.",
    "Remind me: what is my sister's name, and when is she coming?",
)
COLD_TEXT = "What was the name of my new city again?"

# Written to a temporary directory as sitecustomize.py and put on the os1 processes'
# PYTHONPATH; imported directly for the warm in-process run.
TRACE_HOOK = '''\
"""os1 bench trace hook: log llama.cpp's model load and per-request timings to a file."""

import json
import os
import time

_TRACE = os.environ.get("OS1_BENCH_TRACE")


def _log(record):
    with open(_TRACE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\\n")


if _TRACE:
    import xllamacpp

    _Server = xllamacpp.Server

    class _TracedServer:
        def __init__(self, params):
            _log({"event": "load_start", "t": time.time()})
            self._server = _Server(params)
            _log({"event": "load_end", "t": time.time()})

        def handle_chat_completions(self, request, callback):
            _log({"event": "request", "t": time.time(), "request": request})

            def traced(chunk):
                if isinstance(chunk, dict) and chunk.get("timings"):
                    _log({"event": "timings", "t": time.time(), **chunk["timings"]})
                return callback(chunk)

            return self._server.handle_chat_completions(request, traced)

        def __getattr__(self, name):
            return getattr(self._server, name)

    xllamacpp.Server = _TracedServer
'''


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the report."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def reused(timings: dict[str, Any]) -> str:
    """llama.cpp's ``cache_n/prompt_n``: prompt tokens taken from the cache / read anew."""
    return f"{timings.get('cache_n', '?')}/{timings.get('prompt_n', '?')}"


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


# --- what one streamed reply looked like ---------------------------------------------------


@dataclass
class Reply:
    """One streamed reply: when its tokens arrived and what llama.cpp said it did."""

    ttft_ms: float
    token_times: list[float]  # perf_counter of every piece of text
    llama: dict[str, Any] = field(default_factory=dict)  # the final chunk's `timings`
    before_request_ms: float | None = None  # from the call until llama.cpp got the request

    @property
    def tokens(self) -> int:
        return len(self.token_times)

    @property
    def tok_s(self) -> float | None:
        """Generated tokens per second after the first one, as the caller saw them."""
        span = self.token_times[-1] - self.token_times[0] if self.token_times else 0.0
        return (self.tokens - 1) / span if span > 0 else None

    @property
    def reused(self) -> str:
        return reused(self.llama)


@dataclass
class Os1Turn:
    """A turn run through ``Companion.turn`` in this process."""

    reply: Reply
    conversation: int
    started_at: datetime
    request: dict[str, Any]
    committed: TurnCommitted


@dataclass
class SayRun:
    """One ``os1 say --json`` process, timed from the parent."""

    first_delta_ms: float  # process start to the first token_delta line
    wall_ms: float
    first_token_ms: float | None  # as reported in turn_committed.timings
    total_ms: float
    reply_chunks: int
    token_times: list[float]
    startup_ms: float | None  # process start to the start of the model load
    load_ms: float | None
    llama: dict[str, Any]

    @property
    def tok_s(self) -> float | None:
        span = self.token_times[-1] - self.token_times[0] if self.token_times else 0.0
        return (len(self.token_times) - 1) / span if span > 0 else None

    @property
    def after_load_ms(self) -> float | None:
        if self.startup_ms is None or self.load_ms is None:
            return None
        return self.first_delta_ms - self.startup_ms - self.load_ms


class Trace:
    """Reads the JSON lines the trace hook appends."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def mark(self) -> int:
        return len(self.records())

    def since(self, mark: int) -> list[dict[str, Any]]:
        return self.records()[mark:]


def last_of(records: Sequence[dict[str, Any]], event: str) -> dict[str, Any]:
    found = [r for r in records if r.get("event") == event]
    return found[-1] if found else {}


# --- os1 in a warm process -----------------------------------------------------------------


async def os1_turn(companion: Companion, text: str, conversation: int, trace: Trace) -> Os1Turn:
    """One turn as the CLI runs it (with a stop event), timed from the call."""
    mark = trace.mark()
    stop = asyncio.Event()
    times: list[float] = []
    started_at: datetime | None = None
    committed: TurnCommitted | None = None
    start_wall, start = time.time(), time.perf_counter()
    async with contextlib.aclosing(companion.turn(text, conversation, stop=stop)) as events:
        async for event in events:
            now = time.perf_counter()
            if isinstance(event, TokenDelta):
                times.append(now)
            elif isinstance(event, TurnStarted):
                started_at = event.at
            elif isinstance(event, TurnCommitted):
                committed = event
            elif isinstance(event, ErrorEvent):
                raise RuntimeError(f"os1 failed: {event.message}")
    if not times or committed is None or started_at is None:
        raise RuntimeError(f"os1 gave no reply to {text!r}")
    records = trace.since(mark)
    timings = dict(last_of(records, "timings"))
    timings = {k: v for k, v in timings.items() if k not in ("event", "t")}
    request = last_of(records, "request")
    before = (request["t"] - start_wall) * 1000 if request else None
    return Os1Turn(
        reply=Reply((times[0] - start) * 1000, times, timings, before),
        conversation=conversation,
        started_at=started_at,
        request=request.get("request", {}),
        committed=committed,
    )


@dataclass
class Os1Rep:
    """One warm os1 process: a warm-up turn, a first turn, and a scripted conversation."""

    warmup: Os1Turn
    first: Os1Turn
    tenth: Os1Turn
    history: list[TurnRecord]  # turns 1-9 of the scripted conversation


async def os1_phase(settings: Settings, trace: Trace, rep: str) -> Os1Rep:
    """Parts 1 and 2 on os1's side, in this process with the model loaded once."""
    companion = build(settings)
    try:
        llm = companion.llm
        if not isinstance(llm, EmbeddedLLM):
            raise SystemExit(f"this bench measures the embedded model, not {llm.name}")
        started = time.perf_counter()
        await llm.load()
        log(f"os1 {rep}: model loaded in {time.perf_counter() - started:.1f} s")
        # Maps the weights in; the first one in the home also leaves the persona state on disk.
        warmup = await os1_turn(companion, WARMUP_TEXT, await companion.new_conversation(), trace)
        first = await os1_turn(companion, PROMPT, await companion.new_conversation(), trace)
        log(f"os1 {rep}: first turn {first.reply.ttft_ms:.0f} ms")
        conv = await companion.new_conversation()
        for text in SCRIPT[:-1]:
            await os1_turn(companion, text, conv, trace)
        tenth = await os1_turn(companion, SCRIPT[-1], conv, trace)
        history = (await companion.history(conv))[:-1]
        log(f"os1 {rep}: turn 10 {tenth.reply.ttft_ms:.0f} ms")
        return Os1Rep(warmup, first, tenth, history)
    finally:
        await companion.aclose()


# --- raw xllamacpp -------------------------------------------------------------------------


def raw_stream(
    server: Any,
    messages: list[dict[str, str]],
    max_tokens: int,
    temperature: float,
    *,
    cache_prompt: bool,
    slot: int = 0,
) -> Reply:
    """Send one chat request the way os1 does and time it from the call."""
    times: list[float] = []
    timings: dict[str, Any] = {}
    errors: list[Any] = []

    def on_chunk(chunk: Any) -> bool:
        now = time.perf_counter()
        if not isinstance(chunk, dict):
            return False
        if chunk.get("error"):
            errors.append(chunk["error"])
        if chunk.get("timings"):
            timings.update(chunk["timings"])
        if any((c.get("delta") or {}).get("content") for c in chunk.get("choices", [])):
            times.append(now)
        return False

    request = {
        "messages": messages,
        "stream": True,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "id_slot": slot,
        "cache_prompt": cache_prompt,
    }
    start = time.perf_counter()
    server.handle_chat_completions(request, on_chunk)
    if errors or not times:
        raise RuntimeError(f"raw xllamacpp gave no reply: {errors}")
    return Reply((times[0] - start) * 1000, times, timings)


@dataclass
class RawRep:
    first: Reply
    tenth: Reply


def raw_phase(
    server_class: Any,
    model: Path,
    settings: Settings,
    warmup: list[dict[str, str]],
    first: list[dict[str, str]],
    tenth: list[dict[str, str]],
    rep: str,
) -> RawRep:
    """Parts 1 and 2 on raw xllamacpp's side, one server configured as os1 configures it."""
    import xllamacpp

    socket_dir = tempfile.mkdtemp(prefix="ttft-raw-")
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_parallel = settings.parallel_conversations
    params.n_ctx = settings.context_tokens * settings.parallel_conversations
    params.cpuparams.n_threads = settings.threads or os.cpu_count() or 2
    params.cpuparams_batch.n_threads = settings.threads or os.cpu_count() or 2
    params.hostnames = [os.path.join(socket_dir, "llm.sock")]  # a unix socket, never a port
    params.warmup = False
    params.verbosity = -1
    started = time.perf_counter()
    server = server_class(params)
    log(f"raw {rep}: model loaded in {time.perf_counter() - started:.1f} s")
    limits = (settings.max_reply_tokens, settings.temperature)
    try:
        # Maps the weights in (as os1's warm-up turn does) and puts the slot in the state
        # os1 restores for a new conversation: the persona already read.
        raw_stream(server, warmup, max_tokens=1, temperature=0.0, cache_prompt=True)
        first_reply = raw_stream(server, first, *limits, cache_prompt=True)
        log(f"raw {rep}: first turn {first_reply.ttft_ms:.0f} ms")
        tenth_reply = raw_stream(server, tenth, *limits, cache_prompt=False)
        log(f"raw {rep}: turn 10 without reuse {tenth_reply.ttft_ms:.0f} ms")
        return RawRep(first_reply, tenth_reply)
    finally:
        del server  # the last reference: llama.cpp stops and frees the model here
        shutil.rmtree(socket_dir, ignore_errors=True)


# --- os1 say processes ---------------------------------------------------------------------


def base_env(hook_dir: Path) -> dict[str, str]:
    """The environment of every os1 process: defaults, temperature 0, the trace hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS1_") or k == "OS1_MODELS_DIR"}
    env["OS1_TEMPERATURE"] = "0"
    env["OS1_INTERVIEW"] = "false"  # the first-start questions are not model replies
    # os1 sets this itself before llama.cpp loads; the hook loads llama.cpp earlier.
    env.setdefault("OMP_WAIT_POLICY", "passive")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook_dir), env.get("PYTHONPATH")) if p)
    return env


def run_say(
    env: dict[str, str], home: Path, args: Sequence[str], trace_file: Path, **extra: str
) -> SayRun:
    """Run ``os1 say --json ARGS`` and time its events as they reach the pipe."""
    trace_file.unlink(missing_ok=True)
    full_env = env | {"OS1_HOME": str(home), "OS1_BENCH_TRACE": str(trace_file)} | extra
    with tempfile.TemporaryFile() as stderr:
        spawned_at = time.time()
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(OS1_BIN), "say", "--json", "--no-remember", *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=full_env,
            text=True,
        )
        watchdog = threading.Timer(SUBPROCESS_TIMEOUT_S, proc.kill)
        watchdog.start()
        times: list[float] = []
        committed: TurnCommitted | None = None
        try:
            assert proc.stdout is not None
            for line in iter(proc.stdout.readline, ""):
                now = time.perf_counter()
                event = parse_event(line)
                if isinstance(event, TokenDelta):
                    times.append(now)
                elif isinstance(event, TurnCommitted):
                    committed = event
            code = proc.wait()
        finally:
            watchdog.cancel()
        wall_ms = (time.perf_counter() - start) * 1000
        if code != 0 or committed is None or not times:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace")
            raise RuntimeError(f"os1 say {' '.join(args)} failed ({code}): {message}")
    records = Trace(trace_file).records()
    load_start, load_end = last_of(records, "load_start"), last_of(records, "load_end")
    timings = {k: v for k, v in last_of(records, "timings").items() if k not in ("event", "t")}
    return SayRun(
        first_delta_ms=(times[0] - start) * 1000,
        wall_ms=wall_ms,
        first_token_ms=committed.timings.first_token_ms,
        total_ms=committed.timings.total_ms,
        reply_chunks=committed.timings.reply_chunks,
        token_times=times,
        startup_ms=(load_start["t"] - spawned_at) * 1000 if load_start else None,
        load_ms=(load_end["t"] - load_start["t"]) * 1000 if load_start and load_end else None,
        llama=timings,
    )


# --- report --------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


class Table:
    """Figures beside their baselines, medians of the repetitions."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def row(
        self, label: str, os1: float | None, base: float | None, unit: str, digits: int = 0
    ) -> None:
        r = ratio(os1, base)
        self.rows.append((label, fmt(os1, digits), fmt(base, digits), unit, fmt(r, 3)))

    def section(self, title: str) -> None:
        self.rows.append((title, "", "", "", ""))

    def render(self) -> str:
        header = ("figure (median)", "measured", "baseline", "unit", "ratio")
        figures = [r for r in [header, *self.rows] if r[1:] != ("", "", "", "")]
        widths = [max(len(r[i]) for r in figures) for i in range(5)]
        lines = []
        for r in [header, *self.rows]:
            if r not in figures:
                lines.append(r[0])
                continue
            cells = [r[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells))
        return "\n".join(lines)


def spread(values: Sequence[float | None]) -> str:
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--keep", action="store_true", help="keep the temporary homes")
    args = parser.parse_args()
    reps: int = args.reps
    began = time.perf_counter()

    # What os1 does on import of its embedded backend, done before llama.cpp loads here.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    root = Path(tempfile.mkdtemp(prefix="os1-ttft-"))
    try:
        hook_dir = root / "hook"
        hook_dir.mkdir()
        (hook_dir / "sitecustomize.py").write_text(TRACE_HOOK, encoding="utf-8")
        env = base_env(hook_dir)

        # os1 in this process, with its defaults, in its own home.
        home_warm = root / "home-warm"
        for key in [k for k in os.environ if k.startswith("OS1_") and k != "OS1_MODELS_DIR"]:
            del os.environ[key]
        os.environ |= {
            "OS1_HOME": str(home_warm),
            "OS1_TEMPERATURE": "0",
            "OS1_INTERVIEW": "false",
            "OS1_BENCH_TRACE": str(root / "trace-warm.jsonl"),
        }
        settings = load_settings()
        paths: Paths = resolve_paths()
        model = resolve_model_file(settings.model, paths)
        log(f"model {model} ({model.stat().st_size / 1e6:,.0f} MB), temp dirs under {root}")
        hook = load_hook(hook_dir / "sitecustomize.py")
        trace = Trace(root / "trace-warm.jsonl")

        # Parts 1 and 2: a warm os1 process, then raw xllamacpp sent the messages os1
        # built, alternately, so that a slow spell of the machine hits both sides alike.
        mismatches: list[str] = []
        os1_reps: list[Os1Rep] = []
        raw_reps: list[RawRep] = []
        for rep in range(reps):
            label = f"{rep + 1}/{reps}"
            os1_rep = asyncio.run(os1_phase(settings, trace, label))
            os1_reps.append(os1_rep)
            warmup_messages, first_messages, tenth_messages = [
                checked_messages(settings, turn, history, text, mismatches)
                for turn, history, text in (
                    (os1_rep.warmup, [], WARMUP_TEXT),
                    (os1_rep.first, [], PROMPT),
                    (os1_rep.tenth, os1_rep.history, SCRIPT[-1]),
                )
            ]
            raw_reps.append(
                raw_phase(
                    hook._Server,
                    model,
                    settings,
                    warmup_messages,
                    first_messages,
                    tenth_messages,
                    label,
                )
            )

        # os1 say processes: a new conversation (part 1), and continuing the 10-turn
        # conversations cold, restored (the default) or not (part 3).
        home_say = root / "home-say"
        home_restored = root / "home-restored"
        home_unrestored = root / "home-unrestored"
        for home in (home_say, home_restored, home_unrestored):
            shutil.copytree(home_warm, home)
        kv_unrestored = home_unrestored / "data" / "kv-cache"
        says: list[SayRun] = []
        for rep in range(reps):
            says.append(run_say(env, home_say, ["--new", PROMPT], root / "trace-say.jsonl"))
            log(f"os1 say --new {rep + 1}/{reps}: {says[-1].wall_ms:.0f} ms wall")
        restored: list[SayRun] = []
        unrestored: list[SayRun] = []
        for rep, os1_rep in enumerate(os1_reps):
            conv = ["--conversation", str(os1_rep.tenth.conversation), COLD_TEXT]
            restored.append(run_say(env, home_restored, conv, root / "trace-cold.jsonl"))
            shutil.rmtree(kv_unrestored, ignore_errors=True)
            unrestored.append(
                run_say(
                    env, home_unrestored, conv, root / "trace-cold.jsonl", OS1_KV_CACHE_FILES="0"
                )
            )
            log(
                f"cold continuation {rep + 1}/{reps}: restored {restored[-1].first_delta_ms:.0f}"
                f" ms, unrestored {unrestored[-1].first_delta_ms:.0f} ms"
            )

        report(reps, os1_reps, raw_reps, says, restored, unrestored, mismatches, began)
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def checked_messages(
    settings: Settings,
    turn: Os1Turn,
    history: Sequence[TurnRecord],
    text: str,
    mismatches: list[str],
) -> list[dict[str, str]]:
    """The messages of a turn rebuilt with os1's prompt builder, checked against os1's request."""
    messages = [
        m.as_dict()
        for m in build_messages(
            turn.started_at,
            history,
            text,
            context_tokens=settings.context_tokens,
            reply_tokens=settings.max_reply_tokens,
        )
    ]
    sent = turn.request
    if messages != sent.get("messages"):
        mismatches.append(f"messages rebuilt for {text[:30]!r} differ from os1's request")
    limits = (sent.get("max_tokens"), sent.get("temperature"))
    if limits != (settings.max_reply_tokens, settings.temperature):
        mismatches.append(f"os1 sent max_tokens, temperature = {limits}")
    return messages


def load_hook(path: Path) -> ModuleType:
    """Import the trace hook here too, so the warm os1 process is traced like the others."""
    spec = importlib.util.spec_from_file_location("os1_bench_trace_hook", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(
    reps: int,
    os1_reps: list[Os1Rep],
    raw_reps: list[RawRep],
    says: list[SayRun],
    restored: list[SayRun],
    unrestored: list[SayRun],
    mismatches: list[str],
    began: float,
) -> None:
    os1_first = [r.first.reply for r in os1_reps]
    os1_tenth = [r.tenth.reply for r in os1_reps]
    raw_first = [r.first for r in raw_reps]
    raw_tenth = [r.tenth for r in raw_reps]
    table = Table()
    table.section("1. first turn of a new conversation, warm process (baseline: raw xllamacpp)")
    os1_ttft = median([r.ttft_ms for r in os1_first])
    raw_ttft = median([r.ttft_ms for r in raw_first])
    table.row("  TTFT", os1_ttft, raw_ttft, "ms")
    table.row(
        "  TTFT minus llama.cpp prompt_ms",
        median([r.ttft_ms - r.llama.get("prompt_ms", 0.0) for r in os1_first]),
        median([r.ttft_ms - r.llama.get("prompt_ms", 0.0) for r in raw_first]),
        "ms",
    )
    table.row(
        "  call to llama.cpp receiving the request",
        median([r.before_request_ms for r in os1_first]),
        None,
        "ms",
    )
    table.row(
        "  llama.cpp prompt_ms",
        median([r.llama.get("prompt_ms") for r in os1_first]),
        median([r.llama.get("prompt_ms") for r in raw_first]),
        "ms",
    )
    table.row(
        "  generated tokens/s (as received)",
        median([r.tok_s for r in os1_first]),
        median([r.tok_s for r in raw_first]),
        "tok/s",
        1,
    )
    table.row(
        "  generated tokens/s (llama.cpp)",
        median([r.llama.get("predicted_per_second") for r in os1_first]),
        median([r.llama.get("predicted_per_second") for r in raw_first]),
        "tok/s",
        1,
    )
    table.row(
        "  reply length",
        median([r.tokens for r in os1_first]),
        median([r.tokens for r in raw_first]),
        "chunks",
    )
    table.section("   os1 say --json --new, fresh process (baseline: warm os1 in-process)")
    table.row(
        "  process start to first token_delta",
        median([s.first_delta_ms for s in says]),
        os1_ttft,
        "ms",
    )
    table.row(
        "  turn_committed first_token_ms", median([s.first_token_ms for s in says]), os1_ttft, "ms"
    )
    table.row("  wall time of the process", median([s.wall_ms for s in says]), None, "ms")
    table.row(
        "  generated tokens/s (token_delta lines)",
        median([s.tok_s for s in says]),
        median([r.tok_s for r in os1_first]),
        "tok/s",
        1,
    )
    table.section("2. turn 10 of a conversation (with reuse: os1 warm; baseline: raw, no cache)")
    with_reuse = median([r.ttft_ms for r in os1_tenth])
    without = median([r.ttft_ms for r in raw_tenth])
    table.row("  TTFT", with_reuse, without, "ms")
    table.row(
        "  llama.cpp tokens read (prompt_n)",
        median([r.llama.get("prompt_n") for r in os1_tenth]),
        median([r.llama.get("prompt_n") for r in raw_tenth]),
        "tokens",
    )
    table.row(
        "  llama.cpp prompt_ms",
        median([r.llama.get("prompt_ms") for r in os1_tenth]),
        median([r.llama.get("prompt_ms") for r in raw_tenth]),
        "ms",
    )
    table.section("3. os1 say continuing turn 10 cold (restored state; baseline: not restored)")
    cold = median([s.first_delta_ms for s in restored])
    cold_base = median([s.first_delta_ms for s in unrestored])
    table.row("  process start to first token_delta", cold, cold_base, "ms")
    table.row(
        "  turn_committed first_token_ms",
        median([s.first_token_ms for s in restored]),
        median([s.first_token_ms for s in unrestored]),
        "ms",
    )
    table.row(
        "  process start to model load",
        median([s.startup_ms for s in restored]),
        median([s.startup_ms for s in unrestored]),
        "ms",
    )
    table.row(
        "  model load",
        median([s.load_ms for s in restored]),
        median([s.load_ms for s in unrestored]),
        "ms",
    )
    table.row(
        "  loaded to first token_delta",
        median([s.after_load_ms for s in restored]),
        median([s.after_load_ms for s in unrestored]),
        "ms",
    )
    table.row(
        "  llama.cpp tokens read (prompt_n)",
        median([s.llama.get("prompt_n") for s in restored]),
        median([s.llama.get("prompt_n") for s in unrestored]),
        "tokens",
    )
    table.row(
        "  wall time of the process",
        median([s.wall_ms for s in restored]),
        median([s.wall_ms for s in unrestored]),
        "ms",
    )
    print(table.render())
    print()
    print(f"repetitions: {reps} (medians above); llama.cpp cache_n/prompt_n = reused/read tokens")
    print(
        "  1. os1 TTFT "
        + spread([r.ttft_ms for r in os1_first])
        + f" reused/read {[r.reused for r in os1_first]}; raw "
        + spread([r.ttft_ms for r in raw_first])
        + f" {[r.reused for r in raw_first]}"
    )
    print(
        "     os1 say first token_delta "
        + spread([s.first_delta_ms for s in says])
        + f" {[reused(s.llama) for s in says]}"
    )
    print(
        "  2. with reuse "
        + spread([r.ttft_ms for r in os1_tenth])
        + f" {[r.reused for r in os1_tenth]}; without "
        + spread([r.ttft_ms for r in raw_tenth])
        + f" {[r.reused for r in raw_tenth]}"
    )
    print(
        "  3. restored "
        + spread([s.first_delta_ms for s in restored])
        + f" {[reused(s.llama) for s in restored]};"
        + " unrestored "
        + spread([s.first_delta_ms for s in unrestored])
        + f" {[reused(s.llama) for s in unrestored]}"
    )
    same = all(r.first.committed.reply == os1_reps[0].first.committed.reply for r in os1_reps)
    same = same and all(r.tokens == os1_first[0].tokens for r in raw_first)
    print(f"  replies identical across repetitions (temperature 0): {same}")
    for problem in mismatches:
        print(f"  WARNING: {problem}")
    print(f"total run time: {time.perf_counter() - began:.0f} s")
    ttft_ratio = ratio(os1_ttft, raw_ttft)
    kv_ratio = ratio(with_reuse, without)
    cold_ratio = ratio(cold, cold_base)
    print(
        f"ttft_ratio={fmt(ttft_ratio, 3)} kv_reuse_ratio={fmt(kv_ratio, 3)} "
        f"cold_ratio={fmt(cold_ratio, 3)}"
    )


if __name__ == "__main__":
    main()
