"""How many live conversations one ``os1 serve`` process holds, and what each one costs.

Against one ``os1 serve`` process (SQLite, memory off, the scripted model
with a fixed delay before each piece of its reply), this opens signed-in
WebSocket conversations in levels up to 8,316, one person each (their
sign-ins are written into the store beforehand, as a sign-in page would, so
Argon2 is not what is measured). At each level, with every connection open:

- the server's resident memory, and so its cost per idle connection;
- ``--active`` of the connections (40 by default) each send a message every
  ``--every`` seconds for ``--seconds``; the time from a message to its first
  token, minus the scripted model's own delay before that token, is the
  server's overhead (p50/p99);
- errors (error frames, failed connections) and connections dropped while the
  level ran.

The baseline, in the same run, on the same levels and load: a bare FastAPI
WebSocket app that answers each message with one frame at once, served by
uvicorn the same way. Its p50/p99 and memory per connection are printed beside
os1's.

Last line: ``conversations=<most held with no error> p99_overhead_ms=<at that level>
kb_per_conn=<at that level> echo_p99_ms=… echo_kb_per_conn=…``.

Run: ``.venv/bin/python bench/concurrency.py [--levels 10,100,1000,4000,8316]``
(the client side needs about two file descriptors per connection: raise ``ulimit -n``
to 20,000 for the full ramp). Several minutes on 2 cores; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

ROOT = Path(__file__).resolve().parent.parent
OS1 = ROOT / ".venv" / "bin" / "os1"
DELAY_S = 0.02
"""The scripted model's pause before each piece of its reply, the first one included."""
BATCH = 200
"""Connections opened at once while a level fills up."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


ECHO = FastAPI()


@ECHO.websocket("/ws")
async def echo(ws: WebSocket) -> None:
    """The baseline: accept, then answer every text frame with one frame at once."""
    await ws.accept()
    await ws.send_text(json.dumps({"type": "hello"}))
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            text = await ws.receive_text()
            await ws.send_text(json.dumps({"type": "event", "echo": text}))


@dataclass
class Server:
    """A server process under test, how to reach it, and each person's credentials."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    tokens: list[str] = field(default_factory=list)

    def headers(self, n: int) -> dict[str, str]:
        return {"Cookie": f"os1_session={self.tokens[n]}"} if self.tokens else {}

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(30)
        if self.process.poll() is None:
            self.process.kill()


def wait_listening(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"{name} did not start listening within 3 minutes")


