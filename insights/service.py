"""The insights service: keeps themes current and answers planners' questions about them.

The encoder and the "closest cards" search are injected (the app passes the packaged
embedding model and its own searcher), so this package never loads a second model and
never imports `app/`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from insights import store, themes
from insights.mix import Profiles
from insights.models import Theme
from insights.settings import InsightsSettings


class Encoder(Protocol):
    fingerprint: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


Nearest = Callable[[str], list[dict]]  # query text -> [{"doc_id", "title", "score"}]


@dataclass(frozen=True)
class RebuildReport:
    inquiries: int
    embedded: int
    themes: int
    kept_ids: int
    unassigned: int
    seconds: float


@dataclass
class ThemeSummary:
    """One theme as the `themes --json` contract and the pages show it."""

    id: str
    label: str
    terms: list[str]
    clinicians: int
    questions: int
    abstention_rate: float
    cards: list[dict]
    near_cards: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "terms": self.terms,
                "clinicians": self.clinicians, "questions": self.questions,
                "abstention_rate": round(self.abstention_rate, 3), "cards": self.cards}


class Insights:
    def __init__(self, engine: Engine, *, settings: InsightsSettings,
                 encoder: Callable[[], Encoder], nearest: Nearest | None = None,
                 profiles: Profiles | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self._encoder = encoder
        self._nearest = nearest
        self.profiles = profiles  # specialty and profession of clinician ids, for the mix

    # embeddings --------------------------------------------------------------
    def embed_new(self, session: Session, *, listing: bool = False) -> int:
        """Embed readable inquiries that have no embedding from the current encoder.

        Clinicians ask the same questions again and again, so each distinct text (as the
        uncased encoder sees it: case and spacing do not matter) is embedded once; at
        50,000 inquiries embedding is most of the cost of a first rebuild. A page view
        asks the quick `store.has_unembedded` first; `listing` (the rebuild) lists the
        missing ones straight away, so a rebuild never depends on that shortcut."""
        encoder = self._encoder()
        if not listing and not store.has_unembedded(session, encoder.fingerprint):
            return 0
        pending = store.unembedded(session, encoder.fingerprint)
        by_text: dict[str, list[str]] = {}
        for inquiry_id, question in pending:
            key = " ".join(themes.clean(question).lower().split())
            by_text.setdefault(key, []).append(inquiry_id)
        texts = list(by_text)
        for start in range(0, len(texts), 512):
            batch = texts[start:start + 512]
            matrix = encoder.embed(batch)
            store.save_vectors(session, [(i, v) for text, v in zip(batch, matrix, strict=True)
                                         for i in by_text[text]], encoder.fingerprint)
            session.flush()
        return len(pending)

    # rebuild -----------------------------------------------------------------
    def rebuild(self, *, now: datetime | None = None) -> RebuildReport:
        """Cluster every readable inquiry again; persisting themes keep their ids."""
        started = time.perf_counter()
        now = now or datetime.now(UTC)
        s = self.settings
        with Session(self.engine) as session:
            embedded = self.embed_new(session, listing=True)
            self._facts_in_step(session)
            ids, matrix, _ = store.vectors(session)
            previous = store.memberships(session)
            labels = themes.cluster(matrix, distance=s.theme_distance, min_size=s.min_theme_size)
            members = [np.flatnonzero(labels == n) for n in range(int(labels.max(initial=-1)) + 1)]
            groups = [{ids[i] for i in rows} for rows in members]
            kept = themes.match_previous(groups, previous, min_jaccard=s.id_match_jaccard)
            by_id = {r.inquiry_id: r for r in store.rows(session)}
            docs = [[by_id[i].question for i in sorted(g)] for g in groups]
            terms = themes.characteristic_terms(docs)
            existing = {t.id: t for t in session.query(Theme).all()}
            store.retire_all(session)
            assignments: list[tuple[str, str | None, float]] = []
            for group, rows, old_id, group_terms in zip(groups, members, kept, terms,
                                                        strict=True):
                theme_id = old_id or themes.theme_id(sorted(group))
                center = themes.centroid(matrix[rows])
                group_rows = [by_id[i] for i in sorted(group)]
                theme = existing.get(theme_id) or Theme(id=theme_id, created_at=now,
                                                        centroid=b"")
                theme.label = themes.label(group_terms)
                theme.terms = group_terms
                theme.cards = _cited_cards(group_rows)
                theme.near_cards = self._near(group_terms, group_rows)
                theme.centroid = store.to_bytes(center)
                theme.size = len(group)
                theme.active = True
                theme.updated_at = now
                session.add(theme)
                similarity = matrix[rows] @ center
                assignments += [(ids[i], theme_id, float(sim))
                                for i, sim in zip(rows, similarity, strict=True)]
            assignments += self._attach_noise(ids, matrix, labels, members, groups, kept)
            session.flush()
            store.assign(session, assignments)
            session.commit()
        return RebuildReport(
            inquiries=len(ids), embedded=embedded, themes=len(groups),
            kept_ids=sum(k is not None for k in kept),
            unassigned=len(ids) - len(assignments),
            seconds=round(time.perf_counter() - started, 2),
        )

    def _attach_noise(self, ids, matrix, labels, members, groups, kept):
        """Questions left out of every group join the nearest theme when close enough:
        the same rule a question asked after the rebuild follows."""
        noise = np.flatnonzero(labels == themes.NOISE)
        if not len(noise) or not members:
            return []
        centroids = np.stack([themes.centroid(matrix[rows]) for rows in members])
        theme_ids = [old or themes.theme_id(sorted(g)) for g, old in zip(groups, kept,
                                                                          strict=True)]
        similarity = matrix[noise] @ centroids.T
        best = similarity.argmax(axis=1)
        return [(ids[row], theme_ids[c], float(similarity[r, c]))
                for r, (row, c) in enumerate(zip(noise, best, strict=True))
                if similarity[r, c] >= self.settings.join_similarity]

    def _near(self, terms: list[str], rows: list[store.Row]) -> list[dict]:
        """Closest cards of a theme with gaps (what a new card would sit next to)."""
        if self._nearest is None or not terms or not any(_is_gap(r, self.settings)
                                                          for r in rows):
            return []
        return self._nearest(" ".join(terms[:5]))[:3]

    @staticmethod
    def _facts_in_step(session: Session) -> None:
        """The pages count the facts copied onto the embedding rows: copy again what an
        edit of an inquiry changed (normally nothing, checked in a few ms)."""
        if not store.facts_in_step(session):
            store.refresh_facts(session)
            session.commit()

    # incremental -------------------------------------------------------------
    def join_new(self) -> int:
        """Embed new inquiries and let each join the nearest theme if close enough; the
        rest wait for the next rebuild. Returns how many joined a theme."""
        with Session(self.engine) as session:
            embedded = self.embed_new(session)
            self._facts_in_step(session)
            if not embedded and not store.has_uncompared(session):
                return 0  # the usual page view: nothing asked since the last one
            active = store.active_themes(session)
            ids, matrix, _ = store.vectors(session, unassigned_only=True)
            if not active or not ids:
                session.commit()
                return 0
            centroids = np.stack([store.from_bytes(t.centroid) for t in active])
            similarity = matrix @ centroids.T
            best = similarity.argmax(axis=1)
            # a question too far from every theme keeps no theme but its best cosine, so
            # it is not compared again before the next rebuild
            joined = [(ids[r], active[c].id if similarity[r, c] >= self.settings.join_similarity
                       else None, float(similarity[r, c])) for r, c in enumerate(best)]
            store.assign(session, joined)
            session.commit()
            return sum(theme is not None for _, theme, _ in joined)

    # reading -----------------------------------------------------------------
    def themes(self, *, start: datetime | None = None, end: datetime | None = None,
               clinicians: set[str] | None = None) -> tuple[list[ThemeSummary], int]:
        """Themes with at least k distinct clinicians in the selection, biggest first, and
        how many were suppressed for having fewer."""
        with Session(self.engine) as session:
            active = {t.id: t for t in store.active_themes(session)}
            tallies = store.tallies(session, start=start, end=end, clinicians=clinicians)
        by_theme: dict[str, list[store.Tally]] = {}
        for tally in tallies:
            if tally.theme_id in active:
                by_theme.setdefault(tally.theme_id, []).append(tally)
        shown, suppressed = [], 0
        for theme_id, members in by_theme.items():
            people = {t.clinician for t in members if t.clinician}
            if len(people) < self.settings.min_clinicians:
                suppressed += 1
                continue
            theme = active[theme_id]
            questions = sum(t.questions for t in members)
            shown.append(ThemeSummary(
                id=theme.id, label=theme.label, terms=list(theme.terms),
                clinicians=len(people), questions=questions,
                abstention_rate=sum(t.abstained for t in members) / questions,
                cards=list(theme.cards), near_cards=list(theme.near_cards),
            ))
        shown.sort(key=lambda t: (-t.questions, t.id))
        return shown, suppressed


def _is_gap(row: store.Row, settings: InsightsSettings) -> bool:
    return row.abstained or (row.decision_score is not None
                             and row.decision_score < settings.low_confidence_score)


def _cited_cards(rows: list[store.Row], *, top: int = 3) -> list[dict]:
    """Cards the theme's answered questions cited first, most often first."""
    counts: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for row in rows:
        if row.cited and not row.abstained:
            doc_id, title = row.cited[0]
            counts[doc_id] += 1
            titles[doc_id] = title
    floor = max(1, len(rows) // 10)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"doc_id": d, "title": titles[d], "questions": n} for d, n in ranked[:top]
            if n >= floor]
