"""Theme quality on MedQuAD development questions: AMI with the `focus` labels, ours
against k-means from the same run (issue 11 target).

Run from the repo root:  .venv/bin/python -m bench.bench_insights [--limit N]

Only questions are read (answers never are), from the topics of the `calibrate` split in
evals/splits/medquad.json (the test topics stay untouched). Questions are embedded with the
packaged encoder exactly as insights embed inquiries, then grouped:
- ours: `insights.themes.cluster` (shipped settings, and a finer distance), then questions
  left out join the nearest theme when close enough (as between rebuilds); the rest stay
  singletons;
- k-means with as many clusters as we found (the same budget of groups), same vectors;
- with --oracle, k-means told the true number of `focus` labels (a k no planner has).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score

from bench.common import DATA, WORK, read_jsonl, service
from insights import themes
from insights.settings import InsightsSettings

SPLITS = Path(__file__).resolve().parents[1] / "evals" / "splits" / "medquad.json"


def development_questions(limit: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(questions, focus labels) of development topics drawn at random until `limit`
    questions: whole topics, so each focus keeps its several questions (sampling single
    questions would leave most focus labels with one question and nothing to group)."""
    topics = set(json.loads(SPLITS.read_text())["calibrate"])
    by_topic: dict[str, set[tuple[str, str]]] = {}
    for r in read_jsonl(DATA / "medquad" / "medquad_kb.jsonl"):
        if r["topic_id"] in topics and r.get("question") and r.get("focus"):
            by_topic.setdefault(r["topic_id"], set()).add((r["question"], r["focus"]))
    order = sorted(by_topic)
    random.Random(seed).shuffle(order)
    rows: list[tuple[str, str]] = []
    for topic in order:
        if limit and len(rows) >= limit:
            break
        rows += sorted(by_topic[topic])
    return [q for q, _ in rows], [f for _, f in rows]


def ours(matrix: np.ndarray, settings: InsightsSettings) -> np.ndarray:
    labels = themes.cluster(matrix, distance=settings.theme_distance,
                            min_size=settings.min_theme_size)
    count = int(labels.max(initial=-1)) + 1
    noise = np.flatnonzero(labels == themes.NOISE)
    if count and len(noise):
        centroids = np.stack([themes.centroid(matrix[labels == n]) for n in range(count)])
        similarity = matrix[noise] @ centroids.T
        best = similarity.argmax(axis=1)
        close = similarity[np.arange(len(noise)), best] >= settings.join_similarity
        labels[noise[close]] = best[close]
    left = labels == themes.NOISE
    labels[left] = count + np.arange(int(left.sum()))  # each a group of its own
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=2000,
                        help="about this many questions, whole development topics (0: all)")
    parser.add_argument("--oracle", action="store_true",
                        help="also k-means told the true number of focus labels (slow)")
    args = parser.parse_args()
    questions, focus = development_questions(args.limit)
    settings = InsightsSettings()
    encoder = service(WORK / "insights").files.embedder()
    started = time.perf_counter()
    matrix = np.asarray(encoder.embed([themes.clean(q) for q in questions]), dtype=np.float32)
    embed_s = time.perf_counter() - started

    print(f"MedQuAD development questions: {len(questions)} questions, {len(set(focus))} "
          f"focus labels; embedded in {embed_s:.1f} s")
    # the shipped distance makes broad planner themes; focus labels are much finer, so a
    # finer distance is shown too (each against k-means with the same number of groups)
    for distance in (settings.theme_distance, 0.3):
        tuned = settings.model_copy(update={"theme_distance": distance})
        started = time.perf_counter()
        mine = ours(matrix, tuned)
        ours_s = time.perf_counter() - started
        groups = len(set(mine))
        themed = int((np.bincount(mine) >= settings.min_theme_size).sum())
        started = time.perf_counter()
        km = KMeans(n_clusters=groups, n_init=3, random_state=0).fit(matrix)
        km_s = time.perf_counter() - started
        shipped = " (shipped)" if distance == settings.theme_distance else ""
        print(f"distance {distance}{shipped}: {themed} themes of >= "
              f"{settings.min_theme_size} questions, {groups} groups with singletons")
        print(f"  ours (themes.cluster + join)   AMI {adjusted_mutual_info_score(focus, mine):.3f}"
              f"   {ours_s:5.1f} s")
        print(f"  k-means, k = {groups:<5}            AMI "
              f"{adjusted_mutual_info_score(focus, km.labels_):.3f}   {km_s:5.1f} s")
    if args.oracle:
        started = time.perf_counter()
        km = KMeans(n_clusters=len(set(focus)), n_init=1, random_state=0).fit(matrix)
        print(f"  k-means told the true focus count (oracle) AMI "
              f"{adjusted_mutual_info_score(focus, km.labels_):.3f}   "
              f"{time.perf_counter() - started:5.1f} s")


if __name__ == "__main__":
    main()