def start_os1(home: Path, people: int) -> Server:
    """``os1 serve`` over a fresh home where ``people`` persons are already signed in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS1_")}
    env |= {
        "OS1_HOME": str(home),
        "OS1_MEMORY": "false",
        "OS1_INTERVIEW": "false",
        "OMP_WAIT_POLICY": "passive",
    }
    if "OS1_MODELS_DIR" in os.environ:
        env["OS1_MODELS_DIR"] = os.environ["OS1_MODELS_DIR"]
    script = home / "script.json"
    home.mkdir(parents=True, exist_ok=True)
    script.write_text(json.dumps({"replies": [], "delay_s": DELAY_S}), encoding="utf-8")
    env["OS1_MODEL"] = f"scripted:{script}"
    tokens = sign_in_everyone(env, people)
    port = free_port()
    process = subprocess.Popen(
        [str(OS1), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_listening(port, process, "os1 serve")
    return Server("os1", process, f"ws://127.0.0.1:{port}/ws", tokens)


def sign_in_everyone(env: dict[str, str], people: int) -> list[str]:
    """Make ``people`` accounts with one session each in the store; their session tokens."""
    code = (
        "import json, sys\n"
        "from datetime import UTC, datetime, timedelta\n"
        "from os1.app import build\n"
        "from os1.config import load_settings\n"
        "from os1.server.auth import digest, hash_password, new_token\n"
        "from os1.store.accounts import AccountStore\n"
        "companion = build(load_settings())\n"
        "accounts = AccountStore(companion.journal.engine)\n"
        "secret = hash_password('bench-password')\n"
        "now = datetime.now(UTC)\n"
        "tokens = []\n"
        "for n in range(int(sys.argv[1])):\n"
        "    user = accounts.set_password(f'person{n}', secret, now)\n"
        "    token = new_token()\n"
        "    accounts.open_session(user, digest(token), now, now + timedelta(days=1))\n"
        "    tokens.append(token)\n"
        "companion.journal.close()\n"
        "print(json.dumps(tokens))\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code, str(people)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"  {people} people signed in, in {time.perf_counter() - started:.0f} s")
    tokens: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return tokens


def start_echo() -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--echo-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_listening(port, process, "the echo server")
    return Server("echo", process, f"ws://127.0.0.1:{port}/ws")


@dataclass
class Level:
    """What one level of connections measured on one server."""

    held: int
    rss_kb: int
    errors: int
    dropped: int
    latencies: list[float]

    def kb_per_conn(self, idle_kb: int) -> float:
        return (self.rss_kb - idle_kb) / self.held if self.held else float("nan")


class Clients:
    """Every open connection to one server, and what went wrong with them."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.open: list[ClientConnection] = []
        self.errors = 0
        self.closed = 0

    async def _one(self, n: int) -> None:
        try:
            ws = await connect(
                self.server.url,
                additional_headers=self.server.headers(n),
                open_timeout=60,
                ping_interval=None,
                max_size=1 << 22,
            )
            hello = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if hello.get("type") != "hello":
                self.errors += 1
                await ws.close()
                return
            self.open.append(ws)
        except (OSError, TimeoutError, WebSocketException):
            self.errors += 1

    async def fill(self, target: int) -> None:
        while len(self.open) + self.errors < target:
            start = len(self.open) + self.errors
            await asyncio.gather(*(self._one(n) for n in range(start, min(target, start + BATCH))))

    def dropped(self) -> int:
        return sum(1 for ws in self.open if ws.close_code is not None)

    async def talk(self, active: int, every_s: float, seconds: float) -> list[float]:
        """``active`` connections each send a message every ``every_s``; ms to first token."""
        latencies: list[float] = []

        async def speaker(ws: ClientConnection, offset: float) -> None:
            await asyncio.sleep(offset)
            deadline = time.monotonic() + seconds
            n = 0
            while time.monotonic() < deadline:
                began = time.perf_counter()
                n += 1
                await ws.send(json.dumps({"type": "message", "text": f"How is it going? {n}"}))
                try:
                    while True:
                        frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                        if frame.get("type") == "error":
                            self.errors += 1
                            break
                        if frame.get("type") == "event" and self._first_token(frame):
                            latencies.append((time.perf_counter() - began) * 1000)
                            await self._drain(ws)
                            break
                except (TimeoutError, WebSocketException):
                    self.errors += 1
                    return
                await asyncio.sleep(max(0.0, every_s - (time.perf_counter() - began)))

        speakers = self.open[:active]
        await asyncio.gather(
            *(speaker(ws, every_s * i / len(speakers)) for i, ws in enumerate(speakers))
        )
        return latencies

    @staticmethod
    def _first_token(frame: dict[str, object]) -> bool:
        event = frame.get("event")
        if isinstance(event, dict):
            return event.get("type") == "token_delta"
        return "echo" in frame

    @staticmethod
    async def _drain(ws: ClientConnection) -> None:
        """Read the rest of a reply (os1: until the turn is committed)."""
        with contextlib.suppress(TimeoutError):
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                event = frame.get("event")
                if frame.get("type") != "event" or not isinstance(event, dict):
                    return
                if event.get("type") in ("turn_committed", "error"):
                    return

    async def close(self) -> None:
        for start in range(0, len(self.open), BATCH):
            await asyncio.gather(
                *(ws.close() for ws in self.open[start : start + BATCH]), return_exceptions=True
            )


