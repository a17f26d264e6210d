"""Insights at scale (issue 11 targets): `curbside insights rebuild` on 50,000 inquiries
(<= 60 s) and the planner pages' server time (<= 300 ms) with that data.

Run from the repo root:  .venv/bin/python -m bench.bench_insights_scale [--inquiries N]

The history is synthetic but shaped like a site's year: MedQuAD development questions
(questions only, never answers) with light clinician-style variation ("quick q:", "tx",
"in kids?"), asked by 600 clinicians of several specialties and professions over 12
months, popular questions asked far more often than rare ones (Zipf), about one topic in
seven not covered by the cards (abstentions), some low-confidence answers, and a
reflection after about one question in twelve. Fixed seed: the same history every run.

The database with its embeddings is kept under $CURBSIDE_BENCH_DIR/insights-scale (the
one-time embedding of ~20,000 distinct texts is the slow part and is reported on its own);
`--fresh` builds it again. Timing: the rebuild runs as the real CLI in a subprocess
(process start and model load included); pages are requested through the app in-process
(FastAPI TestClient, so the figure is server time without a network), each page once
cold (charts not yet drawn) then `--repeat` times. CPU seconds are printed beside wall
seconds (the rebuild's from the child process, a page's from this process, all threads)
with the load average: on a shared machine other work inflates wall time, not CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import DATA, WORK, percentile, read_jsonl

TODAY = date(2026, 12, 7)
SPECIALTIES = ("primary-care", "emergency", "pediatrics", "cardiology", "infectious-disease",
               "womens-health", "psychiatry", "hospital-medicine", "oncology", "neurology")
PROFESSIONS = ("physician", "physician", "physician", "nurse-practitioner",
               "physician-assistant", "pharmacist", "nurse")
ORIGINS = ("web", "web", "web", "api", "ehr")
PREFIXES = ("", "", "", "quick q: ", "pt asking: ", "in clinic today - ", "Q: ")
SUFFIXES = ("", "", "", " in adults", " in kids", " thx", " - any update?")
SHORTHAND = ((r"\btreatments?\b", "tx"), (r"\bdiagnos(is|e)\b", "dx"),
             (r"\bsymptoms\b", "sx"), (r"\bpatients?\b", "pt"))
VERSION = "1"  # bump when the generated history changes


def _base_questions() -> list[tuple[str, str]]:
    """(question, focus) of MedQuAD, 'What is (are) X ?' tidied as a person would type."""
    seen: dict[str, str] = {}
    for r in read_jsonl(DATA / "medquad" / "medquad_kb.jsonl"):
        q = (r.get("question") or "").replace("What is (are)", "What is").replace(" ?", "?")
        if q and r.get("focus"):
            seen.setdefault(q.strip(), r["focus"])
    return sorted(seen.items())


def _vary(question: str, rng: random.Random) -> str:
    text = question
    if rng.random() < 0.35:
        for pattern, short in SHORTHAND:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.25:
        text = text.rstrip("?")
    return f"{rng.choice(PREFIXES)}{text}{rng.choice(SUFFIXES)}"


def build(home: Path, inquiries: int, seed: int = 5) -> dict:
    """Write the synthetic history into a new database under `home`."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from app.accounts import User, create_user
    from app.services import Curbside
    from credit_capture.episodes import CHANGE_TYPES, Episode, Reflection
    from credit_capture.models import Inquiry

    rng = random.Random(seed)
    curbside = Curbside(_settings(home))
    curbside.ingest_cards()  # closest cards come from the real search
    bases = _base_questions()
    rng.shuffle(bases)
    foci = sorted({f for _, f in bases})
    uncovered = set(rng.sample(foci, len(foci) // 7))
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(bases))]
    users = [{"id": f"bench{i:04d}", "email": f"clinician{i:04d}@bench.invalid",
              "password_hash": "!bench", "active": False, "role": "learner",
              "specialty": rng.choice(SPECIALTIES), "profession": rng.choice(PROFESSIONS),
              "first_name": "", "last_name": "", "board": "", "board_id": "",
              "board_consent": False, "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
             for i in range(600)]
    activity = [rng.paretovariate(1.2) for _ in users]  # a few clinicians ask a lot
    end = datetime.combine(TODAY, datetime.min.time(), UTC)
    start = end - timedelta(days=365)
    rows, episodes, reflections = [], [], []
    for n in range(inquiries):
        question, focus = rng.choices(bases, weights)[0]
        learner = rng.choices(users, activity)[0]["id"]
        moment = start + timedelta(seconds=rng.randrange(365 * 86400))
        abstained = focus in uncovered
        score = -1.0 if abstained else (0.5 if rng.random() < 0.1 else 2.0 + rng.random())
        slug = re.sub(r"[^a-z0-9]+", "-", focus.lower()).strip("-")[:50]
        rows.append({
            "id": f"b{n:06d}", "question": _vary(question, rng), "created_at": moment,
            "learner_id": learner, "origin": rng.choice(ORIGINS), "abstained": abstained,
            "abstain_reason": "not covered" if abstained else None,
            "answer": "" if abstained else "An answer [1].", "mode": "extractive",
            "latency_ms": 40.0, "signals": {"decision_score": score}, "phi_kinds": [],
            "citations": [] if abstained else [{"doc_id": slug, "title": focus, "url":
                                                "https://example.org", "version": "v1",
                                                "score": 0.8}],
        })
        if rng.random() < 0.08:
            outcome = rng.choices(("changed", "confirmed", "reinforced"), (35, 40, 25))[0]
            episodes.append({"id": f"e{n:06d}", "learner_id": learner, "question": "q",
                             "abstained": abstained, "status": "reflected",
                             "inquiry_id": f"b{n:06d}", "sources": [], "joined": [],
                             "opened": [], "asked_at": moment, "opened_at": moment,
                             "due_at": moment + timedelta(days=30)})
            reflections.append({
                "id": f"r{n:06d}", "episode_id": f"e{n:06d}", "learner_id": learner,
                "reason": "patient care", "answered": "yes", "outcome": outcome,
                "created_at": moment + timedelta(hours=5), "fields_touched": 4,
                "change_types": (rng.sample(CHANGE_TYPES, 1) if outcome == "changed"
                                 else []), "own_sources": [],
                "barriers": "cost to the patient" if rng.random() < 0.2 else None})
    with Session(curbside.engine) as session:
        session.execute(insert(User), users)
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(Inquiry), rows[chunk:chunk + 5000])
        session.execute(insert(Episode), episodes)
        session.execute(insert(Reflection), reflections)
        create_user(session, email="planner@bench.invalid", password="bench-planner-pw",
                    role="planner")
        session.commit()
    return {"inquiries": inquiries, "distinct_texts": len({r["question"] for r in rows}),
            "clinicians": len(users), "reflections": len(reflections), "seed": seed,
            "version": VERSION}


