import sys

from bench.common import WORK, service

cs = service(WORK / "cards")
for q in sys.argv[1:]:
    r = cs.searcher().search(q, k=3)
    c = r.coverage
    print(q, c.top_doc, c.as_dict(), c.key_terms, c.missing)
