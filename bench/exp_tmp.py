import random, sys
from bench.common import DATA, index_files, mrr, read_jsonl, recall_at
from retrieval.search import HybridSearcher
records = read_jsonl(DATA / "medquad" / "medquad_kb.jsonl")
sample = random.Random(7).sample(records, 1000)
files = index_files("medquad-lead")
def run(s, label):
    ranked = []
    for r in sample:
        res = s.search(r["question"], k=10)
        seen = []
        for p in res.passages:
            if p.doc_id not in seen: seen.append(p.doc_id)
        ranked.append(seen)
    gold = [{r["id"]} for r in sample]
    print(label, f"R@1 {recall_at(ranked, gold, 1):.1f} R@5 {recall_at(ranked, gold, 5):.1f} R@10 {recall_at(ranked, gold, 10):.1f} MRR {mrr(ranked, gold):.3f}", flush=True)
for iw in [float(x) for x in sys.argv[1:]]:
    run(HybridSearcher(files, candidates=50, dense_weight=0.7, intent_weight=iw), f"iw {iw}")
