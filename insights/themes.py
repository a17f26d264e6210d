"""Themes: scrubbed questions grouped by meaning, labelled by their characteristic terms.

Pure functions over vectors and texts (no database), so the same inquiries always give the
same themes and ids:

- `cluster` groups unit-length embeddings by average-linkage agglomeration on cosine
  distance, cut at a distance threshold (how many themes there are follows from the data,
  not a guessed k). Above `direct_limit` questions the quadratic step runs on k-means
  micro-clusters instead: clinicians repeat questions, so the k-means sees each distinct
  embedding once, weighted by how often it was asked, starting from a seeded choice of
  distinct embeddings (k-means++ seeding of 2,500 centres alone took minutes at 50,000).
- `characteristic_terms` is class-based TF-IDF (c-TF-IDF): a term scores high in a theme
  when it is frequent there and rare across themes.
- `theme_id` hashes the member ids; `match_previous` hands an earlier theme's id to the
  new theme that holds most of its members, so a planner's bookmark survives a rebuild.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

NOISE = -1
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
# Words every clinical question uses: they would label every theme.
_CLINICAL_FILLER = frozenset(
    "pt pts patient patients yo y/o year years old male female man woman child kid adult "
    "adults dose doses dosing treat treatment tx management manage best first line ok "
    "need needs use using start started give given recommended recommend guideline "
    "guidelines vs versus approach next step steps question questions hx history "
    "should ok okay thanks pls please just does way know thing".split()
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | _CLINICAL_FILLER)


def clean(text: str) -> str:
    """Scrubbed text without PHI placeholders ("[NAME]" carries no topic)."""
    return _PLACEHOLDER.sub(" ", text)


def cluster(
    vectors: np.ndarray, *, distance: float, min_size: int, direct_limit: int = 2500,
    micro_size: int = 12,
) -> np.ndarray:
    """A theme number per row (0, 1, ... by descending size; NOISE for tiny groups)."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.array([0 if min_size <= 1 else NOISE])
    if n <= direct_limit:
        raw = _agglomerate(vectors, distance)
    else:  # micro-clusters first: the quadratic step then sees a few thousand centroids
        raw = _agglomerate_micro(vectors, distance, direct_limit, micro_size)
    return _renumber(raw, min_size)


