"""Kill -9 bench: nothing a clinician was told is stored may be lost when the server dies.

    python -m bench.bench_kill9                     # 20 rounds, 2 workers
    python -m bench.bench_kill9 --rounds 5 --workers 1

Each round starts `curbside serve`, fires asks and claims from concurrent clinicians (half
signed in, as in `bench.bench_load`), and sends SIGKILL to the server's whole process group
at a random moment mid-burst, with requests in flight. After the last round every inquiry
and claim that was acknowledged (HTTP 2xx) is looked up in the database and `curbside
audit verify` must pass. With `CURBSIDE_DATABASE_URL` / `CURBSIDE_CHROMA_URL` set it runs
against PostgreSQL and a Chroma server. Bounded: every burst and request has a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.bench_load import (
    CLAIMS_PER_LEARNER,
    PASSWORD,
    REFLECTION,
    Tally,
    free_port,
    questions,
    start_server,
    stop_server,
    stored,
    wait_ready,
)

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Kill9Report:
    rounds: int
    inquiries_stored: int
    inquiries_acknowledged: int
    claims_stored: int
    claims_acknowledged: int
    audit_exit: int
    audit_output: str

    @property
    def lost(self) -> int:
        return (self.inquiries_acknowledged - self.inquiries_stored
                + self.claims_acknowledged - self.claims_stored)

    def lines(self) -> list[str]:
        return [
            f"kill -9: {self.rounds} rounds",
            f"  stored: inquiries {self.inquiries_stored}/{self.inquiries_acknowledged} "
            f"acknowledged, claims {self.claims_stored}/{self.claims_acknowledged} acknowledged",
            f"  audit verify: exit {self.audit_exit}: {self.audit_output.strip()[:300]}",
        ]


async def _clinician(client: httpx.AsyncClient, token: str | None, asked: list[str],
                     tally: Tally, rng: random.Random, claimed: dict[str, int]) -> None:
    """Ask; a signed-in clinician also opens a source and claims each answer, so every
    round has claims in flight when the server dies (under the annual cap)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    while True:
        try:
            response = await client.post("/api/v1/ask", headers=headers,
                                         json={"question": rng.choice(asked)})
            if response.status_code != 200:
                tally.failed(f"ask HTTP {response.status_code}", response.text)
                continue
            body = response.json()
            tally.inquiries.add(body["inquiry_id"])
            episode = body.get("episode_id")
            if not episode or claimed.get(token, 0) >= CLAIMS_PER_LEARNER:
                continue
            if body["citations"]:
                await client.post(f"/api/v1/inquiries/{body['inquiry_id']}/opened",
                                  headers=headers,
                                  json={"doc_id": body["citations"][0]["doc_id"], "via": "chip"})
            reflection = REFLECTION | ({"own_sources": ["Local formulary"]}
                                       if body["abstained"] else {})
            response = await client.post(f"/api/v1/episodes/{episode}/claim", headers=headers,
                                         json=reflection)
            if response.status_code == 200:
                tally.claims.update(claim["id"] for claim in response.json())
                claimed[token] = claimed.get(token, 0) + 1
        except httpx.HTTPError as exc:  # the server is gone: wait for the round to end
            tally.failed(type(exc).__name__, str(exc))
            await asyncio.sleep(0.05)


async def _burst(base: str, tokens: list[str | None], server: subprocess.Popen,
                 seconds: float, rng: random.Random, tally: Tally,
                 claimed: dict[str, int]) -> None:
    """Clinicians ask and claim until the kill; the server dies with requests in flight."""
    asked = questions()
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, timeout=20, limits=limits) as client:
        tasks = [asyncio.ensure_future(_clinician(client, token, asked, tally,
                                                  random.Random(rng.random()), claimed))
                 for token in tokens]
        await asyncio.sleep(rng.uniform(0.3, 1.0) * seconds)
        os.killpg(server.pid, signal.SIGKILL)
        await asyncio.sleep(0.3)  # responses already on the wire still arrive
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)


def run(home: Path, *, rounds: int, clients: int = 12, workers: int = 1,
        burst_seconds: float = 3.0, seed: int = 0, log=None) -> Kill9Report:
    """`rounds` kill -9 rounds against a server on `home` (indexed, database fresh or not)."""
    rng = random.Random(seed)
    signed_in = max(1, clients // 2)
    prefix = f"k9s{seed}r{rng.randrange(10**6)}"
    emails = add_learners_named(home, signed_in, prefix)
    tally, claimed = Tally(), {}
    tokens: list[str | None] | None = None
    log = log or subprocess.DEVNULL
    for _ in range(rounds):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(home, port, workers, log)
        try:
            wait_ready(base, server)
            if tokens is None:
                tokens = [httpx.post(f"{base}/api/v1/tokens", timeout=30,
                                     json={"email": e, "password": PASSWORD}).json()["token"]
                          for e in emails]
                tokens += [None] * (clients - signed_in)
            asyncio.run(_burst(base, tokens, server, burst_seconds, rng, tally, claimed))
        finally:
            if server.poll() is None:
                stop_server(server)
    kept_inq, acked_inq, kept_claims, acked_claims = stored(home, tally)
    audit = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"], cwd=REPO, capture_output=True,
        text=True, timeout=300, env={**os.environ, "CURBSIDE_HOME": str(home)})
    return Kill9Report(rounds, kept_inq, acked_inq, kept_claims, acked_claims,
                       audit.returncode, audit.stdout + audit.stderr)


def add_learners_named(home: Path, count: int, prefix: str) -> list[str]:
    """Learners whose addresses are new in this database (a bench home is reused)."""
    from sqlmodel import Session

    from app.accounts import Role, create_user
    from app.services import Curbside
    from app.settings import Settings

    emails = [f"{prefix}-{n}@bench.example" for n in range(count)]
    with Session(Curbside(Settings(home=home)).engine) as session:
        for email in emails:
            create_user(session, email=email, password=PASSWORD, role=Role.learner,
                        first_name="Bench", last_name="Kill", profession="physician")
    return emails


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--burst", type=float, default=4.0, help="seconds of load per round")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--home", type=Path,
                        default=Path.home() / ".cache" / "curbside-bench" / "kill9-home")
    args = parser.parse_args(argv)
    args.home.mkdir(parents=True, exist_ok=True)
    if not (args.home / "index").exists():
        print(f"indexing content/ into {args.home} (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "app.cli", "ingest"], cwd=REPO, check=True,
                       env={**os.environ, "CURBSIDE_HOME": str(args.home)})
    with (args.home / "serve.log").open("w") as log:
        report = run(args.home, rounds=args.rounds, clients=args.clients,
                     workers=args.workers, burst_seconds=args.burst, seed=args.seed, log=log)
    print("\n".join(report.lines()))
    return 1 if report.lost or report.audit_exit else 0


if __name__ == "__main__":
    sys.exit(main())
