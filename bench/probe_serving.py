"""Serving probe, run in its own process: full-answer latency and peak memory.

Usage: python -m bench.probe_serving HOME QUESTIONS.jsonl  -> prints one JSON line.
Only what a server holds is loaded (ONNX encoder, Chroma, BM25, catalog, PHI scrubber), and
latency is measured around `Curbside.ask` (scrub, retrieve, compose) after warm-up.
"""

import json
import resource
import sys
import time
from pathlib import Path

from bench.common import percentile, read_jsonl, service


def main() -> None:
    home, questions = Path(sys.argv[1]), read_jsonl(Path(sys.argv[2]))
    curbside = service(home)
    started = time.perf_counter()
    curbside.warm_up()
    load_s = time.perf_counter() - started
    latencies = [curbside.ask(q["question"]).latency_ms for q in questions]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "questions": len(latencies),
                "load_s": round(load_s, 2),
                "p50_ms": round(percentile(latencies, 50), 1),
                "p95_ms": round(percentile(latencies, 95), 1),
                "peak_rss_mb": round(peak_mb),
            }
        )
    )


if __name__ == "__main__":
    main()