async def warm_up(server: Server) -> None:
    """A few turns before measuring, so what loads on first use (the care check) is loaded."""
    clients = Clients(server)
    await clients.fill(1)
    await clients.talk(1, 0.0, 3.0)
    await clients.close()


async def run_levels(
    server: Server, levels: list[int], active: int, every_s: float, seconds: float
) -> tuple[int, list[Level]]:
    await warm_up(server)
    await asyncio.sleep(1)
    idle = rss_kb(server.process.pid)
    clients = Clients(server)
    found: list[Level] = []
    try:
        for target in levels:
            errors_before = clients.errors
            await clients.fill(target)
            await asyncio.sleep(2)
            memory = rss_kb(server.process.pid)
            echo = server.name == "echo"
            latencies = await clients.talk(min(active, len(clients.open)), every_s, seconds)
            if not echo:
                latencies = [ms - DELAY_S * 1000 for ms in latencies]
            level = Level(
                len(clients.open),
                memory,
                clients.errors - errors_before,
                clients.dropped(),
                latencies,
            )
            found.append(level)
            print(
                f"  {server.name:<5} {target:>6} held {level.held:>6}  "
                f"p50 {pct(latencies, 50):7.1f} ms  p99 {pct(latencies, 99):7.1f} ms  "
                f"{level.kb_per_conn(idle):6.1f} KB/conn  errors {level.errors}  "
                f"dropped {level.dropped}",
                flush=True,
            )
            if level.errors or level.dropped or server.process.poll() is not None:
                break
    finally:
        await clients.close()
    return idle, found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="10,100,1000,4000,8316")
    parser.add_argument("--active", type=int, default=40)
    parser.add_argument("--every", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 2 * max(levels) + 100:
        print(f"warning: {hard} file descriptors allow about {hard // 2} connections")
    home = Path(tempfile.mkdtemp(prefix="os1-concurrency-"))
    results: dict[str, tuple[int, list[Level]]] = {}
    for name in ("echo", "os1"):
        server = start_echo() if name == "echo" else start_os1(home / "home", max(levels))
        try:
            results[name] = await run_levels(server, levels, args.active, args.every, args.seconds)
        finally:
            server.stop()
    echo_idle, echo_levels = results["echo"]
    os1_idle, os1_levels = results["os1"]
    print(f"\n{'level':>6} {'os1 p50':>8} {'p99':>8} {'KB/conn':>8}   {'echo p50':>8} {'p99':>8}")
    for mine, base in zip(os1_levels, echo_levels, strict=False):
        print(
            f"{mine.held:>6} {pct(mine.latencies, 50):>8.1f} {pct(mine.latencies, 99):>8.1f} "
            f"{mine.kb_per_conn(os1_idle):>8.1f}   {pct(base.latencies, 50):>8.1f} "
            f"{pct(base.latencies, 99):>8.1f}"
        )
    clean = [level for level in os1_levels if not level.errors and not level.dropped]
    best = clean[-1] if clean else None
    same = next((b for b in echo_levels if best and b.held >= best.held), echo_levels[-1])
    print(
        f"conversations={best.held if best else 0} "
        f"p99_overhead_ms={pct(best.latencies, 99) if best else float('nan'):.1f} "
        f"kb_per_conn={best.kb_per_conn(os1_idle) if best else float('nan'):.1f} "
        f"echo_p99_ms={pct(same.latencies, 99):.1f} "
        f"echo_kb_per_conn={same.kb_per_conn(echo_idle):.1f}"
    )


if __name__ == "__main__":
    if "--echo-port" in sys.argv:
        import uvicorn

        port = int(sys.argv[sys.argv.index("--echo-port") + 1])
        uvicorn.run(ECHO, host="127.0.0.1", port=port, log_level="warning")
    else:
        asyncio.run(main())
