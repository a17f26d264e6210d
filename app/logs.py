"""Console output of the command line and the served app: ours, and libraries' errors only.

Libraries talk about their internals: bm25s sets its logger to DEBUG, onnxruntime's
quantizer calls `logging.basicConfig(level=INFO)` when imported (so every later INFO and
DEBUG record reaches the console), torch's ONNX exporter emits TracerWarnings, and
transformers draws a progress bar while loading weights. None of it is actionable by a
site, and it buries the lines that are (where the first admin's password is, the URL, a
real error). Entry points call `configure_logging()` first; tests do not, so `caplog` and
pytest's warning capture see everything.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

# Modules whose Python warnings are about their own internals (matched where they warn).
_LIBRARIES = (
    r"(torch|transformers|sentence_transformers|onnx|onnxruntime|chromadb|bm25s|spacy|"
    r"presidio_analyzer|thinc|alembic)(\.|$)"
)


class _OursOrSerious(logging.Filter):
    """Our own warnings and errors; a library's only when it is an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".")[0] == "curbside" or record.levelno >= logging.ERROR


def configure_logging() -> None:
    """One stderr handler at WARNING on the root logger, installed before any library's.

    Idempotent. Once the root logger has a handler, a library's later `basicConfig`
    does nothing, and the handler's own level drops DEBUG records from libraries that set
    their logger's level themselves.
    """
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    warnings.filterwarnings("ignore", module=_LIBRARIES)
    root = logging.getLogger()
    if any(isinstance(f, _OursOrSerious) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.addFilter(_OursOrSerious())
    handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