def _agglomerate_micro(vectors: np.ndarray, distance: float, limit: int, micro_size: int,
                       *, iterations: int = 10) -> np.ndarray:
    """Raw group per row via weighted k-means micro-clusters of the distinct embeddings.

    Identical rows (the same question asked again) always share a micro-cluster, so
    clustering them once with their count as weight is the same problem, smaller. The
    starting centres are distinct embeddings drawn with a fixed seed (deterministic, and
    free, where k-means++ seeding costs k passes over the data)."""
    distinct, row_of = _distinct_rows(vectors)
    counts = np.bincount(row_of, minlength=len(distinct)).astype(np.float64)
    k = min(max(len(vectors) // micro_size, limit // 4), limit, len(distinct))
    start = distinct[np.sort(np.random.default_rng(0).choice(len(distinct), k,
                                                             replace=False))]
    micro = KMeans(n_clusters=k, init=start, n_init=1, max_iter=iterations,
                   random_state=0).fit(distinct, sample_weight=counts)
    centroids = _unit(micro.cluster_centers_)
    return _agglomerate(centroids, distance)[micro.labels_][row_of]


def _distinct_rows(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows (in first-seen order) and, per row, the index of its copy."""
    first: dict[bytes, int] = {}
    row_of = np.fromiter((first.setdefault(row.tobytes(), len(first)) for row in vectors),
                         dtype=np.int64, count=len(vectors))
    _, first_rows = np.unique(row_of, return_index=True)
    return vectors[first_rows], row_of


def _agglomerate(vectors: np.ndarray, distance: float) -> np.ndarray:
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
    )
    return model.fit_predict(vectors)


def _renumber(raw: np.ndarray, min_size: int) -> np.ndarray:
    """Largest group first, ties by first member: numbering independent of the library."""
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(raw):
        groups.setdefault(int(label), []).append(row)
    ordered = sorted(groups.values(), key=lambda rows: (-len(rows), rows[0]))
    out = np.full(len(raw), NOISE, dtype=int)
    for number, rows in enumerate(r for r in ordered if len(r) >= min_size):
        out[rows] = number
    return out


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


def centroid(vectors: np.ndarray) -> np.ndarray:
    return _unit(vectors.mean(axis=0, keepdims=True))[0]


def characteristic_terms(docs_per_theme: Sequence[Sequence[str]], *, top: int = 8
                         ) -> list[list[str]]:
    """c-TF-IDF terms per theme: tf within the theme times log(1 + A / f(term)), where A is
    the average word count of a theme and f the term's count over all themes."""
    if not docs_per_theme:
        return []
    docs = [clean(d).lower() for theme in docs_per_theme for d in theme]
    owner = np.repeat(np.arange(len(docs_per_theme)), [len(t) for t in docs_per_theme])
    vectorizer = CountVectorizer(
        stop_words=STOP_WORDS, ngram_range=(1, 2), token_pattern=r"(?u)\b[a-z][a-z0-9\-]+\b"
    )
    try:
        per_doc = vectorizer.fit_transform(docs).tocsr()
    except ValueError:  # only stop words
        return [[] for _ in docs_per_theme]
    membership = np.zeros((len(docs_per_theme), len(docs)))
    membership[owner, np.arange(len(docs))] = 1
    counts = np.asarray((per_doc.T @ membership.T).T)  # themes x terms
    present = np.asarray(((per_doc > 0).astype(float).T @ membership.T).T)
    vocab = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    average = counts.sum() / len(docs_per_theme)
    idf = np.log1p(average / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    result = []
    for row, seen, size in zip(scores, present, membership.sum(axis=1), strict=True):
        # a label term must be used by a fair share of the theme's questions, not by one
        floor = max(2.0, 0.2 * size)
        order = sorted(np.flatnonzero(seen >= floor), key=lambda i: (-row[i], vocab[i]))
        result.append(_distinct([vocab[i] for i in order], top))
    return result


def _distinct(ranked: list[str], top: int) -> list[str]:
    """Best terms without repeats: a phrase whose words are all chosen already adds nothing."""
    chosen: list[str] = []
    covered: set[str] = set()
    for term in ranked:
        words = set(term.split())
        if words <= covered:
            continue
        chosen.append(term)
        covered |= words
        if len(chosen) == top:
            break
    return chosen


def label(terms: Sequence[str]) -> str:
    return " · ".join(terms[:3]) or "unlabelled"


def theme_id(member_ids: Sequence[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(member_ids)).encode()).hexdigest()
    return f"t{digest[:8]}"


def match_previous(
    new_groups: Sequence[set[str]], old_groups: dict[str, set[str]], *, min_jaccard: float
) -> list[str | None]:
    """For each new group, the id of the earlier theme it continues (or None).

    Greedy by overlap, largest first, each old id used once; overlap is counted only over
    inquiries that exist in both runs, so deleted (e.g. demo) rows do not break the match.
    """
    present = set().union(*new_groups) if new_groups else set()
    old_size: dict[str, int] = {}
    owner: dict[str, str] = {}  # inquiry id -> old theme (each inquiry had one theme)
    for old_id, old_members in old_groups.items():
        here = old_members & present
        old_size[old_id] = len(here)
        owner.update(dict.fromkeys(here, old_id))
    pairs = []
    for index, group in enumerate(new_groups):  # overlaps counted once per member, not
        shared_with: dict[str, int] = {}       # per (new, old) pair: 50,000 stay fast
        for member in group:
            old_id = owner.get(member)
            if old_id is not None:
                shared_with[old_id] = shared_with.get(old_id, 0) + 1
        for old_id, shared in shared_with.items():
            jaccard = shared / (len(group) + old_size[old_id] - shared)
            pairs.append((-jaccard, -shared, index, old_id))
    pairs.sort()
    result: list[str | None] = [None] * len(new_groups)
    used: set[str] = set()
    for negative_jaccard, _, index, old_id in pairs:
        if -negative_jaccard < min_jaccard or result[index] is not None or old_id in used:
            continue
        result[index] = old_id
        used.add(old_id)
    return result
