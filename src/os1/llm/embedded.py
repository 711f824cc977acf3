"""The embedded model: llama.cpp in this process through ``xllamacpp``.

Prompt processing is the slow part on a small CPU (tens of tokens per second),
so this backend works hard never to read the same tokens twice:

- each conversation (``GenerationOptions.session``) is pinned to one slot, so
  its history stays in that slot's KV cache between turns;
- after every reply the slot is saved to disk, and a fresh process restores it
  before the next turn, paying only for the new message;
- a conversation seen for the first time starts from a saved state of the same
  system prompt, so even a new conversation skips the persona prefill.

llama.cpp always opens an HTTP server; it is bound to a unix socket in a
private directory and protected by a random key, never to a TCP port.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from os1.config import Paths, Settings
from os1.errors import LLMUnavailable, ModelError
from os1.llm.base import GenerationOptions, Message
from os1.llm.models import GGUF_MAGIC, resolve_model_file
from os1.llm.sockets import clear_stale_socket_dirs, make_socket_dir
from os1.private import PRIVATE_FILE, private_dir

log = logging.getLogger(__name__)

_Chunk = tuple[str, Any]


def _session_file(session: str) -> str:
    return "s-" + hashlib.sha256(session.encode()).hexdigest()[:24] + ".bin"


def _prefix_file(messages: Sequence[Message]) -> str | None:
    if not messages or messages[0].role != "system":
        return None
    return "p-" + hashlib.sha256(messages[0].content.encode()).hexdigest()[:24] + ".bin"


class EmbeddedLLM:
    """A GGUF model run in-process by llama.cpp, with per-conversation KV reuse."""

    def __init__(
        self,
        model: Path | Callable[[], Path],
        *,
        name: str = "",
        context_tokens: int = 4096,
        parallel: int = 2,
        threads: int = 0,
        kv_dir: Path | None = None,
        kv_files: int = 32,
        verbose: bool = False,
    ) -> None:
        self._model = model
        self.name = name or (model.stem if isinstance(model, Path) else "embedded")
        self._context_tokens = context_tokens
        self._parallel = parallel
        self._threads = threads or os.cpu_count() or 2
        self._kv_root = kv_dir
        self._kv_dir: Path | None = None
        self._kv_files = kv_files
        self._verbose = verbose
        self._server: Any = None
        self._socket_dir: str | None = None
        self._key = secrets.token_urlsafe(24)
        self._load_lock = asyncio.Lock()
        self._slot_of: OrderedDict[str, int] = OrderedDict()
        self._slot_locks = [asyncio.Lock() for _ in range(parallel)]
        self._slot_holds: list[str | None] = [None] * parallel

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory yet."""
        return self._server is not None

    async def load(self) -> None:
        """Load the weights (2-3 s for the default model); later calls return at once."""
        async with self._load_lock:
            if self._server is None:
                started = time.perf_counter()
                log.info("loading the chat model %s", self.name)
                try:
                    self._server = await asyncio.to_thread(self._start_server)
                except Exception:
                    log.exception("the chat model %s did not load", self.name)
                    raise
                log.info("chat model %s loaded in %.1f s", self.name, time.perf_counter() - started)

    def _start_server(self) -> Any:
        path = self._model if isinstance(self._model, Path) else self._model()
        with path.open("rb") as fh:
            if fh.read(4) != GGUF_MAGIC:
                raise ModelError(
                    f"{path} is not a GGUF model file (it may be corrupt or partial).",
                    "Run `os1 models install` again, or `os1 models use` another file.",
                )
        if self._kv_root is not None:
            self._kv_dir = self._kv_root / f"{path.stem}-{path.stat().st_size}"
        import xllamacpp

        clear_stale_socket_dirs()
        self._socket_dir = make_socket_dir()
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_parallel = self._parallel
        params.n_ctx = self._context_tokens * self._parallel
        params.cpuparams.n_threads = self._threads
        params.cpuparams_batch.n_threads = self._threads
        params.hostnames = [os.path.join(self._socket_dir, "llm.sock")]
        params.api_keys = [self._key]
        params.endpoint_slots = True
        params.warmup = False
        params.fit_params = False  # probing memory fits costs ~1 s of every start on a CPU
        params.n_cache_reuse = 16  # shift and reuse cached chunks when old turns are trimmed
        params.verbosity = 3 if self._verbose else -1
        if self._kv_dir is not None:
            private_dir(self._kv_dir)  # the states hold the conversations' words
            params.slot_save_path = str(self._kv_dir) + os.sep
        try:
            return xllamacpp.Server(params)
        except Exception as exc:
            raise ModelError(
                f"llama.cpp could not load {path} ({exc}).",
                "The file may be damaged: run `os1 models install` again.",
            ) from exc

    def _post(self, path: str, body: dict[str, Any], params: dict[str, str] | None = None) -> Any:
        """Call llama.cpp's HTTP side on its private socket; None if it refused or is gone."""
        if self._socket_dir is None:
            return None
        transport = httpx.HTTPTransport(uds=os.path.join(self._socket_dir, "llm.sock"))
        with httpx.Client(transport=transport, timeout=60) as client:
            response = client.post(
                f"http://os1-llm{path}",
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {self._key}"},
            )
        return response.json() if response.status_code == 200 else None

    def _slot_request(self, slot: int, action: str, filename: str) -> bool:
        """Save or restore a slot through llama.cpp's slot endpoint; False if it refused."""
        return self._post(f"/slots/{slot}", {"filename": filename}, {"action": action}) is not None

    async def _claim_slot(self, session: str | None, messages: Sequence[Message]) -> int:
        """Pick the slot for a session and make sure it holds that session's state."""
        if session is not None and session in self._slot_of:
            self._slot_of.move_to_end(session)
            slot = self._slot_of[session]
        else:
            free = [i for i in range(self._parallel) if i not in self._slot_of.values()]
            if free:
                slot = free[0]
            else:
                _, slot = self._slot_of.popitem(last=False)
            if session is not None:
                self._slot_of[session] = slot
        await self._slot_locks[slot].acquire()
        if session is not None and self._slot_holds[slot] != session:
            await asyncio.to_thread(self._restore, slot, session, messages)
            self._slot_holds[slot] = session
        elif session is None:
            self._slot_holds[slot] = None
        return slot

    def _restore(self, slot: int, session: str, messages: Sequence[Message]) -> None:
        if self._kv_dir is None or self._kv_files == 0:
            return
        for name in (_session_file(session), _prefix_file(messages)):
            if name and (self._kv_dir / name).exists():
                with contextlib.suppress(httpx.HTTPError):
                    if self._slot_request(slot, "restore", name):
                        return

    def _save(self, slot: int, session: str, messages: Sequence[Message]) -> None:
        if self._kv_dir is None or self._kv_files == 0:
            return
        name = _session_file(session)
        partial = f"partial-{secrets.token_hex(6)}.bin"
        with contextlib.suppress(httpx.HTTPError, OSError):
            # Written under a temporary name and renamed, so a process killed while
            # saving never leaves a half-written state for the next one to restore.
            if not self._slot_request(slot, "save", partial):
                return
            os.chmod(self._kv_dir / partial, PRIVATE_FILE)
            os.replace(self._kv_dir / partial, self._kv_dir / name)
            prefix = _prefix_file(messages)
            if prefix and not (self._kv_dir / prefix).exists():
                shutil.copyfile(self._kv_dir / name, self._kv_dir / partial)
                os.chmod(self._kv_dir / partial, PRIVATE_FILE)
                os.replace(self._kv_dir / partial, self._kv_dir / prefix)
            saved = sorted(self._kv_dir.glob("*.bin"), key=lambda p: p.stat().st_mtime)
            for old in saved[: max(0, len(saved) - self._kv_files)]:
                old.unlink(missing_ok=True)

    def _request(
        self, messages: Sequence[Message], options: GenerationOptions, slot: int
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": [m.as_dict() for m in messages],
            "stream": True,
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "id_slot": slot,
            "cache_prompt": True,
        }
        if options.stop:
            request["stop"] = list(options.stop)
        if options.json_schema is not None:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": options.json_schema},
            }
        return request

    async def prefill(self, messages: Sequence[Message], options: GenerationOptions) -> None:
        """Read a conversation and the last message's words so far into the session's slot.

        Used while the person is still speaking, so that the turn only reads
        what is new. The last message is left open (no end-of-message and
        reply markers), because more words may follow; those markers alone
        cost about a quarter of a second each time on two cores. Nothing is
        saved to disk, and the one token llama.cpp insists on sampling is
        thrown away.
        """
        await self.load()
        slot = await self._claim_slot(options.session, messages)
        work = asyncio.ensure_future(asyncio.to_thread(self._read_open, slot, messages))
        try:
            await asyncio.shield(work)
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:
            raise LLMUnavailable(f"The embedded model could not read ahead: {exc}.") from exc
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(work)  # llama.cpp cannot stop mid-prompt: keep the slot
            self._slot_locks[slot].release()

    def _read_open(self, slot: int, messages: Sequence[Message]) -> None:
        rendered = self._post("/apply-template", {"messages": [m.as_dict() for m in messages]})
        words = messages[-1].content if messages else ""
        prompt = rendered.get("prompt", "") if isinstance(rendered, dict) else ""
        end = prompt.rfind(words) if words else -1
        if end < 0:
            return
        request = {
            "prompt": prompt[: end + len(words)],
            "n_predict": 1,
            "temperature": 0.0,
            "id_slot": slot,
            "cache_prompt": True,
        }
        self._server.handle_completions(request, lambda _chunk: False)

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """Stream a reply; closing the iterator stops llama.cpp at the next token."""
        await self.load()
        slot = await self._claim_slot(options.session, messages)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[_Chunk] = asyncio.Queue()
        stop = threading.Event()

        def on_chunk(chunk: Any) -> bool:
            loop.call_soon_threadsafe(queue.put_nowait, ("chunk", chunk))
            return stop.is_set()

        def run() -> None:
            try:
                result = self._server.handle_chat_completions(
                    self._request(messages, options, slot), on_chunk
                )
                loop.call_soon_threadsafe(queue.put_nowait, ("done", result))
            except Exception as exc:  # reported to the consumer, not lost in the thread
                loop.call_soon_threadsafe(queue.put_nowait, ("failed", exc))

        worker = loop.run_in_executor(None, run)
        finished = False
        try:
            while True:
                kind, payload = await queue.get()
                if kind == "failed":
                    raise LLMUnavailable(
                        f"The embedded model failed: {payload}.",
                        "Run with --debug for details.",
                    )
                _raise_if_error(payload)
                if kind == "done":
                    finished = True
                    break
                for choice in payload.get("choices", []):
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text
                if any(c.get("finish_reason") for c in payload.get("choices", [])):
                    finished = True
                    break
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.shield(worker)
            try:
                # Only a reply that ran to its end is kept on disk: saving a long
                # conversation takes a while, and a reply that was cut short (a
                # withdrawn early start, an interruption) would only delay the
                # request waiting for this slot.
                if finished and options.session is not None:
                    await asyncio.shield(
                        asyncio.to_thread(self._save, slot, options.session, messages)
                    )
            finally:
                self._slot_locks[slot].release()

    async def aclose(self) -> None:
        """Stop llama.cpp and remove its socket."""
        # Dropping the last reference stops llama.cpp's loop (its destructor joins it).
        self._server = None
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None


def _raise_if_error(payload: Any) -> None:
    if isinstance(payload, dict) and payload.get("error"):
        error = payload["error"]
        message = error.get("message", str(error)) if isinstance(error, dict) else str(error)
        if "context" in message.lower():
            raise LLMUnavailable(
                f"The message does not fit in the model's context ({message}).",
                "Shorten it, or raise context_tokens in the settings.",
            )
        raise LLMUnavailable(f"The embedded model refused the request: {message}.")


def create(settings: Settings, paths: Paths, spec: str) -> EmbeddedLLM:
    """Build the embedded backend for a model name or GGUF path."""
    return EmbeddedLLM(
        lambda: resolve_model_file(spec, paths),
        name=Path(spec).stem if spec.endswith(".gguf") else spec,
        context_tokens=settings.context_tokens,
        parallel=settings.parallel_conversations,
        threads=settings.threads,
        kv_dir=paths.kv_cache_dir,
        kv_files=settings.kv_cache_files,
        verbose=bool(os.environ.get("OS1_DEBUG")),
    )