def _settings(home: Path):
    from app.settings import Settings

    return Settings(home=home, database_url=f"sqlite:///{home / 'bench.db'}",
                    content_dir=Path(__file__).resolve().parents[1] / "content",
                    frozen_date=TODAY)


def rebuild_cli(home: Path) -> tuple[float, float, str]:
    """`curbside insights rebuild` as a user runs it: wall and CPU seconds (user + system,
    every thread of the child) and its report line."""
    import resource

    env = os.environ | {"CURBSIDE_HOME": str(home),
                        "CURBSIDE_DATABASE_URL": f"sqlite:///{home / 'bench.db'}",
                        "CURBSIDE_FROZEN_DATE": TODAY.isoformat()}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app.cli", "insights", "rebuild"], env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        raise SystemExit(f"rebuild failed: {done.stderr.strip()[-400:]}")
    return seconds, cpu, done.stdout.strip()


def pages(home: Path, repeat: int, snapshot: Path | None = None
          ) -> list[tuple[str, float, list[float], list[float]]]:
    """(path, cold ms, warm wall ms list, warm CPU ms list) for the main planner pages and
    the API. `snapshot`: also write each response body there (one file a page, named by
    its position), so two versions of the code can be diffed on the same database."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session, select

    from app.accounts import User, issue_api_token
    from app.main import create_app
    from insights.models import Theme

    with TestClient(create_app(_settings(home), warm=True)) as client:
        curbside = client.app.state.curbside
        with Session(curbside.engine) as session:
            planner = session.exec(select(User).where(User.role == "planner")).first()
            token = issue_api_token(session, user=planner, name="bench")
            session.commit()
            biggest = session.exec(select(Theme.id).where(Theme.active)
                                   .order_by(Theme.size.desc())).first()
        client.headers["authorization"] = f"Bearer {token}"
        paths = [
            "/insights", "/insights?weeks=52", "/insights?specialty=emergency",
            f"/insights/themes/{biggest}", f"/insights/themes/{biggest}?weeks=52",
            "/insights/export.csv?weeks=52", "/api/v1/insights/themes?weeks=52",
            "/api/v1/insights/dashboard",
        ]
        out = []
        for path in paths:
            timings, cpu = [], []
            for _ in range(repeat + 1):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                timings.append(1000 * (time.perf_counter() - started))
                cpu.append(1000 * (time.process_time() - started_cpu))
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
            if snapshot is not None:
                snapshot.mkdir(parents=True, exist_ok=True)
                (snapshot / f"page{len(out)}.txt").write_text(f"{path}\n{response.text}")
            out.append((path, timings[0], timings[1:], cpu[1:]))
        return out


def _load() -> str:
    return "load average " + " ".join(f"{n:.1f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inquiries", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--fresh", action="store_true", help="build the history again")
    parser.add_argument("--snapshot", type=Path, help="write each page's response here "
                        "(diff two runs to show a change kept every figure)")
    parser.add_argument("--no-rebuild", action="store_true",
                        help="time the pages on the database as it is")
    args = parser.parse_args()
    home = WORK / "insights-scale" / str(args.inquiries)
    meta = home / "history.json"
    if args.fresh or not meta.exists() or json.loads(meta.read_text()).get(
            "version") != VERSION:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        started = time.perf_counter()
        facts = build(home, args.inquiries)
        facts["build_s"] = round(time.perf_counter() - started, 1)
        meta.write_text(json.dumps(facts))
        seconds, cpu, line = rebuild_cli(home)
        print(f"first rebuild (embeds every distinct text once): {seconds:.1f} s wall, "
              f"{cpu:.1f} s CPU; {line}")
    facts = json.loads(meta.read_text())
    print(f"history: {facts['inquiries']} inquiries ({facts['distinct_texts']} distinct "
          f"texts) from {facts['clinicians']} clinicians over 12 months, "
          f"{facts['reflections']} reflections")
    if not args.no_rebuild:
        print(_load())
        seconds, cpu, line = rebuild_cli(home)
        print(f"curbside insights rebuild: {seconds:.1f} s wall, {cpu:.1f} s CPU (target <= "
              f"60 s wall); {line}")
    print(_load())
    results = pages(home, args.repeat, args.snapshot)
    warm_all: list[float] = []
    cpu_all: list[float] = []
    print(f"{'planner page (server time, ms)':50} {'cold':>7} {'p50':>7} {'p95':>7} "
          f"{'cpu p50':>8} {'cpu p95':>8}")
    for path, cold, warm, cpu_ms in results:
        warm_all += warm
        cpu_all += cpu_ms
        print(f"{path:50} {cold:7.0f} {percentile(warm, 50):7.0f} {percentile(warm, 95):7.0f} "
              f"{percentile(cpu_ms, 50):8.0f} {percentile(cpu_ms, 95):8.0f}")
    print(f"{'all pages (target p95 <= 300 ms)':50} {'':7} {percentile(warm_all, 50):7.0f} "
          f"{percentile(warm_all, 95):7.0f} {percentile(cpu_all, 50):8.0f} "
          f"{percentile(cpu_all, 95):8.0f}")
    print(_load())


if __name__ == "__main__":
    main()
