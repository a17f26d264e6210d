"""Model-written answers behind the guard: what is shown, what is dropped, how fast.

    .venv/bin/python -m bench.bench_synthesis --home .curbside [--cases 60] [--smollm 5]

Against the scripted OpenAI-compatible server (tests/scripted_llm.py) over the shipped
`answerable` questions:
- `faithful` (opening sentences of the passages): faithful claims dropped (target 0);
- `planted` (faithful plus an invented drug, a tenfold dose, a false certainty in every
  answer): planted claims shown (target 0) and covered questions still answered by the
  model (target >= 80%).
With `--smollm N`, N questions through SmolLM2-135M-Instruct on llama.cpp: claims kept and
dropped, time to the first verified sentence and to the whole answer.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from app.services import Curbside  # noqa: E402
from app.settings import Settings  # noqa: E402
from retrieval.synthesis.claims import split_claims  # noqa: E402


def _questions(limit: int) -> list[str]:
    lines = (REPO / "evals/suites/answerable/cases.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:limit]


def _curbside(home: Path, tmp: Path, model: str, url: str, **limits) -> Curbside:
    settings = Settings(home=home, database_url=f"sqlite:///{tmp / f'{model}.db'}",
                        llm="openai", llm_model=model, openai_base_url=url,
                        synthesis={"timeout_s": 60.0, **limits})
    curbside = Curbside(settings)
    curbside.warm_up()
    return curbside


def scripted(home: Path, tmp: Path, limit: int) -> None:
    from scripted_llm import ScriptedServer, draft

    questions = _questions(limit)
    with ScriptedServer() as server:
        for model in ("faithful", "planted"):
            curbside = _curbside(home, tmp, model, server.base_url)
            asked = answered = synthesized = shown_planted = planted = dropped = 0
            for question in questions:
                before = len(server.requests)
                answer = curbside.ask(question).answer
                if answer.abstained:
                    continue
                answered += 1
                record = answer.signals.get("synthesis") or {}
                if len(server.requests) == before:
                    continue  # e.g. a computed dose: the model is not asked
                asked += 1
                synthesized += answer.mode == "synthesis"
                wrong = {c.text for c in split_claims(draft("hallucinated",
                                                            server.requests[-1]))}
                kept = {d["claim"] for d in record["decisions"] if d["kept"]}
                planted += len(wrong) if model == "planted" else 0
                shown_planted += len(wrong & kept) if model == "planted" else 0
                dropped += sum(not d["kept"] and d["claim"] not in wrong
                               for d in record["decisions"])
            print(f"{model}: {len(questions)} questions, {answered} answered, model asked "
                  f"{asked}, answered by the model {synthesized} "
                  f"({synthesized / max(asked, 1):.1%}); faithful claims dropped {dropped}"
                  + (f"; planted claims shown {shown_planted} of {planted}"
                     if model == "planted" else ""))


def _model_server(port: int) -> subprocess.Popen:
    """The local model in a process of its own, as `make serve-llm` runs it: its llama.cpp
    threads then never share a process (and an OpenMP runtime) with Curbside's encoder."""
    server = subprocess.Popen([sys.executable, str(REPO / "tests" / "local_llm.py"),
                               "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the local model server did not start within 120 s")


def smollm(home: Path, tmp: Path, limit: int, passage_text: str) -> None:
    import local_llm

    port = local_llm.free_port()
    server = _model_server(port)
    url = f"http://127.0.0.1:{port}/v1"
    # the limits `make serve-llm` sets for this model on a 2-core machine
    curbside = _curbside(home, tmp, "smollm2", url, max_tokens=150, max_passages=2,
                         passage_text=passage_text)
    firsts, totals, tokens, kept, dropped, fallbacks = [], [], [], 0, 0, 0
    for question in _questions(limit):
        seen: list[float] = []
        started = time.perf_counter()
        answer = curbside.ask(question,
                              on_claim=lambda _, seen=seen: seen.append(time.perf_counter())
                              ).answer
        totals.append(time.perf_counter() - started)
        if seen:
            firsts.append(seen[0] - started)
        record = answer.signals.get("synthesis") or {}
        if record.get("first_token_ms"):  # the prompt read: grows with the passages sent
            tokens.append(record["first_token_ms"] / 1000)
        kept += record.get("kept", 0)
        dropped += record.get("dropped", 0)
        fallbacks += bool(record.get("fallback"))
    print(f"smollm2: {limit} questions, claims kept {kept}, dropped {dropped}, fallbacks "
          f"{fallbacks}; first token median "
          f"{sorted(tokens)[len(tokens) // 2] if tokens else float('nan'):.2f} s; "
          f"first verified sentence median "
          f"{sorted(firsts)[len(firsts) // 2] if firsts else float('nan'):.2f} s "
          f"({len(firsts)} answers had one); whole answer median "
          f"{sorted(totals)[len(totals) // 2]:.2f} s")
    server.terminate()
    server.wait(timeout=30)


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".curbside"))
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--smollm", type=int, default=0)
    parser.add_argument("--passage-text", choices=("section", "quoted"), default="section",
                        help="what each fenced passage holds (CURBSIDE_SYNTHESIS__PASSAGE_TEXT)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.cases:
            scripted(args.home, Path(tmp), args.cases)
        if args.smollm:
            smollm(args.home, Path(tmp), args.smollm, args.passage_text)


if __name__ == "__main__":
    main()
