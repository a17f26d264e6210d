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
import sys
import time
from pathlib import Path

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


def smollm(home: Path, tmp: Path, limit: int) -> None:
    import local_llm

    server, url = local_llm.start()
    curbside = _curbside(home, tmp, "smollm2", url, max_tokens=150)
    firsts, totals, kept, dropped, fallbacks = [], [], 0, 0, 0
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
        kept += record.get("kept", 0)
        dropped += record.get("dropped", 0)
        fallbacks += bool(record.get("fallback"))
    print(f"smollm2: {limit} questions, claims kept {kept}, dropped {dropped}, fallbacks "
          f"{fallbacks}; first verified sentence median "
          f"{sorted(firsts)[len(firsts) // 2] if firsts else float('nan'):.2f} s "
          f"({len(firsts)} answers had one); whole answer median "
          f"{sorted(totals)[len(totals) // 2]:.2f} s")
    del server


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".curbside"))
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--smollm", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scripted(args.home, Path(tmp), args.cases)
        if args.smollm:
            smollm(args.home, Path(tmp), args.smollm)


if __name__ == "__main__":
    main()
