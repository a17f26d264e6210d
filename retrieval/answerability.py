"""The learned answerability signal: does this card answer this question?

A small cross-encoder (MiniLM, fine-tuned by `bench/train_answerability.py` on the
calibrate split of the development question sets, int8 ONNX) reads the question and the
card's title and opening together. Its probability reranks the best few cards and joins
the abstention rule as a feature. Without the model file, the signal is absent (0.5) and
retrieval behaves as before, so a missing artefact degrades quality, never availability.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import numpy as np

MAX_TOKENS = 128
MODEL_DIR = Path(__file__).resolve().parent / "answerability_model"
_SECTION = re.compile(r"^##\s+", re.M)


def card_text(title: str, body: str, *, chars: int = 600) -> str:
    """What the cross-encoder reads of a card: the title, then the text from the top
    (bottom line first), without Markdown headings or citation markers."""
    text = _SECTION.sub("", body)
    text = re.sub(r"\s*\[\d+(?:[,-]\s*\d+)*\]", "", text)
    flat = re.sub(r"\s+", " ", text)
    return f"{title}. {flat[:chars]}"


class AnswerabilityModel:
    """Scores (question, card text) pairs; one ONNX session per process."""

    def __init__(self, folder: Path = MODEL_DIR, *, threads: int = 0) -> None:
        self.folder = folder
        self.threads = threads

    @property
    def available(self) -> bool:
        return (self.folder / "answerability-int8.onnx").exists()

    @cached_property
    def _session(self):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if self.threads:
            options.intra_op_num_threads = self.threads
        return ort.InferenceSession(str(self.folder / "answerability-int8.onnx"), options,
                                    providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
        tokenizer.enable_padding()
        return tokenizer

    def probabilities(self, question: str, texts: list[str]) -> list[float]:
        """P(card answers question) for each text; 0.5 each when no model is installed."""
        if not texts:
            return []
        if not self.available:
            return [0.5] * len(texts)
        encoded = self._tokenizer.encode_batch([(question, text) for text in texts])
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        logits = self._session.run(["logits"], feed)[0].reshape(-1)
        return [float(p) for p in 1 / (1 + np.exp(-logits))]
