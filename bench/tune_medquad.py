"""Quick MedQuAD retrieval check used while tuning (full figures: bench/bench_retrieval.py)."""

import random
import sys
import time

from bench.common import DATA, index_files, mrr, read_jsonl, recall_at
from retrieval.corpus import Document
from retrieval.ingest import ingest
from retrieval.search import HybridSearcher

records = read_jsonl(DATA / "medquad" / "medquad_kb.jsonl")
docs = [Document(id=r["id"], title=r["focus"], text=r["answer"], url=r["url"]) for r in records]
files = index_files(
    sys.argv[1] if len(sys.argv) > 1 else "medquad-lead",
    quantized="fp32" not in (sys.argv[1] if len(sys.argv) > 1 else ""),
)
t = time.time()
report = ingest(files, docs, progress=False)
print(report, f"{len(docs) / (time.time() - t):.1f} docs/s")
sample = random.Random(7).sample(records, 1000)
for w in [float(x) for x in (sys.argv[2:] or ["0.7"])]:
    s = HybridSearcher(files, candidates=50, dense_weight=w)
    ranked, dense_ranked = [], []
    t = time.time()
    for r in sample:
        res = s.search(r["question"], k=10)
        seen = []
        for p in res.passages:
            if p.doc_id not in seen:
                seen.append(p.doc_id)
        ranked.append(seen)
    el = time.time() - t
    gold = [{r["id"]} for r in sample]
    print(
        f"w={w} R@1 {recall_at(ranked, gold, 1):.1f} R@5 {recall_at(ranked, gold, 5):.1f} "
        f"R@10 {recall_at(ranked, gold, 10):.1f} MRR {mrr(ranked, gold):.3f} {el / len(sample) * 1000:.1f} ms/q"
    )
