"""Retrieval, abstention, ingest, latency and memory figures on the development data.

Every figure is printed next to a plain dense-only baseline measured in the same run
(Chroma top-k with the same MiniLM encoder; for abstention, a threshold on the top dense
score set to answer the same share of covered questions as Curbside does). Questions,
removed topics and removed abstracts come from the `test` split only (`evals/splits/`):
the abstention weights were fitted on `calibrate`.

    python -m bench.bench_retrieval [--reuse]      (--reuse skips the timed re-ingest)
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time

from bench.common import DATA, WORK, mrr, read_jsonl, recall_at, service
from evals.splits import load_split
from retrieval.models import Document

SEED = 2024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true", help="reuse built indexes")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"development data not found at {DATA} (set CURBSIDE_DATA)")
    medquad(reuse=args.reuse)
    pubmedqa(reuse=args.reuse)


def _build(name: str, docs: list[Document], *, reuse: bool):
    home = WORK / name
    if not reuse:
        shutil.rmtree(home, ignore_errors=True)
    curbside = service(home)
    started = time.perf_counter()
    report = curbside._ingest(docs, progress=False)
    seconds = time.perf_counter() - started
    rate = report.changed / seconds if report.changed else float("nan")
    return curbside, rate, report


def _ranked(curbside, questions: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    searcher = curbside.searcher()
    hybrid, dense = [], []
    for question in questions:
        docs: list[str] = []
        for passage in searcher.search(question, k=10).passages:
            if passage.doc_id not in docs:
                docs.append(passage.doc_id)
        hybrid.append(docs)
        dense.append([doc_id for doc_id, _ in searcher.dense_only(question, k=10)])
    return hybrid, dense


def _row(label: str, ours: float, base: float, fmt: str = "{:.1f}") -> None:
    print(f"  {label:<44} {fmt.format(ours):>8}   baseline {fmt.format(base):>8}")


def _abstention(curbside, removed_q: list[str], covered_q: list[str]) -> None:
    """Abstain rate on questions whose source was removed, answer rate on the rest."""

    def run(questions):
        decisions, top_dense = [], []
        for question in questions:
            answer = curbside.answer(question)
            decisions.append(answer.abstained)
            hits = curbside.searcher().dense_only(question, k=1)
            top_dense.append(hits[0][1] if hits else 0.0)
        return decisions, top_dense

    removed_abstain, removed_dense = run(removed_q)
    covered_abstain, covered_dense = run(covered_q)
    answer_rate = 100 * (1 - sum(covered_abstain) / len(covered_abstain))
    abstain_rate = 100 * sum(removed_abstain) / len(removed_abstain)
    # Baseline: dense threshold answering the same share of covered questions.
    cut = sorted(covered_dense)[int(round((1 - answer_rate / 100) * (len(covered_dense) - 1)))]
    base_abstain = 100 * sum(d < cut for d in removed_dense) / len(removed_dense)
    base_answer = 100 * sum(d >= cut for d in covered_dense) / len(covered_dense)
    _row(f"abstained, source removed (n={len(removed_q)}) %", abstain_rate, base_abstain)
    _row(f"answered, source present (n={len(covered_q)}) %", answer_rate, base_answer)


def medquad(*, reuse: bool) -> None:
    records = read_jsonl(DATA / "medquad" / "medquad_kb.jsonl")
    docs = [Document(id=r["id"], title=r["focus"], text=r["answer"], url=r["url"],
                     source=r["source"]) for r in records]
    curbside, rate, report = _build("medquad", docs, reuse=reuse)
    print(f"MedQuAD KB: {len(docs)} passages")
    if report.changed:
        print(f"  ingest: {rate:.1f} passages/s ({report.chunks_embedded} embedded, "
              f"{report.seconds:.0f} s); peer baseline 35-42 passages/s")
    test_topics = load_split("medquad")["test"]
    tested = [r for r in records if r["topic_id"] in test_topics]
    sample = random.Random(SEED).sample(tested, 1000)
    hybrid, dense = _ranked(curbside, [r["question"] for r in sample])
    strict = [{r["id"]} for r in sample]
    by_key: dict[str, set[str]] = {}
    for r in records:
        by_key.setdefault(r["doc_key"], set()).add(r["id"])
    lenient = [by_key[r["doc_key"]] for r in sample]
    for k in (1, 5, 10):
        _row(f"strict recall@{k}", recall_at(hybrid, strict, k), recall_at(dense, strict, k))
    _row("strict MRR", mrr(hybrid, strict), mrr(dense, strict), "{:.3f}")
    for k in (1, 5, 10):
        _row(f"lenient recall@{k}", recall_at(hybrid, lenient, k), recall_at(dense, lenient, k))

    probe_file = WORK / "probe_questions.jsonl"
    probe_file.write_text("\n".join(json.dumps({"question": r["question"]}) for r in sample[:500]))
    probe = subprocess.run(
        [sys.executable, "-m", "bench.probe_serving", str(WORK / "medquad"), str(probe_file)],
        capture_output=True, text=True, check=True,
    )
    serving = json.loads(probe.stdout.strip().splitlines()[-1])
    print(f"  full answer latency (scrub+retrieve+compose, n={serving['questions']}): "
          f"p50 {serving['p50_ms']} ms, p95 {serving['p95_ms']} ms; "
          f"peak memory serving the index {serving['peak_rss_mb']} MB "
          f"(model+index load {serving['load_s']} s)")

    # Abstention: remove 10% of topics (every record of the topic) and ask their questions.
    topics = sorted({r["topic_id"] for r in tested})
    removed_topics = set(random.Random(SEED + 1).sample(topics, len(topics) // 5))
    removed = [r for r in tested if r["topic_id"] in removed_topics]
    covered = [r for r in tested if r["topic_id"] not in removed_topics]
    holdout_home = WORK / "medquad-holdout"
    shutil.rmtree(holdout_home, ignore_errors=True)
    shutil.copytree(WORK / "medquad", holdout_home)
    held = service(holdout_home)
    from retrieval.ingest import remove

    remove(held.files, [r["id"] for r in removed])
    rng = random.Random(SEED + 2)
    print(f"  abstention with {len(removed_topics)} of {len(topics)} test topics removed:")
    _abstention(held, [r["question"] for r in rng.sample(removed, min(500, len(removed)))],
                [r["question"] for r in rng.sample(covered, 500)])


def pubmedqa(*, reuse: bool) -> None:
    rows = read_jsonl(DATA / "pubmedqa" / "pqal_dev.jsonl")
    docs = [Document(id=r["pmid"], title=f"PubMed {r['pmid']}", text=" ".join(r["contexts"]),
                     url=f"https://pubmed.ncbi.nlm.nih.gov/{r['pmid']}/") for r in rows]
    curbside, rate, report = _build("pubmedqa", docs, reuse=reuse)
    print(f"PubMedQA dev: {len(docs)} abstracts")
    test_ids = load_split("pubmedqa")["test"]
    rows = [r for r in rows if r["pmid"] in test_ids]
    print(f"  test split: {len(rows)} questions")
    hybrid, dense = _ranked(curbside, [r["question"] for r in rows])
    gold = [{r["pmid"]} for r in rows]
    for k in (1, 5):
        _row(f"recall@{k}", recall_at(hybrid, gold, k) / 100, recall_at(dense, gold, k) / 100,
             "{:.3f}")
    removed_ids = set(random.Random(SEED + 3).sample([r["pmid"] for r in rows], 60))
    holdout_home = WORK / "pubmedqa-holdout"
    shutil.rmtree(holdout_home, ignore_errors=True)
    shutil.copytree(WORK / "pubmedqa", holdout_home)
    held = service(holdout_home)
    from retrieval.ingest import remove

    remove(held.files, sorted(removed_ids))
    print("  abstention with 60 test abstracts removed:")
    _abstention(held, [r["question"] for r in rows if r["pmid"] in removed_ids],
                [r["question"] for r in rows if r["pmid"] not in removed_ids])


if __name__ == "__main__":
    main()
